"""A graph of layers that is itself a layer: the heart of the functional API.

``Container(input=x, output=y)`` walks back from ``y``'s history to ``x``,
collects every node on the way, and orders them so that each node comes after
the nodes that feed it.  Running the container on real Tensors
(:meth:`Container.run_graph`) executes those nodes in that order, calling
``layer.run(x, mask)`` on each.  Because a container is a layer, calling it on
a KerasTensor adds one node to an outer graph; its weights stay shared.
"""
from __future__ import annotations

import numpy as np

from .. import backend as K
from .._backend.deferred import is_deferred
from .._backend.symbolic import SymbolicInput, toposort_nodes
from .._backend.symbolic import inbound_nodes_of as _inbound_nodes_of
from ..autodiff import Tensor
from .topology import InputLayer, KerasTensor, Layer, Node, _as_list, _unlist


def node_depths(nodes: list, output_tensors) -> dict:
    """Longest distance (in nodes) from each node to an output; outputs have depth 0."""
    depth = {id(n): 0 for n in nodes}
    for node in reversed(nodes):  # consumers come before producers in this walk
        for parent in _inbound_nodes_of(node):
            depth[id(parent)] = max(depth[id(parent)], depth[id(node)] + 1)
    return depth


def get_source_inputs(tensor, layer=None, node_index=None) -> list:
    """The Input KerasTensors that ``tensor`` ultimately depends on (traversal order).

    With ``layer`` (and ``node_index``, default 0) the walk starts at that call of
    ``layer`` instead of at the call that made ``tensor`` (Keras 1.2.2's signature).
    """
    if layer is not None:
        node = layer.inbound_nodes[node_index or 0]
        if not node.inbound_layers:
            return list(node.output_tensors)
        starts = list(node.input_tensors)
    elif isinstance(tensor, KerasTensor):
        starts = [tensor]
    else:
        raise TypeError(f"get_source_inputs expects a Keras tensor (from Input or a layer "
                        f"call), got {type(tensor).__name__}")
    sources = []
    for node in toposort_nodes(starts):
        if not node.inbound_layers:
            for t in node.output_tensors:
                if not any(t is s for s in sources):
                    sources.append(t)
    return sources


class Container(Layer):
    """A directed acyclic graph of layers, usable as one layer.

    Arguments: ``input``/``inputs`` (a KerasTensor or list from ``Input``),
    ``output``/``outputs`` (KerasTensors computed from them), ``name``.
    """

    def __init__(self, input=None, output=None, name=None, inputs=None, outputs=None):
        super().__init__(name=name)
        inputs = input if input is not None else inputs
        outputs = output if output is not None else outputs
        if inputs is None or outputs is None:
            raise TypeError(f"{type(self).__name__} needs `input=` and `output=` "
                            f"(Keras tensors), got input={inputs!r}, output={outputs!r}")
        self._init_graph(_as_list(inputs), _as_list(outputs))

    # ---- building the graph ------------------------------------------------------------
    def _init_graph(self, inputs: list, outputs: list, make_node: bool = True) -> None:
        for t in inputs + outputs:
            if not isinstance(t, KerasTensor):
                raise TypeError(f"Model {self.name}: inputs and outputs must be Keras tensors "
                                f"(from Input or a layer call), got {type(t).__name__}")
            if isinstance(t._keras_history[0], SymbolicInput):  # an early K.placeholder
                InputLayer(input_tensor=t)
            if is_deferred(t):
                raise TypeError(f"Model {self.name}: {t.name} was computed by a backend "
                                f"function outside the model, not by a layer; K.function "
                                f"computes it, or wrap the computation in a Lambda layer to "
                                f"make it part of a model (an input: Input(tensor=...))")
        if len({id(t) for t in inputs}) != len(inputs):
            raise ValueError(f"Model {self.name}: the list of inputs contains the same "
                             f"tensor twice: {inputs}")
        self.inputs, self.outputs = list(inputs), list(outputs)
        self.input_layers = [t._keras_history[0] for t in self.inputs]
        self.output_layers = [t._keras_history[0] for t in self.outputs]
        self._nodes = toposort_nodes(self.outputs)
        self._check_inputs_reached()
        self._graph_layers = self._order_layers()
        names = [layer.name for layer in self._graph_layers]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise RuntimeError(f"The name {dupes[0]!r} is used {names.count(dupes[0])} times in "
                               f"the model {self.name}. All layer names should be unique.")
        self.input_names = [layer.name for layer in self.input_layers]
        self.output_names = [layer.name for layer in self.output_layers]
        self.built = True
        self.supports_masking = True
        if not make_node:
            return
        self.inbound_nodes, self.outbound_nodes = [], []
        # node 0 of a container stands for the container itself (no inbound layers), so
        # `model.output` works and calls on new inputs become nodes 1, 2, ...
        Node(self, [], [], [], self.inputs, self.outputs,
             [t._keras_shape for t in self.inputs], [t._keras_shape for t in self.outputs])

    def _check_inputs_reached(self) -> None:
        given = {id(t) for t in self.inputs}
        for node in self._nodes:
            if not node.inbound_layers:
                for t in node.output_tensors:
                    if id(t) not in given:
                        raise RuntimeError(f"Model {self.name}: graph disconnected: cannot get "
                                           f"the value of tensor {t.name} (from layer "
                                           f"{node.outbound_layer.name}); the inputs given were "
                                           f"{[x.name for x in self.inputs]}")

    def _order_layers(self) -> list:
        """Layers by decreasing depth (inputs first), ties in graph order, each once."""
        depth = node_depths(self._nodes, self.outputs)
        layer_depth, first_seen = {}, {}
        for i, node in enumerate(self._nodes):
            layer = node.outbound_layer
            layer_depth[id(layer)] = max(layer_depth.get(id(layer), 0), depth[id(node)])
            first_seen.setdefault(id(layer), (i, layer))
        if K.legacy_weight_ordering():  # Keras < 1.0 sorted same-depth layers by name
            ranked = sorted(first_seen.values(),
                            key=lambda p: (-layer_depth[id(p[1])], p[1].name))
        else:
            ranked = sorted(first_seen.values(), key=lambda p: (-layer_depth[id(p[1])], p[0]))
        return [layer for _, layer in ranked]

    @property
    def layers(self) -> list:
        """All layers of the graph, InputLayers included, inputs first."""
        return list(self._graph_layers)

    def get_layer(self, name=None, index=None) -> Layer:
        """A layer by ``name`` or by ``index`` in the graph's layers (InputLayers included,
        also for a Sequential, as in Keras 1.2.2)."""
        layers = list(self._graph_layers)
        if index is not None:
            if len(layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model "
                                 f"{self.name} only has {len(layers)} layers.")
            return layers[index]
        if not name:
            raise ValueError("get_layer: provide either a layer name or a layer index.")
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}; the layers of {self.name} are "
                         f"{[la.name for la in layers]}")

    # ---- weights -----------------------------------------------------------------------
    def _unique_layers(self) -> list:
        """The layers that own this model's weights (InputLayers have none)."""
        return [la for la in self._graph_layers if not isinstance(la, InputLayer)]

    @property
    def trainable_weights(self) -> list:
        if not self.trainable:
            return []
        return _unique_weights(w for la in self._unique_layers() for w in la.trainable_weights)

    @trainable_weights.setter
    def trainable_weights(self, weights) -> None:  # a container's weights are its layers'
        pass

    @property
    def non_trainable_weights(self) -> list:
        every = _unique_weights(w for la in self._unique_layers() for w in la.weights)
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in every if id(w) not in trainable]

    @non_trainable_weights.setter
    def non_trainable_weights(self, weights) -> None:
        pass

    @property
    def weights(self) -> list:
        """Every layer's weights in layer order (what ``get_weights`` returns)."""
        seen, result = set(), []  # _unique_weights, written out: asked at every training step
        for layer in self._unique_layers():
            for w in layer.weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    result.append(w)
        return result

    def get_weights(self) -> list:
        return [w.data.copy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Assign a flat list, consumed layer by layer in ``self.layers`` order."""
        weights = list(weights)
        expected = sum(len(la.weights) for la in self._unique_layers())
        if len(weights) != expected:
            raise ValueError(f"Model {self.name} expects {expected} weight arrays in "
                             f"set_weights, got {len(weights)}.")
        for layer in self._unique_layers():
            n = len(layer.weights)
            layer.set_weights(weights[:n])
            weights = weights[n:]

    def count_params(self) -> int:
        return int(sum(w.size for w in self.weights))

    @property
    def constraints(self) -> dict:
        merged = {}
        for layer in self._unique_layers():
            merged.update(layer.constraints)
        return merged

    @constraints.setter
    def constraints(self, value) -> None:  # the base __init__ assigns {}; ignore
        pass

    @property
    def losses(self) -> list:
        """Regularization penalties of every layer (weights: fresh; activity: last run)."""
        return [loss for layer in self._unique_layers() for loss in layer.losses]

    @property
    def stateful(self) -> bool:
        return any(getattr(layer, "stateful", False) for layer in self._unique_layers())

    def reset_states(self) -> None:
        for layer in self._unique_layers():
            if getattr(layer, "stateful", False) and hasattr(layer, "reset_states"):
                layer.reset_states()

    @property
    def uses_learning_phase(self) -> bool:
        return any(getattr(la, "uses_learning_phase", False) for la in self._unique_layers())

    @uses_learning_phase.setter
    def uses_learning_phase(self, value) -> None:
        pass

    def reset_activity_losses(self) -> None:
        for layer in self._unique_layers():
            layer.reset_activity_losses()

    # ---- updates (Keras 1.2.2: run with each training / test / predict step) ---------------
    @property
    def updates(self) -> list:
        """Every layer's ``(variable, new_value)`` updates of the latest pass."""
        return [u for layer in self._unique_layers() for u in layer.updates]

    @updates.setter
    def updates(self, value) -> None:  # a container's updates are its layers'
        pass

    @property
    def state_updates(self) -> list:
        """The updates of stateful layers only (what 1.2.2 also ran when testing)."""
        return [u for layer in self._unique_layers() if getattr(layer, "stateful", False)
                for u in layer.updates]

    @staticmethod
    def apply_updates(updates: list) -> None:
        """Assign each ``(variable, new_value)`` pair (values computed in the last pass)."""
        for variable, new_value in updates:
            K.update(variable, new_value)

    # ---- running -----------------------------------------------------------------------
    def run_graph(self, input_tensors: list, masks=None) -> tuple:
        """Execute the graph on real Tensors: ``(outputs, output_masks)``, both lists.

        Each layer's activity penalties are reset first, so ``self.losses`` afterwards
        holds the penalties of this pass only.
        """
        if len(input_tensors) != len(self.inputs):
            raise ValueError(f"Model {self.name} expects {len(self.inputs)} input(s), "
                             f"got {len(input_tensors)}")
        self.reset_activity_losses()
        masks = _as_list(masks) if masks is not None else [None] * len(input_tensors)
        values = {id(k): (v, m) for k, v, m in zip(self.inputs, input_tensors, masks)}
        for node in self._nodes:
            if not node.inbound_layers:
                continue
            x, mask = _node_inputs(node, values)
            out, out_mask = node.outbound_layer.run(x, mask)
            outputs = node.output_tensors
            if len(outputs) == 1 and not isinstance(out, (list, tuple)):  # most layers: one Tensor
                values[id(outputs[0])] = (out, out_mask[0] if isinstance(out_mask, list)
                                          else out_mask)
                continue
            out_masks = out_mask if isinstance(out_mask, list) else [out_mask] * len(outputs)
            for t, v, m in zip(outputs, _as_list(out), out_masks):
                values[id(t)] = (v, m)
        result = [values[id(t)] for t in self.outputs]
        # kept so a loss can use intermediate Keras tensors (see bound_values.py)
        self._last_values = {key: value for key, (value, _) in values.items()}
        return [v for v, _ in result], [m for _, m in result]

    def run(self, x, mask=None):
        """Run as a layer inside an outer graph (or eagerly): ``(output, mask)``."""
        outputs, masks = self.run_graph(_as_list(x), mask)
        return _unlist(outputs), _unlist(masks) if len(masks) > 1 else masks[0]

    def call(self, x, mask=None):
        return self.run(x, mask)[0]

    def compute_mask(self, x, mask=None):
        return None

    def get_output_shape_for(self, input_shape):
        """Propagate ``input_shape`` (one shape or a list) through every node."""
        shapes = {id(t): tuple(s) for t, s in zip(self.inputs, _as_list_of_shapes(input_shape))}
        for node in self._nodes:
            if not node.inbound_layers:
                continue
            ins = [shapes[id(t)] for t in node.input_tensors]
            out = node.outbound_layer.get_output_shape_for(_unlist(ins) if len(ins) > 1
                                                           else ins[0])
            outs = out if isinstance(out, list) else [out]
            for t, s in zip(node.output_tensors, outs):
                shapes[id(t)] = tuple(s)
        result = [shapes[id(t)] for t in self.outputs]
        return result if len(result) > 1 else result[0]

    def _call_eager(self, x, mask=None):
        xs = [t if isinstance(t, Tensor) else Tensor(np.asarray(t)) for t in _as_list(x)]
        return self.run(xs if isinstance(x, (list, tuple)) else xs[0], mask)[0]

    # ---- config ------------------------------------------------------------------------
    def get_config(self) -> dict:
        from .serialization import container_config
        return container_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from .serialization import container_from_config
        return container_from_config(cls, config, custom_objects)


def _node_inputs(node, values: dict) -> tuple:
    """``(x, mask)`` for a node's layer from the values computed so far: one Tensor and
    its mask, or lists of them for a layer of several inputs (mask None when no input
    has one)."""
    inputs = node.input_tensors
    if len(inputs) == 1:  # most layers: their one input's value, as it is
        x, mask = values[id(inputs[0])]
        if mask is None:
            return x, None
    pairs = [values[id(t)] for t in inputs]
    if len(pairs) == 1:
        x, mask = pairs[0]
    else:
        x, mask = _unlist([v for v, _ in pairs]), [m for _, m in pairs]
    if isinstance(mask, (list, tuple)) and all(m is None for m in mask):
        mask = None
    return x, mask


def _as_list_of_shapes(shape) -> list:
    if isinstance(shape, list):
        return shape
    return [shape]


def _unique_weights(weights) -> list:
    seen, result = set(), []
    for w in weights:
        if id(w) not in seen:
            seen.add(id(w))
            result.append(w)
    return result
