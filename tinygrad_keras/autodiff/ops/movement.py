"""Primitives that move or select elements without arithmetic."""
from __future__ import annotations

import numpy as np

from ..engine import ScatterGrad
from ..function import Function


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
        return np.transpose(grad, np.argsort(self.axes))


class BroadcastTo(Function):
    def forward(self, a, shape=None):
        return np.broadcast_to(a, shape)

    def backward(self, grad):
        return grad  # the engine sums the broadcast axes away


class GetItem(Function):
    """Indexing with ints, slices, Ellipsis, None, integer arrays and boolean masks.

    The backward pass returns a ``ScatterGrad`` (zero except at ``index``) that
    the engine adds into one buffer, so slicing a tensor once per timestep does
    not allocate a full-size zero array per slice.  Integer-array indices are
    scatter-*added* (``np.add.at``): an index that appears several times (an
    Embedding lookup of a repeated word) gets every contribution.
    """

    def forward(self, a, index=None):
        self.in_shape, self.index = a.shape, index
        return a[index]

    def backward(self, grad):
        return ScatterGrad(self.in_shape, self.index, grad, _is_basic(self.index))


def _is_basic(index) -> bool:
    """True when the index selects each element at most once (no integer arrays)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (slice, int, np.integer)) for p in parts)


class Concatenate(Function):
    def forward(self, *arrays, axis=0):
        self.axis = axis
        self.sizes = [a.shape[axis] for a in arrays]
        return np.concatenate(arrays, axis=axis)

    def backward(self, grad):
        cuts = np.cumsum(self.sizes)[:-1]
        return tuple(np.split(grad, cuts, axis=self.axis))


class Pad(Function):
    """Zero padding: ``pad_width`` is one ``(before, after)`` pair per axis (numpy's
    ``np.pad`` constant mode).  The gradient is the un-padded middle of ``grad``."""

    def forward(self, a, pad_width=None):
        self.middle = tuple(slice(lo, lo + n) for (lo, _), n in zip(pad_width, a.shape))
        return np.pad(a, pad_width)

    def backward(self, grad):
        return grad[self.middle]
