"""Reductions.  ``axis`` is None (everything), an int, or a tuple; negatives allowed.

Max/Min at ties: the gradient is shared equally among the tied elements (so the
total gradient is preserved and the op stays symmetric).

The backwards spread ``grad`` back over the reduced axes with reshape and
broadcast (and the constant mask of the winners for max/min), operations shared
by arrays and Tensors, so they are differentiable under ``create_graph``.
"""
from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import Tensor
from .either import broadcast_to, where


def normalize_axis(axis, ndim: int) -> tuple:
    """``axis`` as a sorted tuple of non-negative ints (all axes when None)."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (axis,)
    out = []
    for a in axis:
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        out.append(int(a) % max(ndim, 1))
    return tuple(sorted(set(out)))


def _keep_shape(shape: tuple, axes: tuple) -> tuple:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _drop_axes(shape: tuple, axes: tuple) -> tuple:
    return tuple(n for i, n in enumerate(shape) if i not in axes)


class Sum(Function):
    def forward(self, a, axis=None, keepdims=False):
        self.in_shape = a.shape
        self.axes = normalize_axis(axis, a.ndim)
        return np.sum(a, axis=self.axes, keepdims=keepdims)

    def backward(self, grad):
        return broadcast_to(grad.reshape(_keep_shape(self.in_shape, self.axes)), self.in_shape)


def reciprocal_count(count: int, dtype) -> np.ndarray:
    """``1 / count`` as a 0-d array of ``dtype`` (float32 for a non-float dtype): a mean
    is the sum times this."""
    return np.array(1.0 / max(count, 1), dtype=dtype if np.dtype(dtype).kind == "f"
                    else np.float32)


def spread_mean_grad(grad, scale, kept_shape: tuple, in_shape: tuple):
    """A mean's backward: ``grad`` times ``scale``, spread back over the reduced axes
    (``kept_shape``: ``in_shape`` with those axes 1, computed once by the forward)."""
    return broadcast_to((grad * scale).reshape(kept_shape), in_shape)


class Mean(Function):
    """Mean over axes, as ``sum * (1 / count)`` in the input's dtype.

    A primitive rather than the composite ``Sum`` then ``Mul`` because every loss ends
    in one (a node fewer per training step); it computes the composite's numbers:
    the same sum times the same reciprocal, and the same backward (``grad`` scaled,
    then spread back over the reduced axes).
    """

    def forward(self, a, axis=None, keepdims=False):
        self.in_shape = a.shape
        self.axes = axes = tuple(range(a.ndim)) if axis is None else normalize_axis(axis, a.ndim)
        count = 1
        for i in axes:
            count *= a.shape[i]
        self.scale = reciprocal_count(count, a.dtype)
        self.kept_shape = _keep_shape(a.shape, axes)
        return np.add.reduce(a, axis=axes, keepdims=keepdims) * self.scale  # a.sum, no frame

    def backward(self, grad):
        return spread_mean_grad(grad, self.scale, self.kept_shape, self.in_shape)


class Max(Function):
    """Maximum over axes; tied maxima share the gradient equally."""

    extremum = staticmethod(np.max)

    def forward(self, a, axis=None, keepdims=False):
        self.axes = normalize_axis(axis, a.ndim)
        out = self.extremum(a, axis=self.axes, keepdims=True)
        self.hits = a == out
        return out if keepdims else out.reshape(_drop_axes(a.shape, self.axes))

    def backward(self, grad):
        kept = grad.reshape(_keep_shape(self.hits.shape, self.axes))
        count = self.hits.sum(axis=self.axes, keepdims=True).astype(grad.dtype)
        return self.hits * (kept / count)


class Min(Max):
    """Minimum over axes; tied minima share the gradient equally (same backward as Max)."""

    extremum = staticmethod(np.min)


class Prod(Function):
    """Product over axes.  The gradient of element i is the product of the *others*
    (no division, so zeros are exact)."""

    def forward(self, a, axis=None, keepdims=False):
        self.axes = normalize_axis(axis, a.ndim)
        return np.prod(a, axis=self.axes, keepdims=keepdims)

    def backward(self, grad):
        a, = self.inputs
        rest = tuple(i for i in range(a.ndim) if i not in self.axes)
        moved = a.transpose(rest + self.axes)  # reduced axes last, flattened into one
        flat = moved.reshape(moved.shape[:len(rest)] + (-1,))
        others = _others_product(flat).reshape(moved.shape)
        others = others.transpose(tuple(int(i) for i in np.argsort(rest + self.axes)))
        return others * grad.reshape(_keep_shape(a.shape, self.axes))


def _others_product(flat):
    """For each element along the last axis, the product of all the others.

    Arrays: exclusive cumulative products from the left and from the right, O(n).
    Tensors (create_graph): a ``(..., n, n)`` copy with 1 on the diagonal, reduced
    by ``Prod`` itself, so the second derivative comes from the same op."""
    n = flat.shape[-1]
    if isinstance(flat, Tensor):
        rows = broadcast_to(flat.reshape(flat.shape[:-1] + (1, n)), flat.shape[:-1] + (n, n))
        return where(np.eye(n, dtype=bool), 1.0, rows).prod(axis=-1)
    ones = np.ones(flat.shape[:-1] + (1,), dtype=flat.dtype)
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return left * right
