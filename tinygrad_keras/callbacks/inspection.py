"""Callbacks that write weight and gradient norms into the epoch logs (and so History).

Each adds one key per trainable weight at the end of every epoch:
``WeightNormLogger`` the L2 norm of the weight (``dense_1_W_norm``),
``GradientNormLogger`` the L2 norm of its gradient averaged over the epoch's
batches (``dense_1_W_grad_norm``).  Put them in ``callbacks=[...]``: ``fit``
calls History after the user's callbacks, so ``history.history`` gets the keys.

>>> import numpy as np
>>> from tinygrad_keras.models import Sequential
>>> from tinygrad_keras.layers import Dense
>>> model = Sequential([Dense(1, input_dim=2)])
>>> model.compile('sgd', 'mse')
>>> h = model.fit(np.ones((4, 2)), np.ones((4, 1)), nb_epoch=2, verbose=0,
...               callbacks=[WeightNormLogger(), GradientNormLogger()])
>>> sorted(k for k in h.history if k.startswith('dense_1_W'))
['dense_1_W_grad_norm', 'dense_1_W_norm']
"""
from __future__ import annotations

import numpy as np

from .base import Callback


def _l2(a: np.ndarray) -> float:
    return float(np.sqrt(np.sum(np.square(a, dtype=np.float64))))


def _tracked(model) -> list:
    """The weights the optimizer updates (the compiled, name-sorted list when there is one)."""
    params = getattr(model, "_collected_trainable_weights", None)
    return list(params) if params is not None else list(model.trainable_weights)


class WeightNormLogger(Callback):
    """Logs ``<weight name>_norm``, the L2 norm of each trainable weight, every epoch."""

    def __init__(self, suffix: str = "_norm"):
        super().__init__()
        self.suffix = suffix

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        for w in _tracked(self.model):
            logs[f"{w.name}{self.suffix}"] = _l2(w.data)


class GradientNormLogger(Callback):
    """Logs ``<weight name>_grad_norm`` every epoch: the L2 norm of the gradient.

    ``mode``: ``'mean'`` (average over the epoch's batches), ``'max'`` or
    ``'last'`` (the epoch's last batch).  The norm is of the raw gradient, as
    ``backward`` left it in ``.grad`` before the optimizer's clipping.
    """

    def __init__(self, mode: str = "mean", suffix: str = "_grad_norm"):
        super().__init__()
        if mode not in ("mean", "max", "last"):
            raise ValueError(f"GradientNormLogger: mode must be 'mean', 'max' or 'last', "
                             f"got {mode!r}")
        self.mode, self.suffix = mode, suffix
        self._norms: dict = {}

    def on_epoch_begin(self, epoch, logs=None):
        self._norms = {}

    def on_batch_end(self, batch, logs=None):
        for w in _tracked(self.model):
            norm = 0.0 if w.grad is None else _l2(w.grad)
            self._norms.setdefault(w.name, []).append(norm)

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        reduce = {"mean": np.mean, "max": np.max, "last": lambda v: v[-1]}[self.mode]
        for name, norms in self._norms.items():
            logs[f"{name}{self.suffix}"] = float(reduce(norms))
