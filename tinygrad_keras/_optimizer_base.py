"""The optimizer base class: gradient clipping, lazy state ("slots"), time decay,
constraints, and the optimizer's weights and config.  The update rules live in
``optimizers.py``; this file is split off only to keep both short.
"""
from __future__ import annotations

from operator import attrgetter

import numpy as np

from . import backend as K
from .autodiff import Tensor, no_grad
from .autodiff.row_grad import row_grads_of

# each parameter's shape without a Python call per parameter (the update runs every step)
_SHAPE = attrgetter("data.shape")


def clip_norm(g: np.ndarray, c: float, n: float) -> np.ndarray:
    """``g * c / n`` when the global norm ``n`` reaches the threshold ``c`` (> 0)."""
    return g * (c / n) if c > 0 and n >= c else g


def _value(v) -> float:
    return float(v.data) if isinstance(v, Tensor) else float(v)


def _sqrt_plus(a: np.ndarray, eps: float, out: np.ndarray) -> np.ndarray:
    """``sqrt(a) + eps`` written into ``out``."""
    np.sqrt(a, out=out)
    out += eps
    return out


def _descend(p: np.ndarray, rate: float, num: np.ndarray, denom: np.ndarray, out=None) -> None:
    """``p -= rate * num / denom`` in place (``denom`` is overwritten unless ``out`` is given)."""
    out = denom if out is None else out
    np.divide(num, denom, out=out)
    out *= rate
    p -= out


class Optimizer:
    """Base class: gradient clipping, lazy slots, decay, constraints, weights I/O.

    Subclasses define ``_slot_names`` (one zero array per parameter for each),
    ``_apply(p, g, slots, lr)`` (update ``p`` and the slots in place) and
    ``_weight_order()`` (the slot Tensors in Keras 1.2.2 ``weights`` order).

    ``_apply`` works in place with numpy ``out=`` arguments and per-parameter
    scratch buffers (``slots['tmp']``, ``slots['tmp2']``): for an MLP the
    weights are megabytes, and fresh temporaries per operation would cost more
    than the arithmetic.
    """

    _slot_names: tuple = ()
    _scratch_names: tuple = ("tmp",)
    counts_always = False   # Adam-style optimizers count iterations even without decay

    def __init__(self, **kwargs):
        for key in kwargs:
            if key not in ("clipnorm", "clipvalue"):
                raise TypeError(f"Unexpected keyword argument passed to optimizer "
                                f"{type(self).__name__}: {key!r} (accepted: the optimizer's own "
                                f"arguments, clipnorm, clipvalue)")
        self.__dict__.update(kwargs)
        self.iterations = K.variable(0.0, name="iterations")
        self.initial_decay = 0.0
        self.slots: dict = {}           # slot name -> list of Tensors, one per param
        self._scratch: dict = {}        # scratch name -> list of arrays (not state)
        self._shapes = None
        self.updates: list = []
        self._pending_weights = None

    # ---- the step ------------------------------------------------------------------
    def update(self, params, constraints=None, loss=None) -> None:
        """One update of every parameter in ``params`` from its ``.grad`` (numpy).

        An optimizer written for Keras 1.2.2 (one that overrides ``get_updates``) gets
        ``get_updates(params, constraints, loss)`` called instead; see ``keras1_step``.
        """
        params = list(params)
        if type(self).get_updates is not Optimizer.get_updates:
            self.keras1_step(params, constraints or {}, loss)
            return
        if list(map(_SHAPE, params)) != self._shapes:
            self.build(params)      # first update, or a model recompiled with other weights
        rows = self._row_gradients(params)
        grads = self._clipped_gradients(params, rows)
        lr = self._learning_rate()
        slots = list(self.slots.items())
        with no_grad():
            for i, (p, g, r, state) in enumerate(zip(params, grads, rows, self._states())):
                if r is not None:  # the slot Tensors: a row rule may not need their arrays
                    self._apply_rows(p.data, r, {name: s[i] for name, s in slots}, lr)
                    continue
                for name, s in slots:  # read each step: set_weights / K.set_value replace .data
                    state[name] = s[i].data
                self._apply(p.data, g, state, lr)
            if constraints:  # a constraint sees its parameter's updated value only
                for p in params:
                    constraint = constraints.get(p)
                    if constraint is not None:
                        p.data = np.asarray(constraint(Tensor(p.data)).data, dtype=p.dtype)
        if self.counts_always or self.initial_decay > 0:
            self.iterations.data = np.asarray(self.iterations.data + 1, self.iterations.dtype)

    def _clipped_gradients(self, params, rows=None) -> list:
        """The parameters' ``.grad`` arrays (zeros where missing), clipped as configured;
        None for those updated from their rows (``rows[i]`` not None)."""
        rows = rows or [None] * len(params)
        return self._clip([None if r is not None else
                           p.grad if p.grad is not None else np.zeros_like(p.data)
                           for p, r in zip(params, rows)])

    def _states(self) -> list:
        """One dict per parameter handed to ``_apply``: its scratch arrays, kept from step to
        step (``build`` makes them again), and its slots' arrays, filled in by ``update``."""
        states = self.__dict__.get("_param_states")
        if states is None:
            states = self._param_states = [
                {name: arrays[i] for name, arrays in self._scratch.items()}
                for i in range(len(self._shapes or ()))]
        return states

    # ---- sparse rows (an Embedding's gradient) ------------------------------------------
    def rows_update_exact(self) -> bool:
        """Whether updating only the rows a gradient has (``_apply_rows``) gives exactly
        what the dense rule gives.  True only for a rule that leaves a zero-gradient
        entry exactly as it was, including its state; the base class says no."""
        return False

    def _row_gradients(self, params) -> list:
        """For each parameter, its gradient as a ``RowGrad`` when the engine left it as
        rows and this rule may use them (``rows_update_exact``), else None."""
        rows = row_grads_of(params)
        if rows is None:  # no gradient kept as rows (no Embedding): nothing to decide
            return [None] * len(params)
        clipping = (getattr(self, "clipnorm", 0) or 0) > 0 or (getattr(self, "clipvalue", 0) or 0) > 0
        if clipping or not self.rows_update_exact():  # clipnorm's norm: summed otherwise
            return [None] * len(params)
        return rows

    def _apply_rows(self, p, rows, slots, lr):  # pragma: no cover - only when rows_update_exact
        """Update ``p`` from a ``RowGrad`` ``rows``; ``slots``: name -> the slot's Tensor."""
        raise TypeError(f"{type(self).__name__} has no row update")

    def _clip(self, grads: list) -> list:
        clipnorm = getattr(self, "clipnorm", 0) or 0
        if clipnorm > 0:
            norm = float(np.sqrt(sum(float(np.sum(np.square(g))) for g in grads)))
            grads = [clip_norm(g, clipnorm, norm) for g in grads]
        clipvalue = getattr(self, "clipvalue", 0) or 0
        if clipvalue > 0:
            grads = [np.clip(g, -clipvalue, clipvalue) for g in grads]
        return grads

    # ---- the Keras 1.2.2 interface: get_updates / get_gradients ---------------------------
    def get_updates(self, params, constraints, loss) -> list:
        """Keras 1.2.2's hook: a subclass returns the updates of one training step.

        Write it as in Keras 1.2.2 (``grads = self.get_gradients(loss, params)``, then
        ``K.update(p, new_p)`` / ``K.update_add(...)`` for each variable).  The built-in
        optimizers update in place instead (``update``); calling this on one of them is an
        error.
        """
        raise TypeError(f"{type(self).__name__} updates its parameters with .update(params, "
                        f"constraints); get_updates(params, constraints, loss) is the hook for "
                        f"Keras 1 style subclasses to override")

    def get_gradients(self, loss, params) -> list:
        """``d loss / d p`` for each of ``params`` as Tensors, clipped as configured.

        During a training step the gradients of that step's loss are already computed and
        are reused; any other ``loss`` is differentiated with ``K.gradients``.
        """
        params = list(params)
        if loss is not None and loss is getattr(self, "_step_loss", None):
            return [Tensor(g) for g in self._clipped_gradients(params)]
        grads = [g.data for g in K.gradients(loss, params)]
        return [Tensor(g) for g in self._clip(grads)]

    def keras1_step(self, params: list, constraints: dict, loss) -> None:
        """Run a Keras 1 style ``get_updates`` once, its updates made all together.

        ``K.update`` calls are collected and applied at the end (reads inside see the old
        values, as in 1.2.2's graph); pairs ``(variable, new_value)`` in the returned
        list (Theano style) are applied too.
        """
        self._step_loss = loss
        try:
            with K.deferred_updates(), no_grad():
                updates = self.get_updates(params, constraints, loss) or []
                for item in updates:
                    if isinstance(item, (tuple, list)) and len(item) == 2:
                        K.update(item[0], item[1])
        finally:
            self._step_loss = None

    def _learning_rate(self) -> float:
        """``lr / (1 + decay * iterations)`` (time-based decay, counted from 0)."""
        lr = _value(self.lr)
        if self.initial_decay > 0:
            lr /= 1.0 + _value(self.decay) * _value(self.iterations)
        return lr

    def _apply(self, p, g, slots, lr):  # pragma: no cover - every subclass defines it
        raise TypeError(f"{type(self).__name__} is the abstract Optimizer base class; use SGD, "
                        f"RMSprop, Adagrad, Adadelta, Adam, Adamax or Nadam")

    # ---- state -------------------------------------------------------------------------
    def build(self, params) -> None:
        """Create the zero-initialised slots for ``params`` (done by the first update)."""
        self.slots = {name: [K.zeros(p.shape, dtype=p.dtype) for p in params]
                      for name in self._slot_names}
        self._scratch = {name: [np.empty(p.shape, dtype=p.dtype) for p in params]
                         for name in self._scratch_names}
        self._shapes = list(map(_SHAPE, params))
        self._param_states = None  # made again from the new scratch arrays by _states()
        if self._pending_weights is not None:
            pending, self._pending_weights = self._pending_weights, None
            self.set_weights(pending)

    @property
    def weights(self) -> list:
        """The optimizer's state variables in Keras 1.2.2 order (empty before the first update).

        A Keras 1 style subclass may assign its own list (``self.weights = [...]``)."""
        if "_assigned_weights" in self.__dict__:
            return list(self._assigned_weights)
        return self._weight_order() if self.slots else []

    @weights.setter
    def weights(self, value) -> None:
        self._assigned_weights = list(value)

    def _weight_order(self) -> list:
        return [self.iterations] + [t for name in self._slot_names for t in self.slots[name]]

    def get_weights(self) -> list:
        return K.batch_get_value(self.weights)

    def rebuilt_state(self, iterations: int) -> dict:
        """``{name: array}`` of state kept outside ``weights`` that follows from the number of
        steps taken alone (used when a file lacks it); none for most optimizers."""
        return {}

    def set_weights(self, weights) -> None:
        """Assign the state; before the first update the values wait until the slots exist."""
        if not self.slots and "_assigned_weights" not in self.__dict__:
            self._pending_weights = [np.asarray(w) for w in weights]
            return
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(f"{type(self).__name__}.set_weights: the optimizer has "
                             f"{len(params)} weights, got a list of {len(weights)}")
        for p, w in zip(params, weights):
            if p.shape != np.shape(w):
                raise ValueError(f"Optimizer weight shape {p.shape} not compatible with "
                                 f"provided weight shape {np.shape(w)}")
        K.batch_set_value(list(zip(params, weights)))

    # ---- config ------------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {}
        for key in ("clipnorm", "clipvalue"):
            if hasattr(self, key):
                config[key] = getattr(self, key)
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)
