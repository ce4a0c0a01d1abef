"""Backend operations on Keras tensors outside a model: recorded now, computed by ``K.function``.

Keras 1 scripts compute with ``K.*`` on layer outputs and inputs to build a loss that
is not a model's (``deep_dream.py``, ``neural_style_transfer.py``)::

    loss = K.variable(0.)
    loss += K.sum(K.square(layer.output[:, :, 2:-2, 2:-2]))
    grads = K.gradients(loss, dream)                 # dream = Input(...)
    f = K.function([dream], [loss] + grads)          # f([array]) -> [loss, grads]

A KerasTensor has no value of its own, so such a call records a
:class:`DeferredOp`: an object shaped like a layer (``inbound_nodes``,
``outbound_nodes``, ``run(x, masks)``) joined to its Keras-tensor arguments by a
``Node``, exactly as a layer call is.  ``symbolic.replay`` (what ``K.function``
runs) then computes it with the layers, on the values it is fed.  Everything else
passed to the call (numbers, arrays, ``K.variable`` Tensors) is kept as given: a
variable is read when the function runs, an array is copied now.

The output's static shape is found by running the function once on arrays of ones
of the inputs' shapes, and when a size is unknown (None) once more with other
sizes: a dimension that changes between the two runs is unknown in the result.
The computed value is checked against that shape on every run, so a wrong guess
is an error, never a silently wrong number.

``K.gradients(loss, variables)`` on a recorded loss records one :class:`DeferredOp`
with one output per variable (:func:`deferred_gradients`).
"""
from __future__ import annotations

import functools
import itertools
import warnings

import numpy as np

from .symbolic import KerasTensor, Node, scoring

__all__ = ["DeferredOp", "defer", "deferred_gradients", "deferring", "has_keras_tensor",
           "is_deferred"]

_SIZES = ((6, 10), (8, 12))   # pairs of stand-ins for an unknown size, tried in turn
_COUNTER = itertools.count(1)


class _Slot:
    """Where the i-th Keras tensor argument goes when the call is replayed."""

    def __init__(self, index: int):
        self.index = index


def _template(obj, found: list):
    """``obj`` with each KerasTensor replaced by a :class:`_Slot` (appended to ``found``);
    lists and tuples are searched, arrays copied (a later change must not leak in)."""
    if isinstance(obj, KerasTensor):
        found.append(obj)
        return _Slot(len(found) - 1)
    if isinstance(obj, (list, tuple)):
        items = [_template(o, found) for o in obj]
        return items if isinstance(obj, list) else tuple(items)
    if isinstance(obj, np.ndarray):
        return obj.copy()
    return obj


def _fill(obj, values: list):
    if isinstance(obj, _Slot):
        return values[obj.index]
    if isinstance(obj, (list, tuple)):
        items = [_fill(o, values) for o in obj]
        return items if isinstance(obj, list) else tuple(items)
    return obj


def has_keras_tensor(obj) -> bool:
    if isinstance(obj, KerasTensor):
        return True
    if isinstance(obj, (list, tuple)):
        for o in obj:  # a loop, not any(generator): asked at every backend call
            if has_keras_tensor(o):
                return True
    return False


def is_deferred(x) -> bool:
    """True for a KerasTensor made by a recorded backend operation."""
    history = getattr(x, "_keras_history", None)
    return bool(history) and getattr(history[0], "is_deferred_op", False)


def _leaves(out) -> tuple:
    """``(flat list of results, structure)``: one result, or a (nested) list/tuple of them."""
    if isinstance(out, (list, tuple)):
        flat, shape = [], []
        for o in out:
            sub, sub_shape = _leaves(o)
            flat += sub
            shape.append(sub_shape)
        return flat, (type(out), shape)
    return [out], None


def _rebuild(structure, items):
    it = iter(items)

    def build(s):
        if s is None:
            return next(it)
        kind, parts = s
        return kind(build(p) for p in parts)
    return build(structure)


class DeferredOp:
    """One recorded call ``fn(*args, **kwargs)`` whose Keras-tensor arguments are the
    node's inputs; ``run`` computes it on their values (what replay calls)."""

    is_deferred_op = True

    def __init__(self, fn, label: str, args: tuple, kwargs: dict):
        inputs: list = []
        self.fn, self.label = fn, label
        self.args, self.kwargs = _template(args, inputs), _template(kwargs, inputs)
        self.inputs = inputs
        short = label.removeprefix("K.").removeprefix("KerasTensor.").strip("_")
        self.name = f"{short}_{next(_COUNTER)}"
        self.inbound_nodes, self.outbound_nodes = [], []
        self.output_shapes: list = []
        self.structure = None
        self.create_graph = False      # used by gradient ops (see deferred_gradients)

    def compute(self, values: list):
        """``fn`` on the inputs' values: its result as returned (Tensor, list, ...)."""
        return self.fn(*_fill(self.args, values), **_fill(self.kwargs, values))

    def run(self, x, masks=None):
        """``(output(s), mask(s))`` for replay: outputs checked against the recorded shapes."""
        values = list(x) if len(self.inputs) > 1 else [x]
        flat = [_as_tensor(o, self.label) for o in _leaves(self.compute(values))[0]]
        for value, shape in zip(flat, self.output_shapes):
            if len(value.shape) != len(shape) or any(
                    s is not None and s != v for s, v in zip(shape, value.shape)):
                raise ValueError(f"{self.label}: computed a value of shape {value.shape} where "
                                 f"the recorded shape was {shape}; the inputs did not have the "
                                 f"sizes they were recorded with")
        if len(flat) == 1:
            return flat[0], None
        return flat, [None] * len(flat)

    def record(self, shapes: list, dtypes: list, structure):
        """Join the op to its inputs with a Node; returns its output Keras tensor(s)."""
        self.output_shapes, self.structure = [tuple(s) for s in shapes], structure
        outs = [KerasTensor(s, dtype=str(d), name=f"{self.name}_out_{i}", history=(self, 0, i))
                for i, (s, d) in enumerate(zip(self.output_shapes, dtypes))]
        history = [t._keras_history for t in self.inputs]
        Node(self, [h[0] for h in history], [h[1] for h in history], [h[2] for h in history],
             list(self.inputs), outs, [t.shape for t in self.inputs], self.output_shapes)
        return _rebuild(structure, outs)

    def __repr__(self) -> str:
        return f"<deferred {self.name}>"


def _as_tensor(value, label: str):
    from ..autodiff import Tensor
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (np.ndarray, np.generic, int, float, bool)):
        return Tensor(np.asarray(value))
    raise TypeError(f"{label} on Keras tensors gives a {type(value).__name__}, not a tensor: "
                    f"it cannot be recorded for K.function")


def _constant_shapes(obj) -> list:
    """Shapes of the arrays and Tensors among the recorded constant arguments."""
    if isinstance(obj, (list, tuple)):
        return [s for o in obj for s in _constant_shapes(o)]
    if isinstance(obj, dict):
        return _constant_shapes(list(obj.values()))
    shape = getattr(obj, "shape", None)
    return [tuple(shape)] if isinstance(shape, tuple) and not isinstance(obj, _Slot) else []


def _aligned_guesses(shapes: list, others: list) -> list:
    """``shapes`` with each unknown size replaced, where another input or constant has a
    known size at the same place counted from the right (numpy broadcasting), by it."""
    guessed = []
    for shape in shapes:
        sizes = list(shape)
        for k in range(1, len(shape) + 1):
            if sizes[-k] is None:
                known = [o[-k] for o in shapes + others
                         if len(o) >= k and o[-k] not in (None, 1)]
                sizes[-k] = known[0] if known else None
        guessed.append(tuple(sizes))
    return guessed


def _dummy_runs(op: DeferredOp) -> list:
    """Results of ``op`` on arrays of ones: once if every size is known, else twice with
    different stand-ins for the unknown sizes (first the same stand-in everywhere, then
    sizes borrowed from other inputs as broadcasting lines them up)."""
    from ..autodiff import Tensor
    shapes = [tuple(t.shape) for t in op.inputs]
    unknown = any(s is None for shape in shapes for s in shape)
    guesses = _aligned_guesses(shapes, _constant_shapes([op.args, op.kwargs]))
    attempts = [(shapes, sizes) for sizes in _SIZES] + [(guesses, _SIZES[0])]
    first_error = None
    for base, sizes in (attempts if unknown else attempts[:1]):
        runs = []
        try:
            for size in (sizes if unknown else sizes[:1]):
                values = [Tensor(np.ones([size if s is None else s for s in shape],
                                         dtype=t.dtype)) for shape, t in zip(base, op.inputs)]
                runs.append(_leaves(op.compute(values)))
            return runs
        except Exception as exc:  # noqa: BLE001 (any failure: try other sizes, report the first)
            first_error = first_error or exc
    raise ValueError(f"{op.label} on Keras tensors of shapes {shapes}: {first_error}") \
        from first_error


def _quiet(fn):
    """Run the dummy computation without warnings, graph or a change of numpy's RNG."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from ..autodiff import no_grad
        state = np.random.get_state()
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"), no_grad():
                warnings.simplefilter("ignore")
                return fn(*args, **kwargs)
        finally:
            np.random.set_state(state)
    return wrapper


@_quiet
def _infer(op: DeferredOp) -> tuple:
    """``(shapes, dtypes, structure)`` of the op's outputs from dummy runs."""
    runs = _dummy_runs(op)
    structure = runs[0][1]
    first = [_as_tensor(v, op.label) for v in runs[0][0]]
    others = [[_as_tensor(v, op.label) for v in run[0]] for run in runs[1:]]
    shapes = []
    for i, value in enumerate(first):
        shape = list(value.shape)
        for other in others:
            if len(other[i].shape) != len(shape):
                raise ValueError(f"{op.label}: the number of dimensions of its result depends "
                                 f"on unknown input sizes; give the inputs full shapes")
            shape = [a if a == b else None for a, b in zip(shape, other[i].shape)]
        shapes.append(tuple(shape))
    return shapes, [v.dtype for v in first], structure


def defer(fn, label: str, args: tuple, kwargs: dict | None = None):
    """Record ``fn(*args, **kwargs)`` (some arguments Keras tensors): its output Keras
    tensor(s), with the shapes and dtypes found by :func:`_infer`."""
    op = DeferredOp(fn, label, tuple(args), dict(kwargs or {}))
    shapes, dtypes, structure = _infer(op)
    return op.record(shapes, dtypes, structure)


def deferring(fn, label: str | None = None):
    """``fn`` that, given a Keras tensor outside a model's scoring, records itself."""
    label = label or f"K.{fn.__name__}"

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not scoring() and (has_keras_tensor(args)
                              or (kwargs and has_keras_tensor(list(kwargs.values())))):
            return defer(fn, label, args, kwargs)
        return fn(*args, **kwargs)
    wrapper.__wrapped_backend__ = fn
    return wrapper


def install(namespace: dict, names) -> None:
    """Replace each function ``namespace[name]`` by its :func:`deferring` wrapper."""
    for name in names:
        fn = namespace[name]
        if callable(fn) and not hasattr(fn, "__wrapped_backend__"):
            namespace[name] = deferring(fn)


# ---- gradients of a recorded loss -------------------------------------------------------
def gradient_values(loss, variables: list, create_graph: bool) -> list:
    """``d sum(loss) / d v`` for Tensors; zeros for a variable the loss does not reach."""
    from ..autodiff import Tensor, grad
    live = [v for v in variables if v.requires_grad]
    found = {}
    if loss.requires_grad and live:
        grads = grad(loss, live, grad_outputs=np.ones_like(loss.data), create_graph=create_graph,
                     retain_graph=True, allow_unused=True)
        found = {id(v): g for v, g in zip(live, grads) if g is not None}
    return [found.get(id(v), Tensor(np.zeros_like(v.data))) for v in variables]


def deferred_gradients(loss: KerasTensor, variables: list) -> list:
    """One recorded op giving ``d sum(loss) / d v`` for each variable (a Keras tensor, or a
    Tensor such as a ``K.variable`` or a weight), shaped like the variable.

    The gradient is taken with ``create_graph`` only when a later gradient op
    differentiates through it (marked here, when that op is recorded)."""
    from .symbolic import toposort_nodes
    op = DeferredOp(None, "K.gradients", (loss, list(variables)), {})

    def fn(loss_value, values):
        return gradient_values(loss_value, list(values), op.create_graph or scoring())
    op.fn = fn
    for node in toposort_nodes([loss], follow_sources=True):
        if getattr(node.outbound_layer, "is_gradient_op", False):
            node.outbound_layer.create_graph = True
    op.is_gradient_op = True
    shapes = [tuple(v.shape) for v in variables]
    dtypes = [v.dtype for v in variables]
    return op.record(shapes, dtypes, (list, [None] * len(variables)))


# ---- which backend functions record themselves -------------------------------------------
_MORE = ("cast", "zeros_like", "ones_like", "print_tensor", "stop_gradient", "switch", "map_fn",
         "foldl", "foldr", "rnn", "to_dense")


def deferred_names() -> list:
    """Names of the backend functions that record a call on Keras tensors: every math
    function (conv, ctc, math_ops, nn, shape_ops) and a few more; not the ones about
    variables, shapes, values or graphs (``K.shape`` and ``K.gradients`` handle Keras
    tensors themselves)."""
    from . import conv, ctc, math_ops, nn, shape_ops
    return [n for m in (conv, ctc, math_ops, nn, shape_ops) for n in m.__all__] + list(_MORE)
