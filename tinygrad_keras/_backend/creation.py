"""Backend functions that make Tensors, draw random numbers, and report shapes and types.

Random draws use numpy's global generator (or a private one when ``seed`` is
given), so ``np.random.seed(n)`` makes a whole run reproducible.
"""
from __future__ import annotations

import numpy as np

from .. import backend as K
from ..autodiff import Tensor
from . import to_tensor

__all__ = [
    "arange",
    "cast",
    "count_params",
    "dtype",
    "eval",
    "eye",
    "get_variable_shape",
    "int_shape",
    "ndim",
    "ones",
    "ones_like",
    "print_tensor",
    "random_binomial",
    "random_normal",
    "random_normal_variable",
    "random_uniform",
    "random_uniform_variable",
    "shape",
    "zeros",
    "zeros_like",
]


def _rng(seed):
    """numpy's global generator, or a private one for an explicit seed."""
    return np.random if seed is None else np.random.RandomState(seed)


def _tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else to_tensor(x)  # to_tensor: KerasTensors in losses


# ---- variables filled with constants ----------------------------------------------
def zeros(shape, dtype=None, name=None) -> Tensor:
    """A variable of zeros of ``shape``."""
    return Tensor(np.zeros(shape, dtype=dtype or K.floatx()), requires_grad=True, name=name)


def ones(shape, dtype=None, name=None) -> Tensor:
    """A variable of ones of ``shape``."""
    return Tensor(np.ones(shape, dtype=dtype or K.floatx()), requires_grad=True, name=name)


def eye(size: int, dtype=None, name=None) -> Tensor:
    """A ``(size, size)`` identity-matrix variable."""
    return K.variable(np.eye(size), dtype=dtype, name=name)


def zeros_like(x, dtype=None, name=None) -> Tensor:
    """A variable of zeros with the shape (and, by default, the dtype) of ``x``."""
    x = _tensor(x)
    return K.variable(np.zeros(x.shape), dtype=dtype or x.dtype, name=name)


def ones_like(x, dtype=None, name=None) -> Tensor:
    """A variable of ones with the shape (and, by default, the dtype) of ``x``."""
    x = _tensor(x)
    return K.variable(np.ones(x.shape), dtype=dtype or x.dtype, name=name)


# ---- random ------------------------------------------------------------------------
_CHUNK = 1 << 18  # values drawn (as float64) at a time


def _drawn_in_floatx(shape, dtype, draw) -> np.ndarray:
    """An array of ``shape`` in ``dtype`` (default floatx) filled chunk by chunk from
    ``draw(n)``: the same values as one large draw, but never a float64 copy of the whole
    weight in memory (a float32 weight costs its own size, not three times it)."""
    out = np.empty(tuple(shape), dtype=dtype or K.floatx())
    flat = out.reshape(-1)
    for start in range(0, flat.size, _CHUNK):
        stop = min(start + _CHUNK, flat.size)
        flat[start:stop] = draw(stop - start)
    return out


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None) -> Tensor:
    """A variable drawn from U(low, high)."""
    rng = _rng(seed)
    values = _drawn_in_floatx(shape, dtype, lambda n: rng.uniform(low, high, size=n))
    return Tensor(values, requires_grad=True, name=name)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None) -> Tensor:
    """A variable drawn from N(mean, scale**2) (``scale`` is the standard deviation)."""
    rng = _rng(seed)
    values = _drawn_in_floatx(shape, dtype, lambda n: rng.normal(mean, scale, size=n))
    return Tensor(values, requires_grad=True, name=name)


def random_uniform(shape, low=0.0, high=1.0, dtype=None, seed=None) -> Tensor:
    """A constant Tensor drawn from U(low, high)."""
    return Tensor(_rng(seed).uniform(low, high, size=shape).astype(dtype or K.floatx()))


def random_normal(shape, mean=0.0, std=1.0, dtype=None, seed=None) -> Tensor:
    """A constant Tensor drawn from N(mean, std**2) (Keras 1 spells it ``std``)."""
    return Tensor(_rng(seed).normal(mean, std, size=shape).astype(dtype or K.floatx()))


def random_binomial(shape, p=0.0, dtype=None, seed=None) -> Tensor:
    """A constant Tensor of ones with probability ``p`` and zeros otherwise."""
    draw = _rng(seed).uniform(0.0, 1.0, size=shape) <= p
    return Tensor(draw.astype(dtype or K.floatx()))


def arange(start, stop=None, step=1, dtype="int32") -> Tensor:
    """``np.arange`` as a Tensor; one argument means ``stop`` (Theano's convention)."""
    if stop is None:
        start, stop = 0, start
    return Tensor(np.arange(start, stop, step).astype(dtype))


# ---- shapes and types ------------------------------------------------------------
def shape(x):
    """The shape of ``x`` as a tuple of ints (eager: always known, so ``int_shape``).

    For a Keras tensor outside a model: its static shape when every size is known,
    else a recorded int32 Tensor of the sizes, computed by ``K.function``.
    """
    from .symbolic import KerasTensor, scoring
    if isinstance(x, KerasTensor) and not scoring():
        if all(s is not None for s in x.shape):
            return tuple(x.shape)
        from .deferred import defer
        return defer(_shape_tensor, "K.shape", (x,))
    return tuple(_tensor(x).shape)


def _shape_tensor(x) -> Tensor:
    return Tensor(np.array(x.shape, dtype="int32"))


def int_shape(x) -> tuple:
    """The shape as a tuple of ints (KerasTensors may have None entries)."""
    return tuple(x.shape) if hasattr(x, "shape") else tuple(np.shape(x))


def get_variable_shape(x) -> tuple:
    return int_shape(x)


def ndim(x) -> int:
    return len(int_shape(x))


def dtype(x) -> str:
    """The dtype name, e.g. ``'float32'``."""
    return str(np.dtype(x.dtype)) if hasattr(x, "dtype") else str(np.asarray(x).dtype)


def cast(x, dtype) -> Tensor:
    """``x`` converted to ``dtype``; float-to-float casts keep the gradient."""
    x = _tensor(x)
    target = np.dtype(dtype)
    if target == x.dtype:
        return x
    if target.kind == "f" and x.dtype.kind == "f":
        return x.astype(target)
    return Tensor(x.data.astype(target))  # integer/bool results carry no gradient


def count_params(x) -> int:
    """The number of scalars in ``x``."""
    return int(np.prod(int_shape(x)))


def eval(x) -> np.ndarray:
    """The value of ``x`` as a numpy array (a copy: changing it leaves ``x`` alone)."""
    return np.array(_tensor(x).data)


def print_tensor(x, message: str = ""):
    """Print ``message`` and the value of ``x``; return ``x`` unchanged."""
    print(message, _tensor(x).data)
    return x
