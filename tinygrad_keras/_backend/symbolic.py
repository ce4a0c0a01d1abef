"""The symbolic side of the backend: Keras tensors, the nodes that join them, their replay.

This is the floor the engine builds on (``engine/`` imports it; nothing here imports
the engine).  A :class:`KerasTensor` has a shape and a history ``(layer, node_index,
tensor_index)``; a :class:`Node` records one call of a layer.  Only attributes are
used here (``layer.inbound_nodes``, ``node.outbound_layer.run``), so any object shaped
like a layer works: the engine's ``Layer``, or the :class:`SymbolicInput` that
``K.placeholder`` falls back to before the engine is loaded.

* :func:`toposort_nodes` orders the calls that lead to some tensors;
* :func:`replay` runs them on real Tensors (what ``K.function`` does);
* :func:`bind_values` / :func:`resolve` give a KerasTensor the value it has in the
  batch a model is scoring (losses that close over intermediate tensors; the arithmetic
  operators of KerasTensors resolve the same way).
"""
from __future__ import annotations

import contextlib

__all__ = ["KerasTensor", "Node", "SymbolicInput", "bind_values", "make_input",
           "register_input_maker", "replay", "resolve", "toposort_nodes"]


def _backend():
    # backend.py imports this module while it loads: read its settings at call time
    from .. import backend
    return backend


class KerasTensor:
    """A symbolic tensor: a shape (batch axis ``None`` unless fixed) and its history.

    ``_keras_history`` is ``(layer, node_index, tensor_index)``: which layer made
    it, at which of that layer's calls, and which of the outputs it is.
    """

    def __init__(self, shape, dtype=None, name=None, history=None):
        self._keras_shape = tuple(shape)
        self.dtype = dtype or _backend().floatx()
        self.name = name
        self._keras_history = history
        self._uses_learning_phase = False
        self._keras_mask = None   # None, or the mask KerasTensor that goes with this one
        self._mask_of = None      # for a mask KerasTensor: the tensor whose mask it is

    @property
    def ndim(self) -> int:
        return len(self._keras_shape)

    @property
    def shape(self) -> tuple:
        return self._keras_shape

    def __repr__(self) -> str:
        return f"KerasTensor(shape={self._keras_shape}, name={self.name!r})"


class Node:
    """One call of ``outbound_layer`` on the outputs of ``inbound_layers``."""

    def __init__(self, outbound_layer, inbound_layers, node_indices, tensor_indices,
                 input_tensors, output_tensors, input_shapes, output_shapes, arguments=None):
        self.outbound_layer = outbound_layer
        self.inbound_layers = inbound_layers
        self.node_indices = node_indices
        self.tensor_indices = tensor_indices
        self.input_tensors = input_tensors
        self.output_tensors = output_tensors
        self.input_shapes = input_shapes
        self.output_shapes = output_shapes
        self.arguments = arguments or {}
        for layer in inbound_layers:
            if layer is not None:
                layer.outbound_nodes.append(self)
        outbound_layer.inbound_nodes.append(self)


# ---- inputs ---------------------------------------------------------------------------
class SymbolicInput:
    """The source of a placeholder made before the engine is loaded: no layer, just a
    named input.  The engine turns it into an ``InputLayer`` when a layer or a model
    first uses the tensor (``InputLayer(input_tensor=...)``)."""

    def __init__(self, batch_shape: tuple, dtype=None, name=None, sparse: bool = False):
        self.name = name or f"placeholder_{_backend().get_uid('placeholder')}"
        self.batch_input_shape = tuple(batch_shape)
        self.input_dtype = dtype or _backend().floatx()
        self.sparse = sparse
        self.inbound_nodes, self.outbound_nodes = [], []
        tensor = KerasTensor(self.batch_input_shape, dtype=self.input_dtype, name=self.name,
                             history=(self, 0, 0))
        Node(self, [], [], [], [tensor], [tensor], [self.batch_input_shape],
             [self.batch_input_shape])
        self.tensor = tensor


_INPUT_MAKER: list = []  # the engine's Input(batch_shape=, dtype=, name=, sparse=), once loaded


def register_input_maker(maker) -> None:
    """Called by the engine on import: placeholders become ``Input`` Keras tensors."""
    _INPUT_MAKER[:] = [maker]


def make_input(batch_shape: tuple, dtype=None, name=None, sparse: bool = False) -> KerasTensor:
    """An input Keras tensor: the engine's ``Input`` when loaded, else a SymbolicInput's."""
    if _INPUT_MAKER:
        return _INPUT_MAKER[0](batch_shape=tuple(batch_shape), dtype=dtype, name=name,
                               sparse=sparse)
    return SymbolicInput(batch_shape, dtype, name, sparse).tensor


# ---- walking and replaying the recorded calls ----------------------------------------------
def inbound_nodes_of(node) -> list:
    """The nodes that produced ``node``'s inputs, in argument order."""
    return [layer.inbound_nodes[i] for layer, i in zip(node.inbound_layers, node.node_indices)]


def toposort_nodes(output_tensors) -> list:
    """Nodes reachable from ``output_tensors``, each after all of its inputs' nodes.

    Iterative depth-first post-order (no recursion: graphs can be deep); ties
    follow argument order, so the order is deterministic.
    """
    order, done, on_stack = [], set(), set()
    stack = []
    for t in reversed(output_tensors):
        layer, index, _ = t._keras_history
        stack.append((layer.inbound_nodes[index], False))
    while stack:
        node, expanded = stack.pop()
        if id(node) in done:
            continue
        if expanded:
            done.add(id(node))
            on_stack.discard(id(node))
            order.append(node)
            continue
        if id(node) in on_stack:
            continue
        on_stack.add(id(node))
        stack.append((node, True))
        for parent in reversed(inbound_nodes_of(node)):
            if id(parent) not in done:
                stack.append((parent, False))
    return order


def replay(feeds: dict, target) -> tuple:
    """``(value, mask)`` of the KerasTensor ``target``, running the recorded layer calls
    from ``feeds`` (``{id(keras_tensor): (Tensor, mask)}``)."""
    values = dict(feeds)
    for node in toposort_nodes([target]):
        if all(id(t) in values for t in node.output_tensors):
            continue
        if not node.inbound_layers or any(id(t) not in values for t in node.input_tensors):
            continue                # upstream of a fed tensor, or not reachable
        xs = [values[id(t)] for t in node.input_tensors]
        x = [v for v, _ in xs] if len(xs) > 1 else xs[0][0]
        masks = [m for _, m in xs] if len(xs) > 1 else xs[0][1]
        if isinstance(masks, list) and all(m is None for m in masks):
            masks = None
        out, out_mask = node.outbound_layer.run(x, masks)
        outs = out if isinstance(out, list) else [out]
        out_masks = out_mask if isinstance(out_mask, list) else [out_mask] * len(outs)
        for t, v, m in zip(node.output_tensors, outs, out_masks):
            values[id(t)] = (v, m)
    if id(target) not in values:
        raise ValueError(f"K.function: {target!r} cannot be computed from the given inputs; "
                         f"pass the input it depends on (e.g. model.input)")
    return values[id(target)]


# ---- values bound to Keras tensors while a model scores a batch ---------------------------
_STACK: list = []  # dicts {id(KerasTensor): Tensor}, innermost binding last


class GraphNeeded(Exception):
    """Raised by ``K.gradients`` inside a loss or metric when the batch was run without
    the graph it needs (the model inputs do not require grad, or recording was off,
    as in ``evaluate``).  The model catches it once, remembers, and scores the batch again
    with the inputs requiring grad and recording on (see ``engine/training.py``)."""


def scoring() -> bool:
    """True while a model is scoring a batch (inside its losses and metrics)."""
    return bool(_STACK)


@contextlib.contextmanager
def bind_values(values: dict):
    """Within the block, :func:`resolve` maps ``id(keras_tensor)`` to ``values[...]``."""
    _STACK.append(values)
    try:
        yield
    finally:
        _STACK.pop()


def resolve(x):
    """``x`` itself, or for a KerasTensor the Tensor bound to it by the running model."""
    if not isinstance(x, KerasTensor):
        return x
    for values in reversed(_STACK):
        if id(x) in values:
            return values[id(x)]
    raise ValueError(f"The Keras tensor {x.name!r} (shape {x.shape}) is symbolic: it has a value "
                     f"only while a model that computes it scores a batch (inside its loss or "
                     f"metric functions). Use it in a layer call (e.g. Lambda or merge) to "
                     f"compute with it, or in a loss/metric of a model that contains it.")


def _resolving(name: str):
    def method(self, *args):
        return getattr(resolve(self), name)(*(resolve(a) for a in args))
    method.__name__ = name
    method.__doc__ = f"``{name}`` on the value bound to this Keras tensor (see bind_values)."
    return method


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__truediv__", "__rtruediv__", "__pow__", "__rpow__", "__matmul__",
              "__rmatmul__", "__neg__", "__abs__", "__getitem__"):
    setattr(KerasTensor, _name, _resolving(_name))
