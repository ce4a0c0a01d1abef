"""Math that works on a numpy array *or* a Tensor, for writing a backward once.

A backward formula runs on numpy arrays in an ordinary backward pass and on
Tensors when the gradient must itself be differentiable (``create_graph=True``,
see ``function.py``).  Operators (``+ - * / @ **``), indexing and the methods
``sum``/``reshape``/``transpose`` already mean the same on both; the functions
here fill the gap for what numpy spells as a function, picking ``np.exp`` for
an array and the differentiable ``Exp`` op for a Tensor::

    def backward(self, grad):          # Sin
        a, = self.inputs
        return grad * cos(a)           # numpy, or a recorded Cos node

Nothing here has a gradient formula of its own: each Tensor branch calls a
primitive, whose backward is again written with these functions, so
derivatives of any order come out of the same code.
"""
from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor


def _F():
    from .. import functional  # imported late: functional imports the ops
    return functional


def exp(x):
    return _F().exp(x) if isinstance(x, Tensor) else np.exp(x)


def log(x):
    return _F().log(x) if isinstance(x, Tensor) else np.log(x)


def sin(x):
    return _F().sin(x) if isinstance(x, Tensor) else np.sin(x)


def cos(x):
    return _F().cos(x) if isinstance(x, Tensor) else np.cos(x)


def where(cond, a, b):
    """``a`` where the constant mask ``cond`` holds, else ``b``."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return _F().where(cond, a, b)
    return np.where(cond, a, b)


#: Up to this many elements, ``broadcast_to`` of an array writes a new array: cheaper than
#: ``np.broadcast_to``'s Python overhead (about 2 us, a fifth of a small model's loss
#: backward), and writable, so the engine need not copy it when a leaf keeps it as .grad.
SMALL_BROADCAST = 4096


def broadcast_to(x, shape: tuple):
    """``x`` spread to ``shape``: the ``BroadcastTo`` op for a Tensor; for an array a
    read-only view, or (``SMALL_BROADCAST`` elements or fewer) a new array."""
    if isinstance(x, Tensor):
        return _F().broadcast_to(x, shape)
    if math.prod(shape) <= SMALL_BROADCAST:
        out = np.empty(shape, x.dtype)
        out[...] = x
        return out
    return np.broadcast_to(x, shape)


def swap_last_axes(x):
    """The matrix transpose of a stack of matrices (``(..., n, m)`` -> ``(..., m, n)``)."""
    if x.ndim < 2:
        return x
    axes = tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2)
    return x.transpose(axes)


def concatenate(parts: list, axis: int):
    if any(isinstance(p, Tensor) for p in parts):
        return _F().concatenate(parts, axis=axis)
    return np.concatenate(parts, axis=axis)
