"""The optimizer base class: gradient clipping, lazy state ("slots"), time decay,
constraints, and the optimizer's weights and config.  The update rules live in
``optimizers.py``; this file is split off only to keep both short.
"""
from __future__ import annotations

import numpy as np

from . import backend as K
from .autodiff import Tensor, no_grad


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
    def update(self, params, constraints=None) -> None:
        """One update of every parameter in ``params`` from its ``.grad`` (numpy)."""
        params = list(params)
        if [p.shape for p in params] != self._shapes:
            self.build(params)      # first update, or a model recompiled with other weights
        grads = self.get_gradients(params)
        lr = self._learning_rate()
        constraints = constraints or {}
        with no_grad():
            for i, (p, g) in enumerate(zip(params, grads)):
                state = {name: s[i].data for name, s in self.slots.items()}
                state.update({name: s[i] for name, s in self._scratch.items()})
                self._apply(p.data, g, state, lr)
                constraint = constraints.get(p)
                if constraint is not None:
                    p.data = np.asarray(constraint(Tensor(p.data)).data, dtype=p.dtype)
        if self.counts_always or self.initial_decay > 0:
            self.iterations.data = np.asarray(self.iterations.data + 1, self.iterations.dtype)

    def get_gradients(self, params) -> list:
        """The parameters' gradients (zeros where missing), clipped as configured."""
        grads = [p.grad if p.grad is not None else np.zeros_like(p.data) for p in params]
        clipnorm = getattr(self, "clipnorm", 0) or 0
        if clipnorm > 0:
            norm = float(np.sqrt(sum(float(np.sum(np.square(g))) for g in grads)))
            grads = [clip_norm(g, clipnorm, norm) for g in grads]
        clipvalue = getattr(self, "clipvalue", 0) or 0
        if clipvalue > 0:
            grads = [np.clip(g, -clipvalue, clipvalue) for g in grads]
        return grads

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
        self._shapes = [p.shape for p in params]
        if self._pending_weights is not None:
            pending, self._pending_weights = self._pending_weights, None
            self.set_weights(pending)

    @property
    def weights(self) -> list:
        """The optimizer's state variables in Keras 1.2.2 order (empty before the first update)."""
        return self._weight_order() if self.slots else []

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
        if not self.slots:
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
