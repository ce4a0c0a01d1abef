"""Backend reductions, elementwise math and comparisons on Tensors.

Reductions take ``axis`` (None, int or tuple; negatives allowed) and
``keepdims``.  Comparisons return boolean Tensors (no gradient), ``any``/``all``
return uint8 as on TensorFlow, and ``round``/``sign`` return constants (their
gradient is zero almost everywhere).
"""
from __future__ import annotations

import numpy as np

from .. import backend as K
from ..autodiff import Tensor
from ..autodiff import functional as F
from . import to_tensor

__all__ = [
    "abs",
    "all",
    "any",
    "argmax",
    "argmin",
    "clip",
    "cos",
    "equal",
    "exp",
    "greater",
    "greater_equal",
    "lesser",
    "lesser_equal",
    "log",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "not_equal",
    "pow",
    "prod",
    "round",
    "sign",
    "sin",
    "sqrt",
    "square",
    "std",
    "sum",
    "var",
]


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else to_tensor(x)  # to_tensor: KerasTensors in losses


def _floaty(x) -> Tensor:
    """Boolean/integer input as floatx (Keras casts before mean/var)."""
    x = _t(x)
    return x if x.dtype.kind == "f" else Tensor(x.data.astype(K.floatx()))


# ---- reductions -------------------------------------------------------------------------
def sum(x, axis=None, keepdims=False):
    return F.sum(_t(x), axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    return F.mean(_floaty(x), axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False):
    return F.max(_t(x), axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False):
    return F.min(_t(x), axis=axis, keepdims=keepdims)


def prod(x, axis=None, keepdims=False) -> Tensor:
    """Product over ``axis`` (exact gradient even with zeros in ``x``)."""
    return F.prod(_t(x), axis=axis, keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    """Population variance (divides by N, as Keras 1.2.2)."""
    x = _floaty(x)
    centered = x - F.mean(x, axis=axis, keepdims=True)
    return F.mean(F.square(centered), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """Population standard deviation."""
    return F.sqrt(var(x, axis=axis, keepdims=keepdims))


def any(x, axis=None, keepdims=False):
    """Logical OR over ``axis`` as uint8 0/1."""
    return Tensor(np.any(_t(x).data, axis=axis, keepdims=keepdims).astype(np.uint8))


def all(x, axis=None, keepdims=False):
    """Logical AND over ``axis`` as uint8 0/1."""
    return Tensor(np.all(_t(x).data, axis=axis, keepdims=keepdims).astype(np.uint8))


def argmax(x, axis=-1):
    return F.argmax(_t(x), axis=axis)


def argmin(x, axis=-1):
    return F.argmin(_t(x), axis=axis)


# ---- elementwise ----------------------------------------------------------------------
def square(x):
    return F.square(_t(x))


def abs(x):
    return F.abs(_t(x))


def sqrt(x):
    """Square root; negative inputs are clipped to 0 first (as on TensorFlow in Keras 1)."""
    return F.sqrt(F.clip(_t(x), 0.0, None))


def exp(x):
    return F.exp(_t(x))


def log(x):
    return F.log(_t(x))


def round(x):
    """Round half to even (numpy and both Keras 1 backends agree); no gradient."""
    return Tensor(np.round(_t(x).data))


def sign(x):
    return Tensor(np.sign(_t(x).data))


def pow(x, a):
    return F.pow(_t(x), a)


def clip(x, min_value, max_value):
    """Clip to ``[min_value, max_value]``; None is unbounded, and a ``max_value`` below
    ``min_value`` is raised to it (Keras 1.2.2)."""
    if max_value is not None and min_value is not None and max_value < min_value:
        max_value = min_value
    return F.clip(_t(x), min_value, max_value)


def _compare(op_name: str, doc_name: str):
    """``K.equal`` & co.: the Tensor's own comparison operators (boolean masks, no gradient)."""
    def compare(x, y):
        return getattr(_t(x), op_name)(_t(y))
    compare.__name__ = doc_name
    compare.__doc__ = f"Elementwise ``{doc_name}`` as a boolean Tensor."
    return compare


equal = _compare("__eq__", "equal")
not_equal = _compare("__ne__", "not_equal")
greater = _compare("__gt__", "greater")
greater_equal = _compare("__ge__", "greater_equal")
lesser = _compare("__lt__", "lesser")
lesser_equal = _compare("__le__", "lesser_equal")


def maximum(x, y):
    return F.maximum(_t(x), y)


def minimum(x, y):
    return F.minimum(_t(x), y)


def sin(x) -> Tensor:
    """Elementwise ``sin``."""
    return F.sin(_t(x))


def cos(x) -> Tensor:
    """Elementwise ``cos``."""
    return F.cos(_t(x))
