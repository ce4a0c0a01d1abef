"""Weight and activity regularizers (Keras 1 ``keras.regularizers``).

A regularizer is called on a Tensor and returns a scalar penalty Tensor that
the training loop adds to the loss.  For weights it is called on the weight;
for activities on the layer output, summed over the whole batch (Keras 1.2.2
does not average it).

>>> from tinygrad_keras import Tensor, regularizers
>>> round(float(regularizers.l1l2(l1=0.1, l2=0.5)(Tensor([1.0, -2.0]))), 4)
2.8
"""
from __future__ import annotations

import numpy as np

from . import backend as K
from ._lookup import get_from_table
from .autodiff import Tensor


class Regularizer:
    """Base class: no penalty."""

    def __call__(self, x) -> Tensor:
        return Tensor(np.zeros((), dtype=K.floatx()))

    def get_config(self) -> dict:
        return {"name": type(self).__name__}


class L1L2Regularizer(Regularizer):
    """Penalty ``sum(l1 * |x|) + sum(l2 * x**2)`` (no factor 1/2)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = float(l1)
        self.l2 = float(l2)

    def __call__(self, x) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(x)
        penalty = Tensor(np.zeros((), dtype=x.dtype))
        if self.l1:
            penalty = penalty + (K.abs(x) * self.l1).sum()
        if self.l2:
            penalty = penalty + (K.square(x) * self.l2).sum()
        return penalty

    def get_config(self) -> dict:
        return {"name": type(self).__name__, "l1": self.l1, "l2": self.l2}

    def __repr__(self) -> str:
        return f"L1L2Regularizer(l1={self.l1}, l2={self.l2})"


class EigenvalueRegularizer(Regularizer):
    """Penalty ``k * sqrt(largest eigenvalue of W^T W)`` for a 2D weight ``W``, i.e. ``k``
    times its spectral norm, the eigenvector found by 9 power-method steps (Keras 1.2.2)."""

    def __init__(self, k):
        self.k = float(k)

    def __call__(self, x) -> Tensor:
        if K.ndim(x) != 2:
            raise ValueError(f"EigenvalueRegularizer is only available for tensors of rank 2, "
                             f"got shape {K.int_shape(x)}")
        covariance = K.dot(K.transpose(x), x)
        vector = K.dot(covariance, Tensor(np.ones((covariance.shape[0], 1), dtype=x.dtype)))
        for _ in range(8):
            vector = K.dot(covariance, vector)
        projected = K.dot(covariance, vector)
        eigenvalue = K.dot(K.transpose(projected), vector) / K.dot(K.transpose(vector), vector)
        return K.sum(K.sqrt(eigenvalue) * self.k)

    def get_config(self) -> dict:
        return {"name": type(self).__name__, "k": self.k}


# Keras 1 names for the same class.
WeightRegularizer = ActivityRegularizer = L1L2Regularizer


def l1(l=0.01):
    return L1L2Regularizer(l1=l)


def l2(l=0.01):
    return L1L2Regularizer(l2=l)


def l1l2(l1=0.01, l2=0.01):
    return L1L2Regularizer(l1=l1, l2=l2)


def activity_l1(l=0.01):
    return L1L2Regularizer(l1=l)


def activity_l2(l=0.01):
    return L1L2Regularizer(l2=l)


def activity_l1l2(l1=0.01, l2=0.01):
    return L1L2Regularizer(l1=l1, l2=l2)


_REGULARIZERS = {
    "Regularizer": Regularizer, "L1L2Regularizer": L1L2Regularizer,
    "EigenvalueRegularizer": EigenvalueRegularizer,
    "WeightRegularizer": L1L2Regularizer, "ActivityRegularizer": L1L2Regularizer,
    "l1": l1, "l2": l2, "l1l2": l1l2, "activity_l1": activity_l1, "activity_l2": activity_l2,
    "activity_l1l2": activity_l1l2,
}


def get(identifier, kwargs=None):
    """A regularizer from a name (instantiated with defaults, e.g. ``'l2'`` -> ``l2(0.01)``),
    a config dict ``{'name': 'L1L2Regularizer', 'l1': ..., 'l2': ...}``, or an instance."""
    if identifier is None:
        return None
    return get_from_table(identifier, _REGULARIZERS, "regularizer", instantiate=True,
                          kwargs=kwargs)
