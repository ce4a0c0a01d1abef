"""Weight constraints (Keras 1 ``keras.constraints``).

A constraint maps a parameter Tensor to its projected value; the optimizer
applies it right after each update (``p <- c(p_new)``).  Norms are taken along
``axis`` (Dense ``W`` is ``(input_dim, output_dim)``, so ``axis=0`` bounds the
incoming weight vector of each unit).

>>> import numpy as np
>>> from tinygrad_keras import Tensor, constraints
>>> w = constraints.get('maxnorm')(Tensor(np.array([[3.0], [4.0]])))   # norm 5 -> 2
>>> np.round(w.data.ravel(), 4).tolist()
[1.2, 1.6]
"""
from __future__ import annotations

from . import backend as K
from ._lookup import get_from_table
from .autodiff import Tensor


def _norms(p: Tensor, axis) -> Tensor:
    return K.sqrt(K.sum(K.square(p), axis=axis, keepdims=True))


class Constraint:
    """Base class: leaves the parameter unchanged."""

    def __call__(self, p):
        return p

    def get_config(self) -> dict:
        return {"name": type(self).__name__}


class MaxNorm(Constraint):
    """Rescale so that the norm along ``axis`` is at most ``m`` (Srivastava et al. 2014)."""

    def __init__(self, m=2, axis=0):
        self.m = m
        self.axis = axis

    def __call__(self, p):
        norms = _norms(p, self.axis)
        return p * (K.clip(norms, 0.0, self.m) / (norms + K.epsilon()))

    def get_config(self) -> dict:
        return {"name": type(self).__name__, "m": self.m, "axis": self.axis}


class NonNeg(Constraint):
    """Set negative entries to zero."""

    def __call__(self, p):
        return p * K.cast(K.greater_equal(p, 0.0), p.dtype)


class UnitNorm(Constraint):
    """Rescale to unit norm along ``axis``."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, p):
        return p / (_norms(p, self.axis) + K.epsilon())

    def get_config(self) -> dict:
        return {"name": type(self).__name__, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Move the norm along ``axis`` into ``[low, high]``, by the fraction ``rate``
    per application (``rate=1`` enforces it at once)."""

    def __init__(self, low=0.0, high=1.0, rate=1.0, axis=0):
        self.low, self.high, self.rate, self.axis = low, high, rate, axis

    def __call__(self, p):
        norms = _norms(p, self.axis)
        desired = K.clip(norms, self.low, self.high) * self.rate + norms * (1.0 - self.rate)
        return p * (desired / (norms + K.epsilon()))

    def get_config(self) -> dict:
        return {"name": type(self).__name__, "low": self.low, "high": self.high,
                "rate": self.rate, "axis": self.axis}


# Keras 1 lowercase aliases (the same classes).
maxnorm = MaxNorm
nonneg = NonNeg
unitnorm = UnitNorm

_CONSTRAINTS = {"Constraint": Constraint, "MaxNorm": MaxNorm, "NonNeg": NonNeg,
                "UnitNorm": UnitNorm, "MinMaxNorm": MinMaxNorm, "maxnorm": MaxNorm,
                "nonneg": NonNeg, "unitnorm": UnitNorm}


def get(identifier, kwargs=None):
    """A constraint from a name (instantiated with defaults), a config dict, or an instance."""
    if identifier is None:
        return None
    return get_from_table(identifier, _CONSTRAINTS, "constraint", instantiate=True,
                          kwargs=kwargs)
