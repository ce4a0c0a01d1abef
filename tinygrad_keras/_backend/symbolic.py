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

Outside a model's scoring, backend functions and the operators of KerasTensors
record their call instead (``deferred.py``): replay computes it with the layers.
An ``InputLayer`` may have an ``input_source`` (``Input(tensor=t)`` with ``t`` a
recorded KerasTensor or a constant Tensor): replay gives it that value when it is
not fed.
"""
from __future__ import annotations

import operator

__all__ = ["KerasTensor", "Node", "SymbolicInput", "bind_values", "make_input",
           "register_input_maker", "replay", "replay_all", "resolve", "toposort_nodes"]


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

    # ``Tensor + KerasTensor`` and ``np.float32(2) * KerasTensor`` defer to the methods
    # below: Tensor's operators step aside for objects with this marker, numpy's for
    # objects whose __array_ufunc__ is None
    _defer_tensor_operators = True
    __array_ufunc__ = None

    def _no_value(self, what: str):
        raise TypeError(f"The Keras tensor {self.name!r} (shape {self.shape}) has no value to "
                        f"use as {what}: it is computed only when a K.function or a model runs "
                        f"(K.function([inputs], [this tensor])([arrays]) gives its value)")

    def __float__(self):
        self._no_value("a float")

    def __int__(self):
        self._no_value("an int")

    def __array__(self, dtype=None, copy=None):
        self._no_value("an array")

    def __iter__(self):
        self._no_value("a sequence to iterate over")


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


def _source_of(node):
    """The recorded KerasTensor an ``Input(tensor=...)`` node takes its value from, or None."""
    source = getattr(node.outbound_layer, "input_source", None)
    return source if isinstance(source, KerasTensor) else None


def _parents(node, follow_sources: bool) -> list:
    parents = inbound_nodes_of(node)
    source = _source_of(node) if follow_sources and not node.inbound_layers else None
    if source is not None:
        layer, index, _ = source._keras_history
        parents.append(layer.inbound_nodes[index])
    return parents


def toposort_nodes(output_tensors, follow_sources: bool = False) -> list:
    """Nodes reachable from ``output_tensors``, each after all of its inputs' nodes.

    Iterative depth-first post-order (no recursion: graphs can be deep); ties
    follow argument order, so the order is deterministic.  With ``follow_sources``
    the walk also goes on through the recorded tensor behind an ``Input(tensor=t)``
    (what replay needs; a model's graph stops at its inputs).
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
        for parent in reversed(_parents(node, follow_sources)):
            if id(parent) not in done:
                stack.append((parent, False))
    return order


def _input_value(node, values: dict):
    """The value of an unfed input node: from its ``input_source``; None if it has none
    or the source cannot be computed."""
    source = getattr(node.outbound_layer, "input_source", None)
    if source is None:
        return None
    if isinstance(source, KerasTensor):
        found = values.get(id(source))
        value = None if found is None else found[0]
    else:
        from ..autodiff import Tensor
        value = Tensor(source.data if isinstance(source, Tensor) else source)
    if value is not None:
        want = node.output_tensors[0].shape
        if len(want) != value.ndim or any(w is not None and w != v
                                          for w, v in zip(want, value.shape)):
            raise ValueError(f"Input {node.outbound_layer.name!r} has shape {want}, but the "
                             f"tensor it was made from has the value shape {value.shape}")
    return value


def replay_all(feeds: dict, targets: list, wanted_grads: set = frozenset()) -> dict:
    """``{id(keras_tensor): (value, mask)}`` for ``targets`` and what they need, running
    the recorded layer calls and backend operations from ``feeds``
    (``{id(keras_tensor): (Tensor, mask)}``).

    A value of a tensor in ``wanted_grads`` (ids of tensors that a recorded
    ``K.gradients`` differentiates with respect to) that has no graph of its own
    becomes a leaf that requires grad, so its gradient is the real one, not zeros.
    """
    values = dict(feeds)

    def store(t, value, mask):
        if id(t) in wanted_grads and value is not None and not value.requires_grad \
                and value.dtype.kind == "f":
            from ..autodiff import Tensor
            value = Tensor(value.data, requires_grad=True)
        values[id(t)] = (value, mask)

    for node in toposort_nodes(list(targets), follow_sources=True):
        if all(id(t) in values for t in node.output_tensors):
            continue
        if not node.inbound_layers:
            value = _input_value(node, values)
            if value is not None:
                store(node.output_tensors[0], value, None)
            continue
        if any(id(t) not in values for t in node.input_tensors):
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
            store(t, v, m)
    for target in targets:
        if id(target) not in values:
            raise ValueError(_missing_message(target, values))
    return values


def _missing_message(target, values: dict) -> str:
    """Why ``target`` could not be computed: the unfed inputs it depends on."""
    missing = []
    for node in toposort_nodes([target], follow_sources=True):
        if not node.inbound_layers and id(node.output_tensors[0]) not in values:
            missing.append(node.output_tensors[0].name)
    return (f"K.function: {target!r} cannot be computed from the given inputs; it needs a "
            f"value for {missing or 'an input'} (pass it in the inputs, e.g. model.input)")


def replay(feeds: dict, target) -> tuple:
    """``(value, mask)`` of the KerasTensor ``target`` (see :func:`replay_all`)."""
    return replay_all(feeds, [target])[id(target)]


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


class bind_values:  # lower case: used like the function it was (``with bind_values(v):``)
    """Within the block, :func:`resolve` maps ``id(keras_tensor)`` to ``values[...]``.

    A class rather than a ``contextlib.contextmanager`` generator: entered at every
    training step, and a third of the cost."""

    def __init__(self, values: dict):
        self.values = values

    def __enter__(self):
        _STACK.append(self.values)

    def __exit__(self, *exc):
        _STACK.pop()
        return False


def resolve(x):
    """``x`` itself, or for a KerasTensor the Tensor bound to it by the running model (a
    recorded backend operation is computed from the bound values of its inputs)."""
    if not isinstance(x, KerasTensor):
        return x
    for values in reversed(_STACK):
        if id(x) in values:
            return values[id(x)]
    layer = x._keras_history[0] if x._keras_history else None
    if _STACK and getattr(layer, "is_deferred_op", False):
        return _resolve_deferred(x)
    raise ValueError(f"The Keras tensor {x.name!r} (shape {x.shape}) is symbolic: it has a value "
                     f"only while a model that computes it scores a batch (inside its loss or "
                     f"metric functions), or in a K.function. Use it in a layer call (e.g. "
                     f"Lambda or merge) to compute with it, in a loss/metric of a model that "
                     f"contains it, or as an output of K.function.")


def _resolve_deferred(x):
    """The value of a recorded operation's output from its inputs' bound values (kept in
    the innermost binding, so each operation runs once per batch)."""
    layer, index, tensor_index = x._keras_history
    node = layer.inbound_nodes[index]
    inputs = [resolve(t) for t in node.input_tensors]
    out, _ = layer.run(inputs if len(inputs) > 1 else inputs[0])
    outs = out if isinstance(out, list) else [out]
    for t, value in zip(node.output_tensors, outs):
        _STACK[-1][id(t)] = value
    return outs[tensor_index]


def _operator(name: str):
    fn = getattr(operator, name.strip("_").removeprefix("r")
                 if name.startswith("__r") else name.strip("_"))
    reflected = name.startswith("__r") and name != "__rshift__"

    def method(self, *args):
        if scoring():
            return getattr(resolve(self), name)(*(resolve(a) for a in args))
        from .deferred import defer
        operands = (args[0], self) if reflected else (self,) + args
        return defer(fn, f"KerasTensor.{name}", operands)
    method.__name__ = name
    method.__doc__ = (f"``{name}``: on the bound value while a model scores a batch, "
                      f"else recorded for K.function (see deferred.py).")
    return method


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__truediv__", "__rtruediv__", "__pow__", "__rpow__", "__matmul__",
              "__rmatmul__", "__neg__", "__abs__", "__getitem__"):
    setattr(KerasTensor, _name, _operator(_name))
