"""3-D convolution and pooling on (B, C, D, H, W), re-exported by ``functional``.

``conv3d`` is the :class:`~.ops.conv3d.Correlate3D` primitive.  The two poolings
are *composites*: a max (or mean) over a D x H x W box is a max (mean) over depth
of the max (mean) over H x W, so each is two 2-D poolings with a reshape between,
and needs no backward code of its own.

Convention at ties (max pooling): the gradient is shared among tied maxima stage by
stage (first within each H x W window, then along depth), which is one valid
subgradient; it equals the 2-D convention whenever the maximum is unique.
"""
from __future__ import annotations

from .functional import _pool2d, as_tensor, conv_padding, reshape
from .tensor import Tensor


def triple(v, what: str) -> tuple:
    """An int or a triple of ints as a triple."""
    t = (v, v, v) if isinstance(v, int) else tuple(v)
    if len(t) != 3:
        raise ValueError(f"{what} must be an int or a triple, got {v!r}")
    return tuple(int(n) for n in t)


def conv3d_padding(mode, in_dhw: tuple, k: tuple, stride: tuple, dilation: tuple) -> tuple:
    """Three (before, after) pairs for 'valid', 'same' (TensorFlow's rule), 'full',
    or explicit pairs passed through."""
    if mode == "valid":
        return ((0, 0),) * 3
    return conv_padding(mode, in_dhw, k, stride, dilation)


def conv3d(x, w, stride=1, padding="valid", dilation=1, impl=None) -> Tensor:
    """Cross-correlation, x (B, C, D, H, W) with w (F, C, kd, kh, kw) -> (B, F, OD, OH, OW).

    >>> import numpy as np
    >>> x = Tensor(np.ones((1, 1, 3, 3, 3)))
    >>> conv3d(x, Tensor(np.ones((1, 1, 2, 2, 2)))).shape
    (1, 1, 2, 2, 2)
    """
    from .ops.conv3d import Correlate3D

    x = as_tensor(x)
    w = x._lift(w)
    if x.ndim != 5 or w.ndim != 5:
        raise ValueError(f"conv3d expects x (B, C, D, H, W) and w (F, C, kd, kh, kw), "
                         f"got shapes {x.shape} and {w.shape}")
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"conv3d: the input has {x.shape[1]} channels but the kernel "
                         f"(F, C, kd, kh, kw) = {w.shape} expects {w.shape[1]}")
    stride, dilation = triple(stride, "stride"), triple(dilation, "dilation")
    pads = conv3d_padding(padding, x.shape[2:], w.shape[2:], stride, dilation)
    return Correlate3D.apply(x, w, stride=stride, padding=pads, dilation=dilation, impl=impl)


def _pool3d(op, x, pool, stride, padding) -> Tensor:
    x = as_tensor(x)
    if x.ndim != 5:
        raise ValueError(f"3-D pooling expects (B, C, D, H, W), got shape {x.shape}")
    pool = triple(pool, "pool_size")
    stride = pool if stride is None else triple(stride, "strides")
    pads = conv3d_padding(padding, x.shape[2:], pool, stride, (1, 1, 1))
    B, C, D, H, W = x.shape
    plane = _pool2d(op, reshape(x, (B, C * D, H, W)), pool[1:], stride[1:], pads[1:])
    oh, ow = plane.shape[2:]
    depth = _pool2d(op, reshape(plane, (B, C, D, oh * ow)), (pool[0], 1), (stride[0], 1),
                    (pads[0], (0, 0)))
    return reshape(depth, (B, C, depth.shape[2], oh, ow))


def max_pool3d(x, pool=2, stride=None, padding="valid") -> Tensor:
    """Max pooling of (B, C, D, H, W); ``stride`` defaults to ``pool``; 'same' pads
    TensorFlow-style (a padded cell never wins)."""
    from .ops.pool import MaxPool2D
    return _pool3d(MaxPool2D, x, pool, stride, padding)


def avg_pool3d(x, pool=2, stride=None, padding="valid") -> Tensor:
    """Average pooling of (B, C, D, H, W); under 'same' padded cells are left out of
    each mean (the real-cell count of a box is the product of its per-axis counts)."""
    from .ops.pool import AvgPool2D
    return _pool3d(AvgPool2D, x, pool, stride, padding)
