"""Looking inside a model: which layer made which Tensor, and one training step traced.

Both tools rest on :class:`LayerRecorder`, an opt-in context manager.  While it
is active, every layer of the model gets an instance attribute ``run`` that
calls the class's ``run`` and notes ``(layer, inputs, outputs)``; recurrent
layers also get a noting ``step``.  On exit the attributes are removed, so
normal training never pays for the bookkeeping (no flag is checked anywhere).

* :func:`tensor_groups` turns those notes into ``{id(tensor): layer name}``,
  the ``groups`` map of :func:`tinygrad_keras.autodiff.viz.to_dot`, so a model's
  loss graph is drawn with one box per layer (:func:`model_graph_dot`,
  :func:`draw_model_graph`).
* :func:`explain_step` runs forward and backward of one batch without updating
  anything and reports, per layer, output statistics and gradient norms
  (:class:`StepTrace`): the tool for spotting vanishing or exploding gradients.

>>> import numpy as np
>>> from tinygrad_keras.models import Sequential
>>> from tinygrad_keras.layers import Dense
>>> model = Sequential([Dense(3, input_dim=2, activation='relu'), Dense(1)])
>>> model.compile('sgd', 'mse')
>>> trace = explain_step(model, np.ones((4, 2)), np.zeros((4, 1)))
>>> [(row.class_name, row.output_shape) for row in trace.layers]
[('Dense', (4, 3)), ('Dense', (4, 1))]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # typing.Self is Python 3.11+; the package supports 3.10
    from typing import Self

import numpy as np

from .. import backend as K
from ..autodiff import Tensor, enable_grad
from ..autodiff.viz import render_dot, to_dot
from .topology import _as_list


@dataclass
class LayerCall:
    """One call of a layer during a recorded pass (``step`` set for one RNN time step)."""
    layer: object
    inputs: list
    outputs: list
    step: int | None = None


def _leaf_layers(model) -> list:
    """Every layer below ``model`` that is not itself a graph of layers, each once."""
    from .container import Container
    found, seen, todo = [], set(), list(getattr(model, "layers", []))
    while todo:
        layer = todo.pop(0)
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        inner = getattr(layer, "layers", None)
        if isinstance(layer, Container) or inner:
            todo = list(inner or []) + todo
            if not isinstance(layer, Container):
                found.append(layer)  # e.g. a Merge of models: record the merge itself too
            continue
        found.append(layer)
    return found


class LayerRecorder:
    """Context manager noting every layer call of ``model`` in ``self.calls``.

    ``retain_grads=True`` also asks each layer output to keep its ``.grad``
    during the next backward pass (``Tensor.retain_grad``).
    """

    def __init__(self, model, retain_grads: bool = False):
        self.model = model
        self.retain_grads = retain_grads
        self.calls: list = []
        self._patched: list = []
        self._step_count: dict = {}

    def __enter__(self) -> Self:
        if hasattr(self.model, "_ensure_graph"):
            self.model._ensure_graph()
        for layer in _leaf_layers(self.model):
            self._patch(layer, "run", self._noting_run(layer, layer.run))
            if callable(getattr(layer, "step", None)):
                self._patch(layer, "step", self._noting_step(layer, layer.step))
        return self

    def __exit__(self, *exc) -> None:
        for layer, attr in self._patched:
            layer.__dict__.pop(attr, None)
        self._patched = []

    def _patch(self, layer, attr: str, wrapper) -> None:
        if attr in layer.__dict__:  # already recorded by an outer recorder: leave it
            return
        layer.__dict__[attr] = wrapper
        self._patched.append((layer, attr))

    def _noting_run(self, layer, run):
        def run_and_note(x, mask=None):
            self._step_count[id(layer)] = 0  # time steps count from 0 in every call
            out, out_mask = run(x, mask)
            outputs = [t for t in _as_list(out) if isinstance(t, Tensor)]
            if self.retain_grads:
                for t in outputs:
                    if t.requires_grad:
                        t.retain_grad()
            self.calls.append(LayerCall(layer, _tensors(x), outputs))
            return out, out_mask
        return run_and_note

    def _noting_step(self, layer, step):
        def step_and_note(x_t, states):
            out, new_states = step(x_t, states)
            t = self._step_count.get(id(layer), 0)
            self.calls.append(LayerCall(layer, _tensors([x_t] + list(states)),
                                        _tensors([out] + list(new_states)), t))
            self._step_count[id(layer)] = t + 1
            return out, new_states
        return step_and_note


def _tensors(x) -> list:
    return [t for t in _as_list(x) if isinstance(t, Tensor)]


def _claim(roots: list, stop: set, label: str, groups: dict) -> None:
    """Label every unlabelled Tensor reachable from ``roots`` without crossing ``stop``.

    The walk goes on through Tensors labelled before (an RNN's steps inside its
    layer) so that what lies beneath them is reached too.
    """
    stack, seen = list(roots), set(stop)
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        groups.setdefault(id(t), label)
        stack.extend(t.parents)


def tensor_groups(calls: list, extra_stop=()) -> dict:
    """``{id(tensor): label}`` from recorded calls: each layer claims what it computed.

    Calls are processed in the order they finished, so an RNN's time steps
    (labelled ``'lstm_1 t=0'``, ...) claim their ops before the layer claims the
    rest; a step never claims the layer's weights, which stay in the layer's box.
    """
    groups: dict = {}
    stop_always = {id(t) for t in extra_stop}
    for call in calls:
        stop = stop_always | {id(t) for t in call.inputs}
        label = call.layer.name
        if call.step is not None:
            label = f"{call.layer.name} t={call.step}"
            stop |= {id(w) for w in call.layer.weights}
        _claim(call.outputs, stop, label, groups)
    return groups


def _forward(model, x, y=None, sample_weight=None, retain_grads=False) -> tuple:
    """Run ``model`` on one batch while recording: ``(root, recorder, values)``.

    ``root`` is the total loss when ``y`` is given (the model must be compiled),
    else the model's output (plus the sums of any further outputs).
    """
    with LayerRecorder(model, retain_grads) as recorder, enable_grad():
        if y is None:
            xs = model._standardize_x(x, check_batch_dim=False)
            outputs, _ = model.run_graph(model._to_tensors(xs))
            root = outputs[0]
            for out in outputs[1:]:
                root = root + out.sum()
            return root, recorder, []
        xs, ys, ws = model._standardize_user_data(x, y, sample_weight, None, True)
        root, values = model._loss_and_metrics(xs, ys, ws, training=True)
        return root, recorder, values


def model_graph_dot(model, x, y=None, show_values: bool = False, show_grads: bool = False,
                    max_nodes: int = 2000, training: bool = False) -> str:
    """DOT text of the Tensor graph of ``model`` on the batch ``x`` (its loss if ``y``).

    Each layer's ops sit in a box named after the layer; an RNN's time steps
    get one box each; the loss and metrics ops are in the box ``'loss'``.
    ``training=True`` runs in learning phase 1 (dropout active).  Weights,
    their ``.grad`` and batch-norm statistics are left as they were.
    """
    grads, values_before = [(w, w.grad) for w in model.weights], _snapshot(model)
    phase = K.learning_phase()
    K.set_learning_phase(1 if training else 0)
    try:
        for w, _ in grads:
            w.grad = None
        root, recorder, _ = _forward(model, x, y)
        groups = tensor_groups(recorder.calls)
        # what no layer claimed, below the root and above the layers' inputs, is the loss
        layer_inputs = {id(t) for call in recorder.calls for t in call.inputs}
        _claim([root], layer_inputs, "loss" if y is not None else "outputs", groups)
        if show_grads and root.requires_grad:
            root.backward(retain_graph=True)
        return to_dot(root, show_values=show_values, show_grads=show_grads, groups=groups,
                      max_nodes=max_nodes)
    finally:
        for w, grad in grads:
            w.grad = grad
        _restore(values_before)
        K.set_learning_phase(phase)


def draw_model_graph(model, x, y=None, path: str = "model_graph.svg", **options) -> str:
    """Render :func:`model_graph_dot` to ``path`` (``.dot`` needs no Graphviz)."""
    return render_dot(model_graph_dot(model, x, y, **options), path)


# ---- the step trace ------------------------------------------------------------------
@dataclass
class WeightTrace:
    """A weight's name, shape, norm and gradient norm (None: the loss does not reach it)."""
    name: str
    shape: tuple
    norm: float
    grad_norm: float | None


@dataclass
class LayerTrace:
    """What one layer call did in the traced step (statistics of its first output)."""
    name: str
    class_name: str
    output_shape: tuple
    mean: float
    std: float
    min: float
    max: float
    zero_fraction: float
    output_grad_norm: float | None
    weights: list = field(default_factory=list)


def _norm(a) -> float | None:
    return None if a is None else float(np.sqrt(np.sum(np.square(a, dtype=np.float64))))


def _layer_trace(call: LayerCall) -> LayerTrace:
    out = call.outputs[0]
    data = np.asarray(out.data, dtype=np.float64)
    weights = [WeightTrace(w.name, tuple(w.shape), _norm(w.data), _norm(w.grad))
               for w in call.layer.trainable_weights]
    return LayerTrace(call.layer.name, type(call.layer).__name__, tuple(out.shape),
                      float(data.mean()), float(data.std()), float(data.min()),
                      float(data.max()), float(np.mean(data == 0)), _norm(out.grad), weights)


class StepTrace:
    """The trace of one training step: ``loss``, ``values`` (as ``metrics_names``),
    ``layers`` (a :class:`LayerTrace` per layer call, forward order).

    ``str(trace)`` is a table; :meth:`weight_grad_norms` and :meth:`to_dict` give data.
    """

    def __init__(self, loss: float, values: list, metrics_names: list, layers: list):
        self.loss, self.values, self.metrics_names, self.layers = loss, values, metrics_names, \
            layers

    def weight_grad_norms(self) -> dict:
        """``{weight name: gradient norm}`` over every traced layer."""
        return {w.name: w.grad_norm for row in self.layers for w in row.weights}

    def output_grad_norms(self) -> dict:
        return {row.name: row.output_grad_norm for row in self.layers}

    def to_dict(self) -> dict:
        from dataclasses import asdict
        return {"loss": self.loss, "values": dict(zip(self.metrics_names, self.values)),
                "layers": [asdict(row) for row in self.layers]}

    def __str__(self) -> str:
        return trace_table(self)

    __repr__ = __str__


def _snapshot(model) -> list:
    """Copies of every weight (batch-norm running statistics change in a training-phase
    forward) and of the states of stateful recurrent layers."""
    tensors = list(model.weights)
    for layer in _leaf_layers(model):
        if getattr(layer, "stateful", False):
            tensors += [s for s in getattr(layer, "states", []) if isinstance(s, Tensor)]
    return [(t, t.data.copy()) for t in tensors]


def _restore(snapshot: list) -> None:
    for t, value in snapshot:
        if t.data.shape != value.shape or not np.array_equal(t.data, value):
            t.data = value


def explain_step(model, x, y, sample_weight=None, training: bool = True) -> StepTrace:
    """Forward and backward of one batch, reported per layer; nothing is updated.

    ``x``, ``y``: a batch as for ``train_on_batch`` (the model must be compiled).
    ``training``: learning phase 1 as in a real step (dropout active), else 0.
    The weights (batch-norm statistics and stateful RNN states included) are not
    changed, and every weight's ``.grad`` is as it was before.
    """
    model._check_compiled()
    saved = [(w, w.grad) for w in model.weights]
    values_before = _snapshot(model)
    phase = K.learning_phase()
    K.set_learning_phase(1 if training else 0)
    try:
        for w, _ in saved:
            w.grad = None
        total, recorder, values = _forward(model, x, y, sample_weight, retain_grads=True)
        if total.requires_grad:
            total.backward()
        rows = [_layer_trace(call) for call in recorder.calls
                if call.step is None and call.outputs]
    finally:
        for w, grad in saved:
            w.grad = grad
        _restore(values_before)
        K.set_learning_phase(phase)
    return StepTrace(float(total.data), values, list(model.metrics_names), rows)


def _fmt(v) -> str:
    return "-" if v is None else f"{v:.3g}"


def trace_table(trace: StepTrace) -> str:
    """The trace as text: a row per layer call, an indented row per weight."""
    titles = [f"{row.name} ({row.class_name})" for row in trace.layers]
    names = [w.name for row in trace.layers for w in row.weights]
    a = max([24] + [len(t) + 2 for t in titles] + [len(n) + 6 for n in names])
    b = max([18] + [len(str(row.output_shape)) + 2 for row in trace.layers])
    head = (f"{'layer':<{a}}{'output shape':<{b}}{'mean':>10}{'std':>10}{'min':>10}"
            f"{'max':>10}{'zeros':>8}{'|grad out|':>12}")
    lines = [f"loss {trace.loss:.6g}", head, "-" * len(head)]
    for title, row in zip(titles, trace.layers):
        lines.append(f"{title:<{a}}{row.output_shape!s:<{b}}"
                     f"{_fmt(row.mean):>10}{_fmt(row.std):>10}{_fmt(row.min):>10}"
                     f"{_fmt(row.max):>10}{row.zero_fraction:>8.0%}"
                     f"{_fmt(row.output_grad_norm):>12}")
        for w in row.weights:
            lines.append(f"    {w.name:<{a - 4}}{w.shape!s:<{b}}|w| {_fmt(w.norm):<10}"
                         f"|grad w| {_fmt(w.grad_norm)}")
    return "\n".join(lines)
