"""Primitives that move or select elements without arithmetic.

Their backwards only move the gradient back (reshape it back, transpose it back,
put it back where it was taken from), using operations that numpy arrays and
Tensors share, so they are differentiable under ``create_graph=True`` as they
stand.  The one pair that needs care is selection and its transpose:
``GetItem``'s gradient is a scatter (``ScatterAdd``), and ``ScatterAdd``'s
gradient is a ``GetItem`` again.
"""
from __future__ import annotations

import itertools

import numpy as np

from ..function import Function
from ..gradient_sums import ScatterGrad
from ..tensor import Tensor


class Reshape(Function):
    def forward(self, a, shape=None):
        self.in_shape = a.shape
        return a.reshape(shape)

    def backward(self, grad):
        return grad.reshape(self.in_shape)


class Transpose(Function):
    """Permute axes (``axes=None`` reverses them, like numpy)."""

    def forward(self, a, axes=None):
        self.axes = tuple(range(a.ndim))[::-1] if axes is None else tuple(axes)
        return np.transpose(a, self.axes)

    def backward(self, grad):
        return grad.transpose(tuple(int(i) for i in np.argsort(self.axes)))


class BroadcastTo(Function):
    def forward(self, a, shape=None):
        return np.broadcast_to(a, shape)

    def backward(self, grad):
        return grad  # the engine sums the broadcast axes away


class GetItem(Function):
    """Indexing with ints, slices, Ellipsis, None, integer arrays and boolean masks.

    The gradient is ``grad`` put back at ``index`` into zeros of the input's shape.
    Speed: on an ordinary pass that is a ``ScatterGrad`` (zero except at ``index``)
    that the engine adds into one buffer, so slicing a tensor once per timestep
    does not allocate a full-size zero array per slice.  Integer-array indices are
    scatter-*added*: an index that appears several times (an Embedding lookup of
    a repeated word) gets every contribution.
    """

    def forward(self, a, index=None):
        self.in_shape, self.index = a.shape, index
        return a[index]

    def backward(self, grad):
        if isinstance(grad, Tensor):  # create_graph: a recorded, differentiable scatter
            return ScatterAdd.apply(grad, shape=self.in_shape, index=self.index)
        return ScatterGrad(self.in_shape, self.index, grad, _is_basic(self.index))


class ScatterAdd(Function):
    """``zeros(shape)`` with ``values`` added at ``index`` (repeated indices add up):
    the transpose of ``GetItem``, used for its gradient under ``create_graph``.
    Its own gradient is ``grad[index]``."""

    def forward(self, values, shape=None, index=None):
        self.index = index
        return ScatterGrad(shape, index, values, _is_basic(index)).dense(values.dtype)

    def backward(self, grad):
        return grad[self.index]


def _is_basic(index) -> bool:
    """True when the index selects each element at most once (no integer arrays)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (slice, int, np.integer)) for p in parts)


class Concatenate(Function):
    def forward(self, *arrays, axis=0):
        self.axis = axis % arrays[0].ndim
        self.sizes = [a.shape[axis] for a in arrays]
        return np.concatenate(arrays, axis=axis)

    def backward(self, grad):
        edges = np.concatenate([[0], np.cumsum(self.sizes)])
        lead = (slice(None),) * self.axis
        return tuple(grad[lead + (slice(int(lo), int(hi)),)]
                     for lo, hi in itertools.pairwise(edges))


class Pad(Function):
    """Zero padding: ``pad_width`` is one ``(before, after)`` pair per axis (numpy's
    ``np.pad`` constant mode).  The gradient is the un-padded middle of ``grad``."""

    def forward(self, a, pad_width=None):
        self.middle = tuple(slice(lo, lo + n) for (lo, _), n in zip(pad_width, a.shape))
        return np.pad(a, pad_width)

    def backward(self, grad):
        return grad[self.middle]

