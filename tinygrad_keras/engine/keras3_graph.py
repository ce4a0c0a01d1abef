"""A model's graph as Keras 3 sees it: layer calls, node references, layer order.

The graph is a list of *entries* ``{'name', 'layer', 'calls'}``; each call is
the list of the ``(layer name, call index, tensor index, shape)`` references it
takes.  :func:`graph_of` replays a tinygrad_keras model into one: nested models
are inlined (a model used twice becomes its layers shared twice, the same
function), so the Keras 3 file holds plain layers only.

Keras 3 finds a layer's weights in ``model.weights.h5`` by the layer's place in
``model.layers``, an order it computes from the graph (by depth from the
outputs, ties in the order a depth-first walk from the outputs first meets
them).  :func:`keras3_layer_order` computes the same order so that the writer
and the reader agree with Keras 3.
"""
from __future__ import annotations

import re

from .keras3_mapping import Keras3MappingError


def _is_container(layer) -> bool:
    from .container import Container
    return isinstance(layer, Container)


class _Graph:
    def __init__(self):
        self.entries = {}  # name -> {'name', 'layer', 'calls'}

    def entry(self, layer) -> dict:
        found = self.entries.get(layer.name)
        if found is None:
            found = self.entries[layer.name] = {"name": layer.name, "layer": layer, "calls": []}
        elif found["layer"] is not layer:
            raise Keras3MappingError(f"Two different layers are named {layer.name!r}; Keras 3 "
                                     f"needs unique layer names (rename one before saving)")
        return found

    def replay(self, container, input_refs: list) -> list:
        """Emit the calls of ``container`` on ``input_refs``; return its output refs."""
        refs = {id(t): r for t, r in zip(container.inputs, input_refs)}
        for node in container._nodes:
            if not node.inbound_layers:
                continue
            args = [refs[id(t)] for t in node.input_tensors]
            layer = node.outbound_layer
            if _is_container(layer):
                outs = self.replay(layer, args)
            else:
                entry = self.entry(layer)
                entry["calls"].append(args)
                index = len(entry["calls"]) - 1
                outs = [(layer.name, index, i, tuple(t._keras_shape))
                        for i, t in enumerate(node.output_tensors)]
            for t, ref in zip(node.output_tensors, outs):
                refs[id(t)] = ref
        return [refs[id(t)] for t in container.outputs]


def graph_of(model) -> tuple:
    """``(entries, input refs, output refs)`` of a Sequential or functional model."""
    if hasattr(model, "_ensure_graph"):
        model._ensure_graph()
    graph = _Graph()
    inputs = []
    for t in model.inputs:
        layer = t._keras_history[0]
        graph.entry(layer)
        inputs.append((layer.name, 0, 0, tuple(t._keras_shape)))
    outputs = graph.replay(model, inputs)
    return list(graph.entries.values()), inputs, outputs


def keras3_layer_order(entries: list, inputs: list, outputs: list) -> list:
    """Entry names in Keras 3's ``Functional.layers`` order (its ``map_graph``)."""
    calls = {e["name"]: e["calls"] for e in entries}
    first_seen, finished, post_order = {}, set(), []

    def visit(name: str, index: int) -> None:
        # iterative form of Keras 3's recursive walk: pre-order numbering, post-order list
        stack = [(name, index, False)]
        while stack:
            lname, i, expanded = stack.pop()
            if expanded:
                if (lname, i) not in finished:
                    finished.add((lname, i))
                    post_order.append((lname, i))
                continue
            if (lname, i) in finished:
                continue
            first_seen.setdefault(lname, len(first_seen))
            stack.append((lname, i, True))
            parents = calls[lname][i] if calls[lname] else []
            for ref in reversed(parents):
                stack.append((ref[0], ref[1], False))

    for ref in outputs:
        visit(ref[0], ref[1])
    node_depth, layer_depth = {}, {}
    for node in reversed(post_order):
        depth = max(node_depth.setdefault(node, 0), layer_depth.get(node[0], 0))
        layer_depth[node[0]] = node_depth[node] = depth
        for ref in (calls[node[0]][node[1]] if calls[node[0]] else []):
            parent = (ref[0], ref[1])
            node_depth[parent] = max(depth + 1, node_depth.get(parent, 0))
    for ref in inputs:  # inputs that no output needs still belong to the model
        if ref[0] not in layer_depth:
            layer_depth[ref[0]], first_seen[ref[0]] = 0, -1
    return sorted(layer_depth, key=lambda n: (-layer_depth[n], first_seen[n]))


def snake_case(class_name: str) -> str:
    """Keras 3's group name for a class: ``Conv2D`` -> ``conv2d``, ``SimpleRNN`` ->
    ``simple_rnn``."""
    name = re.sub(r"\W+", "", class_name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def group_names(class_names: list) -> list:
    """Unique weight-group names for layers of these Keras 3 classes, in order."""
    used, out = {}, []
    for cls in class_names:
        base = snake_case(cls)
        if base in used:
            used[base] += 1
            out.append(f"{base}_{used[base]}")
        else:
            used[base] = 0
            out.append(base)
    return out


# ---- masks Keras 3 writes as operations ------------------------------------------------------
# Keras 3 saves the mask of an Embedding(mask_zero=True) as a ``NotEqual(x, 0)`` operation
# passed to later layers as ``mask=``; Keras 1 propagates the same mask by itself.  Such an
# operation is dropped when the layer it feeds gets its data from that Embedding (directly or
# through layers that pass masks on unchanged, as recurrent layers returning sequences do);
# any other mask operation is refused.
_PASS_MASKS = {"Dropout", "Activation", "SpatialDropout1D", "GaussianNoise", "GaussianDropout"}


def _history(tensor) -> tuple | None:
    if isinstance(tensor, dict) and tensor.get("class_name") == "__keras_tensor__":
        return tuple(tensor["config"]["keras_history"])
    return None


def _first_call_input(entry: dict, node: int) -> tuple | None:
    nodes = entry.get("inbound_nodes") or []
    if node >= len(nodes) or not nodes[node].get("args"):
        return None
    return _history(nodes[node]["args"][0])


def _mask_source(entries: dict, history: tuple) -> tuple | None:
    """The input of the Embedding(mask_zero=True) whose mask reaches ``history``, or None."""
    while history is not None:
        entry = entries.get(history[0])
        if entry is None:
            return None
        cls, config = entry.get("class_name"), entry.get("config") or {}
        if cls == "Embedding" and config.get("mask_zero"):
            return _first_call_input(entry, history[1])
        sequences = cls in ("LSTM", "GRU", "SimpleRNN") and config.get("return_sequences")
        if cls not in _PASS_MASKS and not sequences:
            return None
        history = _first_call_input(entry, history[1])
    return None


def implied_mask(entries: dict, data, mask) -> bool:
    """Is ``mask`` (a Keras 3 mask argument) the mask Keras 1 would give ``data`` itself?"""
    op = entries.get((_history(mask) or (None,))[0])
    if op is None or op.get("class_name") != "NotEqual":
        return False
    args = (op.get("inbound_nodes") or [{}])[0].get("args", [])
    if len(args) != 2 or args[1] != 0:
        return False
    source = _mask_source(entries, _history(data))
    return source is not None and source == _history(args[0])
