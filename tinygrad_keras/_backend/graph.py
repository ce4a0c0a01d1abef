"""Backend functions about graphs and training: placeholders, ``function``, ``gradients``,
``switch``, the recurrent loop ``rnn`` and in-place variable updates.

``placeholder`` returns a KerasTensor (an ``Input``), and ``function(inputs,
outputs)`` replays the layer calls and backend operations recorded between such
KerasTensors on the arrays it is given (``deferred.py``: ``K.sum(layer.output)``
and ``K.gradients`` of such a sum are recorded, not computed).  The learning
phase may be one of the inputs (``K.function([model.input, K.learning_phase()],
[layer.output])``); its value is used as the phase during the call.
"""
from __future__ import annotations

import contextlib

import numpy as np

from .. import backend as K
from ..autodiff import Tensor, enable_grad, is_grad_enabled, no_grad
from ..autodiff import functional as F
from .symbolic import GraphNeeded, make_input, replay_all, toposort_nodes

__all__ = ["Function", "deferred_updates", "foldl", "foldr", "function", "gradients", "map_fn",
           "moving_average_update", "placeholder", "rnn", "stop_gradient", "switch", "update",
           "update_add", "update_sub"]


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):
    """A symbolic input of full ``shape`` (batch axis included).

    Once the engine is loaded (any layer or model import) this is an ``Input`` Keras
    tensor; before that, a bare symbolic input that the engine wraps in an
    ``InputLayer`` when a layer or model first uses it.
    """
    if shape is None:
        if ndim is None:
            raise ValueError("placeholder needs a `shape` or an `ndim`")
        shape = (None,) * ndim
    return make_input(tuple(shape), dtype=dtype, name=name, sparse=sparse)


# ---- K.function ---------------------------------------------------------------------
class Function:
    """``f(values) -> [arrays]``: the ``outputs`` KerasTensors computed from ``inputs``.

    Runs the recorded layer calls and backend operations between them, then applies
    ``updates`` (pairs ``(variable, new_value)``).  No backward graph is built unless
    an output needs one (a recorded ``K.gradients``): then the fed values are fresh
    leaves that require grad and the graph is recorded for the duration of the call.
    """

    def __init__(self, inputs, outputs, updates=()):
        for what, value in (("inputs", inputs), ("outputs", outputs), ("updates", updates)):
            if not isinstance(value, (list, tuple)):
                raise TypeError(f"K.function: `{what}` should be a list or tuple, got "
                                f"{type(value).__name__}")
        self.inputs, self.outputs, self.updates = list(inputs), list(outputs), list(updates)
        for out in self.outputs:
            if not K.is_keras_tensor(out):
                raise TypeError(f"K.function: outputs must be KerasTensors (layer outputs such as "
                                f"model.layers[i].output); got {type(out).__name__}. An eager "
                                f"Tensor is already a value and cannot be recomputed.")
        targets = self._targets()
        grad_ops = [node.outbound_layer for node in toposort_nodes(targets, follow_sources=True)
                    if getattr(node.outbound_layer, "is_gradient_op", False)]
        self._needs_grad = bool(grad_ops)
        self._wanted_grads = {id(t) for op in grad_ops for t in op.inputs[1:]}

    def _targets(self) -> list:
        """The tensors to replay: outputs (a mask output: the tensor it belongs to) and
        Keras-tensor update values."""
        targets = [getattr(out, "_mask_of", None) or out for out in self.outputs]
        return targets + [new for _, new in self.updates if K.is_keras_tensor(new)]

    def __call__(self, values):
        if not isinstance(values, (list, tuple)):
            raise TypeError("K.function: call it with a list of input values")
        if len(values) != len(self.inputs):
            raise ValueError(f"K.function expects {len(self.inputs)} input value(s), "
                             f"got {len(values)}")
        feeds, phase = {}, K.learning_phase()
        for inp, value in zip(self.inputs, values):
            if K.is_keras_tensor(inp):
                array = np.asarray(value, dtype=inp.dtype)
                leaf = self._needs_grad and array.dtype.kind == "f"
                feeds[id(inp)] = (Tensor(array, requires_grad=leaf), None)
            else:                       # the learning-phase slot (a plain 0/1)
                phase = int(np.asarray(value))
        previous = K.learning_phase()
        K.set_learning_phase(phase)
        try:
            try:
                with (enable_grad() if self._needs_grad else no_grad()):
                    computed = replay_all(feeds, self._targets(), self._wanted_grads)
            except GraphNeeded:
                if self._needs_grad:
                    raise
                # a layer takes K.gradients while it runs: from now on, replay recording
                # the graph, from inputs that require grad (as a recorded K.gradients does)
                self._needs_grad = True
                return self(values)
            results = [_data(self._value(computed, out)) for out in self.outputs]
            for variable, new_value in self.updates:
                new = computed[id(new_value)][0] if K.is_keras_tensor(new_value) else new_value
                update(variable, new)
        finally:
            K.set_learning_phase(previous)
        return results

    @staticmethod
    def _value(computed: dict, target):
        """The value of ``target``; a mask KerasTensor (``layer.output_mask``) gives the
        mask of the tensor it belongs to (None where no mask reached it)."""
        masked = getattr(target, "_mask_of", None)
        if masked is not None:
            return computed[id(masked)][1]
        return computed[id(target)][0]


def _data(value):
    return None if value is None else value.data


def function(inputs, outputs, updates=(), **kwargs) -> Function:
    """A callable computing ``outputs`` from ``inputs`` (lists of KerasTensors)."""
    return Function(inputs, outputs, updates)


# ---- gradients -------------------------------------------------------------------------
def gradients(loss, variables) -> list:
    """``d sum(loss) / d v`` for each ``v`` in ``variables`` (a list, or one variable).

    As in Keras 1.2.2, the gradients are part of the graph: a loss may use them
    (a gradient penalty, ``K.gradients(K.sum(y_pred), [model_input])``) and training
    differentiates through them.  No ``.grad`` is changed.  A variable the loss
    does not depend on gets zeros.  ``loss`` and ``variables`` may be Keras tensors
    inside a loss function (the model's values for the batch being scored).  A
    ``loss`` computed from Keras tensors outside a model gives recorded gradients
    (Keras tensors shaped like the variables) that ``K.function`` computes.  Outside
    a model, an eager input must be created with ``requires_grad=True`` before
    computing the loss.  A layer that takes ``K.gradients`` while it runs (a ``Lambda``)
    makes ``predict``, ``evaluate`` and ``K.function`` record the graph from then on
    (the first batch finds out); with recording off and no graph, it is an error
    (``GraphNeeded``), never zeros.
    """
    from .deferred import deferred_gradients, gradient_values
    from .symbolic import GraphNeeded, KerasTensor, resolve, scoring

    variables = list(variables) if isinstance(variables, (list, tuple)) else [variables]
    if isinstance(loss, KerasTensor) and not scoring():
        return deferred_gradients(loss, variables)
    loss = resolve(loss)
    variables = [resolve(v) for v in variables]
    connected = loss.requires_grad and all(v.requires_grad for v in variables)
    if scoring() and not connected:
        raise GraphNeeded("K.gradients inside a loss or metric: the loss has no recorded "
                          "graph leading to every variable (are they all used to compute it?)")
    if not is_grad_enabled() and not connected:
        # computed without recording (a layer's call inside predict or K.function, or a
        # no_grad block): zeros would be wrong.  predict and K.function catch this and
        # run the batch again recording the graph from inputs that require grad.
        raise GraphNeeded("K.gradients: the loss was computed with no graph recorded "
                          "(inside predict, evaluate, K.function or a no_grad block), so "
                          "its gradient cannot be taken; compute it with recording on")
    return gradient_values(loss, variables, create_graph=True)


def stop_gradient(variables):
    """The same values, with no gradient flowing back through them.

    ``variables`` is a Tensor (or array), or a list of them (Keras 1.2.2's name; a list
    gives a list).
    """
    if isinstance(variables, (list, tuple)):
        return [stop_gradient(v) for v in variables]
    return variables.detach() if isinstance(variables, Tensor) else Tensor(variables)


def switch(condition, then_expression, else_expression):
    """``then`` if the scalar ``condition`` is true, else ``else`` (callables are called);
    a non-scalar condition selects elementwise."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.size == 1:
        chosen = then_expression if bool(cond) else else_expression
        return chosen() if callable(chosen) else chosen
    then_value = then_expression() if callable(then_expression) else then_expression
    else_value = else_expression() if callable(else_expression) else else_expression
    return F.where(cond.astype(bool), then_value, else_value)


# ---- in-place updates ---------------------------------------------------------------------
_DEFERRED: list = []  # while a Keras 1 get_updates runs: lists of (variable, new value)


@contextlib.contextmanager
def deferred_updates():
    """Collect ``K.update*`` assignments in the block; make them all at its end.

    Keras 1.2.2 optimizers build every update from the *old* values (a graph runs
    them together): ``K.update_add(self.iterations, 1)`` followed by
    ``t = self.iterations + 1`` must still read the old count.  Inside this block
    reads see the old values, as there.
    """
    _DEFERRED.append([])
    try:
        yield
        pending = _DEFERRED[-1]
    finally:
        _DEFERRED.pop()
    for x, value in pending:
        x.data = value


def update(x: Tensor, new_x) -> Tensor:
    """Overwrite the variable ``x`` with ``new_x`` (no graph is recorded)."""
    value = new_x.data if isinstance(new_x, Tensor) else new_x
    value = np.array(np.broadcast_to(value, x.shape), dtype=x.dtype)
    if _DEFERRED:
        _DEFERRED[-1].append((x, value))
    else:
        x.data = value
    return x


def update_add(x: Tensor, increment) -> Tensor:
    inc = increment.data if isinstance(increment, Tensor) else increment
    return update(x, x.data + inc)


def update_sub(x: Tensor, decrement) -> Tensor:
    dec = decrement.data if isinstance(decrement, Tensor) else decrement
    return update(x, x.data - dec)


def moving_average_update(variable: Tensor, value, momentum: float) -> Tensor:
    """``variable <- momentum * variable + (1 - momentum) * value`` in place."""
    v = value.data if isinstance(value, Tensor) else np.asarray(value)
    return update(variable, variable.data * momentum + v * (1.0 - momentum))


# ---- loops over the first axis ------------------------------------------------------
def map_fn(fn, elems, name=None) -> Tensor:
    """``stack([fn(e) for e in elems])`` over the first axis of ``elems``."""
    elems = elems if isinstance(elems, Tensor) else Tensor(elems)
    return F.stack([fn(elems[i]) for i in range(elems.shape[0])], axis=0)


def foldl(fn, elems, initializer=None, name=None):
    """``fn(...fn(fn(init, e0), e1)..., en)``; without ``initializer`` it starts from e0."""
    elems = elems if isinstance(elems, Tensor) else Tensor(elems)
    items = [elems[i] for i in range(elems.shape[0])]
    acc = items.pop(0) if initializer is None else initializer
    for item in items:
        acc = fn(acc, item)
    return acc


def foldr(fn, elems, initializer=None, name=None):
    """As :func:`foldl`, from the last element to the first."""
    elems = elems if isinstance(elems, Tensor) else Tensor(elems)
    return foldl(fn, F.flip(elems, 0), initializer)


# ---- the recurrent loop ------------------------------------------------------------------
def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None):
    """Run ``step_function(x_t, states + constants) -> (output_t, new_states)`` over time.

    ``inputs`` is ``(B, T, ...)``.  Returns ``(last_output, outputs, new_states)``
    with ``outputs`` of shape ``(B, T, ...)`` (in processing order: reversed
    when ``go_backwards``).  Where ``mask`` ``(B, T)`` (or ``(B, T, 1)``) is 0,
    the step keeps the previous states and outputs ``states[0]``, the previous
    output (Keras 1.2.2 on TensorFlow).  ``unroll``/``input_length`` are accepted
    for compatibility: the loop is always a Python loop.
    """
    inputs = inputs if isinstance(inputs, Tensor) else Tensor(inputs)
    if inputs.ndim < 3:
        raise ValueError(f"rnn: inputs should be at least 3D (batch, time, ...), got shape "
                         f"{inputs.shape}")
    states, constants = list(initial_states), list(constants or [])
    steps = range(inputs.shape[1] - 1, -1, -1) if go_backwards else range(inputs.shape[1])
    keep = _step_masks(mask, inputs.shape[:2], states)
    outputs = []
    for t in steps:
        output, new_states = step_function(inputs[:, t], states + constants)
        new_states = list(new_states)
        if keep is not None:
            m = keep[:, t]
            output = F.where(m.reshape(m.shape + (1,) * (output.ndim - 1)), output, states[0])
            new_states = [F.where(m.reshape(m.shape + (1,) * (new.ndim - 1)), new, old)
                          for new, old in zip(new_states, states)]
        outputs.append(output)
        states = new_states
    return outputs[-1], F.stack(outputs, axis=1), states


def _step_masks(mask, batch_time: tuple, states: list):
    """The mask as a boolean ``(B, T)`` array, or None."""
    if mask is None:
        return None
    if not states:
        raise ValueError("rnn: masking needs initial states (the step function must return "
                         "the previous output as its first state)")
    m = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
    return m.reshape(batch_time).astype(bool)
