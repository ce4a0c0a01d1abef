"""Model configs in the Keras 1.2.2 format: graph -> dict -> graph.

A functional model's config lists its layers (``name``, ``class_name``,
``config``) and, per layer, the calls that belong to this model as
``inbound_nodes``: ``[[[inbound_layer_name, node_index, tensor_index], ...], ...]``.
Node indices are renumbered to count only this model's nodes (a nested model
starts at 1, because its node 0 stands for the model itself).  Rebuilding
calls each layer on the tensors named there, in dependency order.
Nothing is evaluated: layer classes are looked up by name only.
"""
from __future__ import annotations

from .topology import _as_list


def _is_container(layer) -> bool:
    from .container import Container
    return isinstance(layer, Container)


def _node_index_map(model) -> dict:
    """(id(layer), original node index) -> node index as written in the config."""
    in_graph = {id(n) for n in model._nodes}
    mapping = {}
    for layer in model.layers:
        kept = 1 if _is_container(layer) else 0
        for i, node in enumerate(layer.inbound_nodes):
            if id(node) in in_graph:
                mapping[(id(layer), i)] = kept
                kept += 1
    return mapping


def _layer_entry(layer, mapping: dict) -> dict:
    calls = []
    for i, node in enumerate(layer.inbound_nodes):
        if (id(layer), i) not in mapping or not node.inbound_layers:
            continue
        calls.append([[inbound.name, mapping[(id(inbound), ni)], ti] for inbound, ni, ti in
                      zip(node.inbound_layers, node.node_indices, node.tensor_indices)])
    return {"name": layer.name, "class_name": type(layer).__name__,
            "config": layer.get_config(), "inbound_nodes": calls}


def container_config(model) -> dict:
    """The 1.2.2 ``Model.get_config()`` dict."""
    mapping = _node_index_map(model)

    def endpoint(t):
        layer, ni, ti = t._keras_history
        return [layer.name, mapping[(id(layer), ni)], ti]

    return {"name": model.name,
            "layers": [_layer_entry(layer, mapping) for layer in model.layers],
            "input_layers": [endpoint(t) for t in model.inputs],
            "output_layers": [endpoint(t) for t in model.outputs]}


def container_from_config(cls, config: dict, custom_objects=None):
    """Rebuild a functional model; layers are called in dependency order."""
    from ..utils.layer_utils import layer_from_config
    created, pending = {}, []
    for entry in config["layers"]:
        layer = layer_from_config({"class_name": entry["class_name"], "config": entry["config"]},
                                  custom_objects=custom_objects)
        created[entry["name"]] = layer
        pending.append((layer, list(entry.get("inbound_nodes", []))))
    while any(calls for _, calls in pending):
        progressed = False
        for layer, calls in pending:
            while calls and _inputs_ready(calls[0], created):
                inputs = [_tensor_of(created, ref) for ref in calls.pop(0)]
                layer(inputs if len(inputs) > 1 else inputs[0])
                progressed = True
        if not progressed:
            stuck = [layer.name for layer, calls in pending if calls]
            raise ValueError(f"Model config {config.get('name')!r}: cannot connect layers "
                             f"{stuck}: their inbound layers or nodes are missing")
    inputs = [_tensor_of(created, ref) for ref in config["input_layers"]]
    outputs = [_tensor_of(created, ref) for ref in config["output_layers"]]
    return cls(input=inputs, output=outputs, name=config.get("name"))


def _inputs_ready(call: list, created: dict) -> bool:
    for ref in call:
        layer = created.get(ref[0])
        if layer is None or len(layer.inbound_nodes) <= ref[1]:
            return False
    return True


def _tensor_of(created: dict, ref):
    name, node_index, tensor_index = ref[:3]
    if name not in created:
        raise ValueError(f"Model config refers to an unknown layer {name!r}")
    node = created[name].inbound_nodes[node_index]
    return _as_list(node.output_tensors)[tensor_index]


def _jsonable(obj):
    """numpy scalars/arrays and tuples made JSON-friendly (as Keras' ``get_json_type``)."""
    import numpy as np
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, type):
        return obj.__name__
    if callable(obj) and hasattr(obj, "__name__"):
        return obj.__name__
    return obj


def model_dict(model) -> dict:
    """``{'class_name', 'config', 'keras_version'}`` with plain Python values."""
    return {"class_name": type(model).__name__, "config": _jsonable(model.get_config()),
            "keras_version": "1.2.2"}


def model_to_json(model, **kwargs) -> str:
    import json
    return json.dumps(model_dict(model), **kwargs)
