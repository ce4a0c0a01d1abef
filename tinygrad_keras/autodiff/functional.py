"""Functions on Tensors: thin wrappers over the primitives, and composites.

A composite is built only from primitives and has no backward of its own: its
gradient comes from the engine.  Where an op is a primitive anyway for speed or
stability, the reason is written in its docstring in ``ops/``.
"""
from __future__ import annotations

import builtins

import numpy as np

from .ops import elementwise as E
from .ops import linalg as L
from .ops import movement as M
from .ops import reduce as R
from .tensor import Tensor


def as_tensor(x, like: Tensor | None = None) -> Tensor:
    """``x`` as a Tensor; numbers and arrays take ``like``'s float dtype."""
    if isinstance(x, Tensor):
        return x
    return like._lift(x) if like is not None else Tensor(x)


# ---- elementwise -------------------------------------------------------------------
def add(a, b):
    a = as_tensor(a)
    return E.Add.apply(a, a._lift(b))


def sub(a, b):
    a = as_tensor(a)
    return E.Sub.apply(a, a._lift(b))


def mul(a, b):
    a = as_tensor(a)
    return E.Mul.apply(a, a._lift(b))


def div(a, b):
    a = as_tensor(a)
    return E.Div.apply(a, a._lift(b))


def neg(a):
    return E.Neg.apply(a)


def pow(a, b):  # noqa: A001 - mirrors numpy/torch naming
    a = as_tensor(a)
    if isinstance(b, (int, float)) and not isinstance(b, bool):
        return E.PowConst.apply(a, p=b)
    return E.Pow.apply(a, a._lift(b))


def exp(a):
    return E.Exp.apply(a)


def log(a):
    return E.Log.apply(a)


def sqrt(a):
    return E.Sqrt.apply(a)


def abs(a):  # noqa: A001
    return E.Abs.apply(a)


def tanh(a):
    return E.Tanh.apply(a)


def sigmoid(a):
    return E.Sigmoid.apply(a)


def relu(a):
    return E.Relu.apply(a)


def maximum(a, b):
    a = as_tensor(a)
    return E.Maximum.apply(a, a._lift(b))


def minimum(a, b):
    a = as_tensor(a)
    return E.Minimum.apply(a, a._lift(b))


def clip(a, lo=None, hi=None):
    return E.Clip.apply(a, lo=lo, hi=hi)


def where(cond, a, b):
    """``a`` where ``cond`` is true, else ``b``; ``cond`` carries no gradient."""
    cond = cond.data if isinstance(cond, Tensor) else np.asarray(cond)
    ref = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else Tensor(a)
    return E.Where.apply(Tensor(cond), ref._lift(a), ref._lift(b))


def square(a):
    return E.PowConst.apply(a, p=2)


# ---- reductions ----------------------------------------------------------------------
def sum(a, axis=None, keepdims=False):  # noqa: A001
    return R.Sum.apply(a, axis=axis, keepdims=keepdims)


def mean(a, axis=None, keepdims=False):
    """Composite: ``sum / count``."""
    a = as_tensor(a)
    axes = R.normalize_axis(axis, a.ndim)
    count = int(np.prod([a.shape[i] for i in axes])) if axes else 1
    return sum(a, axis=axes, keepdims=keepdims) * (1.0 / builtins.max(count, 1))


def max(a, axis=None, keepdims=False):  # noqa: A001
    return R.Max.apply(a, axis=axis, keepdims=keepdims)


def min(a, axis=None, keepdims=False):  # noqa: A001
    return R.Min.apply(a, axis=axis, keepdims=keepdims)


def argmax(a, axis=None) -> Tensor:
    """Index of the maximum (no gradient)."""
    return Tensor(np.argmax(as_tensor(a).data, axis=axis))


def argmin(a, axis=None) -> Tensor:
    """Index of the minimum (no gradient)."""
    return Tensor(np.argmin(as_tensor(a).data, axis=axis))


# ---- movement ----------------------------------------------------------------------
def reshape(a, *shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return M.Reshape.apply(a, shape=shape)


def transpose(a, axes=None):
    return M.Transpose.apply(a, axes=axes)


def broadcast_to(a, shape):
    return M.BroadcastTo.apply(a, shape=tuple(shape))


def getitem(a, index):
    if isinstance(index, Tensor):
        index = index.data
    elif isinstance(index, tuple):
        index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
    elif isinstance(index, list):
        index = np.asarray(index)
    return M.GetItem.apply(a, index=index)


def concatenate(tensors, axis=0):
    tensors = [as_tensor(t) for t in tensors]
    return M.Concatenate.apply(*tensors, axis=axis)


# ---- linear algebra -------------------------------------------------------------
def matmul(a, b):
    a = as_tensor(a)
    return L.MatMul.apply(a, a._lift(b))
