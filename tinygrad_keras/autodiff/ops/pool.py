"""2-D max and average pooling on (B, C, H, W), with stride and padding.

Both are primitives rather than composites: a pooling window is a strided
*view* of the input (see ``conv.windows``), which no existing Tensor op can
express without copying the input once per window position.

Padding follows TensorFlow's 'same' (computed by the caller, see
``same_padding``): max pooling pads with -inf (a padded cell never wins) and
average pooling divides each window by the number of *real* cells in it, so
padded cells are excluded from the mean.

Convention at ties (max pooling): tied maxima of one window share the gradient
equally, as ``Tensor.max`` does.
"""
from __future__ import annotations

import numpy as np

from ..function import Function
from .conv import windows


def same_padding(size: int, k: int, stride: int, dilation: int = 1) -> tuple:
    """TensorFlow 'same' padding of one axis: output ``ceil(size / stride)``, the total
    pad ``max((out - 1) * stride + k_eff - size, 0)`` split with the extra cell after."""
    k_eff = k + (k - 1) * (dilation - 1)
    out = -(-size // stride)
    total = max((out - 1) * stride + k_eff - size, 0)
    return (total // 2, total - total // 2)


def _pad(x, padding, value):
    if not any(p for pair in padding for p in pair):
        return x
    return np.pad(x, ((0, 0), (0, 0)) + tuple(tuple(p) for p in padding),
                  constant_values=value)


def _scatter_windows(per_cell, padded_shape, stride, padding):
    """Sum a (B, C, OH, OW, kh, kw) array of per-window-cell gradients back onto
    the padded input, then drop the padding; loops over the kh*kw offsets only."""
    B, C, oh, ow, kh, kw = per_cell.shape
    out = np.zeros(padded_shape, dtype=per_cell.dtype)
    sh, sw = stride
    for u in range(kh):
        for v in range(kw):
            out[:, :, u:u + sh * (oh - 1) + 1:sh, v:v + sw * (ow - 1) + 1:sw] += per_cell[..., u, v]
    (t, b), (l, r) = padding
    return out[:, :, t:padded_shape[2] - b, l:padded_shape[3] - r]


class MaxPool2D(Function):
    """Max over each ``pool`` window, (B, C, H, W) -> (B, C, OH, OW).

    Options: ``pool=(kh, kw)``, ``stride=(sh, sw)``, ``padding=((t, b), (l, r))``.
    """

    def forward(self, x, pool=(2, 2), stride=(2, 2), padding=((0, 0), (0, 0))):
        self.stride, self.padding = stride, padding
        xp = _pad(x, padding, -np.inf)
        self.padded_shape = xp.shape
        win = windows(xp, pool, stride, (1, 1))
        out = win.max(axis=(4, 5))
        self.hits = win == out[..., None, None]
        return out

    def backward(self, grad):
        count = self.hits.sum(axis=(4, 5))
        share = (grad / count).astype(grad.dtype, copy=False)
        per_cell = self.hits * share[..., None, None]
        self.hits = None
        return _scatter_windows(per_cell, self.padded_shape, self.stride, self.padding)


class AvgPool2D(Function):
    """Mean over each ``pool`` window, padded cells excluded, (B, C, H, W) -> (B, C, OH, OW).

    Options as :class:`MaxPool2D`.
    """

    def forward(self, x, pool=(2, 2), stride=(2, 2), padding=((0, 0), (0, 0))):
        self.pool, self.stride, self.padding = pool, stride, padding
        xp = _pad(x, padding, 0)
        self.padded_shape = xp.shape
        real = _pad(np.ones((1, 1) + x.shape[2:], dtype=x.dtype), padding, 0)
        self.count = windows(real, pool, stride, (1, 1)).sum(axis=(4, 5))  # (1, 1, OH, OW)
        return windows(xp, pool, stride, (1, 1)).sum(axis=(4, 5)) / self.count

    def backward(self, grad):
        share = (grad / self.count).astype(grad.dtype, copy=False)
        per_cell = np.broadcast_to(share[..., None, None], share.shape + tuple(self.pool))
        return _scatter_windows(per_cell, self.padded_shape, self.stride, self.padding)
