"""Backend linear algebra and shape functions: dot, batch_dot, reshaping, tiling, padding.

All are Tensor operations with gradients (``one_hot`` and the index inputs of
``gather`` excepted).  Axes follow Keras 1: the batch axis is 0.
"""
from __future__ import annotations

import numpy as np

from .. import backend as K
from ..autodiff import Tensor
from ..autodiff import functional as F
from . import to_tensor

__all__ = ["asymmetric_spatial_2d_padding", "asymmetric_temporal_padding", "batch_dot",
           "batch_flatten", "concatenate", "dot", "expand_dims", "flatten", "gather", "one_hot",
           "permute_dimensions", "repeat", "repeat_elements", "reshape", "resize_images",
           "resize_volumes", "reverse", "spatial_2d_padding", "spatial_3d_padding", "squeeze",
           "stack", "temporal_padding", "tile", "transpose"]


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else to_tensor(x)  # to_tensor: KerasTensors in losses


def _ordering(dim_ordering: str) -> str:
    dim_ordering = K.image_dim_ordering() if dim_ordering == "default" else dim_ordering
    if dim_ordering not in ("th", "tf"):
        raise ValueError(f"Unknown dim_ordering: {dim_ordering!r}; expected 'th' or 'tf'")
    return dim_ordering


# ---- products ---------------------------------------------------------------------
def dot(x, y) -> Tensor:
    """Contract the last axis of ``x`` with the second-to-last of ``y`` (the first if 2D).

    ``(B, T, k) . (k, n) -> (B, T, n)`` runs as one 2D product;
    ``(a, k) . (b, k, n) -> (a, b, n)`` follows Theano (and Keras 1 on TensorFlow).
    """
    x, y = _t(x), _t(y)
    if x.ndim <= 2 and y.ndim <= 2:
        return F.matmul(x, y)
    if y.ndim == 2:
        flat = F.reshape(x, (-1, x.shape[-1]))
        return F.reshape(F.matmul(flat, y), x.shape[:-1] + y.shape[-1:])
    order = (y.ndim - 2,) + tuple(i for i in range(y.ndim) if i != y.ndim - 2)
    y2 = F.reshape(F.transpose(y, order), (y.shape[-2], -1))
    out = F.matmul(F.reshape(x, (-1, x.shape[-1])), y2)
    return F.reshape(out, x.shape[:-1] + y.shape[:-2] + y.shape[-1:])


def batch_dot(x, y, axes=None) -> Tensor:
    """Per-sample dot product, contracting ``x``'s axis ``axes[0]`` with ``y``'s ``axes[1]``.

    The result's shape is ``x.shape`` without ``axes[0]`` followed by ``y.shape[1:]``
    without ``axes[1]``; a result of rank 1 becomes ``(B, 1)``.  ``axes`` may be an int
    (the same axis for both); by default the last axis of ``x`` meets ``y``'s
    second-to-last (a batched matmul), or the last one for two 2D inputs.

    >>> a = Tensor(np.ones((4, 2, 3))); b = Tensor(np.ones((4, 5, 3)))
    >>> batch_dot(a, b, axes=[2, 2]).shape
    (4, 2, 5)
    """
    x, y = _t(x), _t(y)
    if axes is None:
        axes = (x.ndim - 1, y.ndim - 1 if y.ndim == 2 else y.ndim - 2)
    elif isinstance(axes, (int, np.integer)):
        axes = (axes, axes)
    ax, ay = int(axes[0]) % x.ndim, int(axes[1]) % y.ndim
    if ax == 0 or ay == 0 or x.shape[ax] != y.shape[ay] or x.shape[0] != y.shape[0]:
        raise ValueError(f"batch_dot: cannot contract axis {ax} of a tensor of shape {x.shape} "
                         f"with axis {ay} of a tensor of shape {y.shape} (the batch axis 0 "
                         f"is kept, the contracted sizes must match)")
    x_rest = [i for i in range(1, x.ndim) if i != ax]
    y_rest = [i for i in range(1, y.ndim) if i != ay]
    batch, k = x.shape[0], x.shape[ax]
    x3 = F.reshape(F.transpose(x, [0] + x_rest + [ax]), (batch, -1, k))
    y3 = F.reshape(F.transpose(y, [0, ay] + y_rest), (batch, k, -1))
    out_shape = (batch,) + tuple(x.shape[i] for i in x_rest) + tuple(y.shape[i] for i in y_rest)
    out = F.reshape(F.matmul(x3, y3), out_shape)
    return F.reshape(out, (batch, 1)) if out.ndim == 1 else out


def transpose(x) -> Tensor:
    """Reverse the order of all axes."""
    return F.transpose(_t(x))


def gather(reference, indices) -> Tensor:
    """Rows ``reference[indices]`` (an Embedding lookup; repeated ids add their gradients)."""
    idx = indices.data if isinstance(indices, Tensor) else indices
    return F.getitem(_t(reference), np.asarray(idx).astype(np.int64))


# ---- reshaping --------------------------------------------------------------------
def concatenate(tensors, axis=-1) -> Tensor:
    tensors = [_t(t) for t in tensors]
    return F.concatenate(tensors, axis=axis % tensors[0].ndim if axis < 0 else axis)


def reshape(x, shape) -> Tensor:
    return F.reshape(_t(x), tuple(shape))


def permute_dimensions(x, pattern) -> Tensor:
    """Reorder axes, e.g. ``(0, 2, 1)``."""
    return F.transpose(_t(x), tuple(pattern))


def repeat(x, n: int) -> Tensor:
    """``(B, d) -> (B, n, d)`` (RepeatVector)."""
    x = _t(x)
    if x.ndim != 2:
        raise ValueError(f"repeat expects a 2D tensor (batch, dim), got shape {x.shape}")
    return F.tile(F.expand_dims(x, 1), (1, n, 1))


def repeat_elements(x, rep: int, axis: int) -> Tensor:
    """Repeat each entry ``rep`` times along ``axis`` (``np.repeat``)."""
    return F.repeat(_t(x), rep, axis=axis)


def tile(x, n) -> Tensor:
    """Tile ``x`` ``n`` times (an int, or one count per axis)."""
    return F.tile(_t(x), n)


def flatten(x) -> Tensor:
    return F.reshape(_t(x), (-1,))


def batch_flatten(x) -> Tensor:
    """``(B, ...) -> (B, prod(...))``."""
    x = _t(x)
    return F.reshape(x, (x.shape[0], -1))


def expand_dims(x, dim: int = -1) -> Tensor:
    return F.expand_dims(_t(x), dim)


def squeeze(x, axis: int) -> Tensor:
    return F.squeeze(_t(x), axis)


def reverse(x, axes) -> Tensor:
    """Reverse the order of elements along ``axes`` (an int or a list)."""
    return F.flip(_t(x), axes)


def stack(x) -> Tensor:
    """Stack a list of same-shaped tensors along a new axis 0."""
    return F.stack([_t(t) for t in x], axis=0)


def one_hot(indices, nb_classes: int) -> Tensor:
    """``(...)`` integer ids -> ``(..., nb_classes)`` floats (a constant)."""
    ids = np.asarray(indices.data if isinstance(indices, Tensor) else indices).astype(np.int64)
    return Tensor(np.eye(nb_classes, dtype=K.floatx())[ids])


# ---- padding and resizing ---------------------------------------------------------------
def _pad(x, pairs: dict) -> Tensor:
    """Zero-pad ``x``; ``pairs`` maps axis -> (before, after)."""
    x = _t(x)
    return F.pad(x, [pairs.get(i, (0, 0)) for i in range(x.ndim)])


def temporal_padding(x, padding: int = 1) -> Tensor:
    """Zero-pad the time axis (1) of ``(B, T, d)`` by ``padding`` on both sides."""
    return _pad(x, {1: (padding, padding)})


def asymmetric_temporal_padding(x, left_pad: int = 1, right_pad: int = 1) -> Tensor:
    return _pad(x, {1: (left_pad, right_pad)})


def _spatial_axes(dim_ordering: str, n: int) -> list:
    return list(range(2, 2 + n)) if _ordering(dim_ordering) == "th" else list(range(1, 1 + n))


def spatial_2d_padding(x, padding=(1, 1), dim_ordering="default") -> Tensor:
    """Zero-pad rows by ``padding[0]`` and columns by ``padding[1]`` on both sides."""
    rows, cols = _spatial_axes(dim_ordering, 2)
    return _pad(x, {rows: (padding[0], padding[0]), cols: (padding[1], padding[1])})


def asymmetric_spatial_2d_padding(x, top_pad=1, bottom_pad=1, left_pad=1, right_pad=1,
                                  dim_ordering="default") -> Tensor:
    rows, cols = _spatial_axes(dim_ordering, 2)
    return _pad(x, {rows: (top_pad, bottom_pad), cols: (left_pad, right_pad)})


def spatial_3d_padding(x, padding=(1, 1, 1), dim_ordering="default") -> Tensor:
    axes = _spatial_axes(dim_ordering, 3)
    return _pad(x, {a: (p, p) for a, p in zip(axes, padding)})


def resize_images(X, height_factor: int, width_factor: int, dim_ordering) -> Tensor:
    """Nearest-neighbour upsampling of ``(B, C, H, W)`` ('th') or ``(B, H, W, C)`` ('tf')."""
    rows, cols = _spatial_axes(dim_ordering, 2)
    return F.repeat(F.repeat(_t(X), height_factor, axis=rows), width_factor, axis=cols)


def resize_volumes(X, depth_factor: int, height_factor: int, width_factor: int,
                   dim_ordering) -> Tensor:
    """Nearest-neighbour upsampling of the three spatial axes of a 5D tensor."""
    out = _t(X)
    for axis, factor in zip(_spatial_axes(dim_ordering, 3),
                            (depth_factor, height_factor, width_factor)):
        out = F.repeat(out, factor, axis=axis)
    return out
