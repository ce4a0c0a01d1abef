"""2-D max and average pooling on (B, C, H, W), with stride and padding.

Both are primitives rather than composites: a composite would need one strided
slice Tensor per window cell plus a chain of ``maximum`` nodes, kh*kw graph nodes
and copies per pooling, where a primitive loops over the cells on plain arrays.

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
from ..tensor import Tensor
from . import kept
from .movement import ScatterAdd

BLOCK_ELEMENTS = 1 << 16  # the max-pool backward's temporaries: ~64k numbers each


def _storage_order(a) -> list:
    """The axes of ``a`` from the slowest-varying in memory to the fastest."""
    return sorted(range(a.ndim), key=lambda k: -abs(a.strides[k]))


def _lent_like(a, dtype) -> np.ndarray:
    """An uninitialised array of ``a``'s shape, stored in ``a``'s axis order, from
    ``kept`` (reused from batch to batch: a fresh one cost 2600 page faults a step in
    the CNN benchmark, about as long as the max-pool backward's arithmetic)."""
    order = _storage_order(a)
    return kept.lend(tuple(a.shape[k] for k in order), dtype).transpose(np.argsort(order))


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


def _offsets(shape, pool, stride):
    """For each cell (u, v) of the window: the strided slice of the padded input that
    holds cell (u, v) of every window.  Pooling is then kh*kw elementwise ops on
    whole (B, C, OH, OW) slices, which numpy runs far faster than a reduction over
    a 6-d strided view of the windows."""
    oh, ow = ((n - k) // s + 1 for n, k, s in zip(shape[2:], pool, stride))
    return [(slice(None), slice(None), slice(u, u + stride[0] * (oh - 1) + 1, stride[0]),
             slice(v, v + stride[1] * (ow - 1) + 1, stride[1]))
            for u in range(pool[0]) for v in range(pool[1])]


def _separable_max(xp, pool, stride):
    """Max over every window, taken in two passes: over each window's rows (kh - 1
    maximums of whole strided row blocks), then over its columns (kw - 1 more, on a
    kh times smaller array); the max of a rectangle is the max of its row maxima.
    Cheaper than kh*kw passes over the output, and every pass reads long runs.
    Keeps the memory order of ``xp`` (a convolution's output is spatial-major, so
    the runs are whole ``B*C`` rows of numbers)."""
    oh, ow = ((n - k) // s + 1 for n, k, s in zip(xp.shape[2:], pool, stride))
    rows = _max_of([xp[:, :, u:u + stride[0] * (oh - 1) + 1:stride[0]] for u in range(pool[0])])
    return _max_of([rows[..., v:v + stride[1] * (ow - 1) + 1:stride[1]] for v in range(pool[1])])


def _max_of(parts):
    """The elementwise max of same-shaped arrays, in their memory order (no first copy)."""
    if len(parts) == 1:
        return parts[0].copy(order="K")
    out = np.maximum(parts[0], parts[1])  # ufuncs allocate in the inputs' order ('K')
    for part in parts[2:]:
        np.maximum(out, part, out=out)
    return out


def _tiles(shape, pool, stride) -> bool:
    """True when the windows cover every cell exactly once (stride == pool, sizes
    divisible): the backward may then write each cell's share instead of adding it."""
    return tuple(pool) == tuple(stride) and all(n % k == 0 for n, k in zip(shape[2:], pool))


def _unpad(grad_padded, padding):
    (t, b), (l, r) = padding
    H, W = grad_padded.shape[2:]
    return grad_padded[:, :, t:H - b, l:W - r]


def _recorded_scatter(share, cells, hits, padded_shape, padding):
    """The pooling gradient as recorded ops (create_graph): ``share`` (times the
    constant ``hits`` mask of each cell, for max) scattered into every cell's
    strided slice of the padded input, then the padding cut off."""
    total = None
    for k, cell in enumerate(cells):
        part = share if hits is None else share * hits[k]
        spread = ScatterAdd.apply(part, shape=padded_shape, index=cell)
        total = spread if total is None else total + spread
    (t, b), (l, r) = padding
    return total[:, :, t:padded_shape[2] - b, l:padded_shape[3] - r]


class MaxPool2D(Function):
    """Max over each ``pool`` window, (B, C, H, W) -> (B, C, OH, OW).

    Options: ``pool=(kh, kw)``, ``stride=(sh, sw)``, ``padding=((t, b), (l, r))``.

    The gradient is linear in ``grad`` with constant masks (which cell won), so
    under ``create_graph`` it is recorded as one ``ScatterAdd`` per window cell
    (differentiable to any order); the ordinary pass scatters into one numpy buffer.
    """

    def forward(self, x, pool=(2, 2), stride=(2, 2), padding=((0, 0), (0, 0))):
        self.padding = padding
        self.xp = _pad(x, padding, -np.inf)
        self.cells = _offsets(self.xp.shape, pool, stride)
        self.tiles = _tiles(self.xp.shape, pool, stride)
        self.pool, self.stride = pool, stride
        self.out = _separable_max(self.xp, pool, stride)
        return self.out

    def backward(self, grad):
        if not isinstance(grad, Tensor):
            return self._array_backward(grad)
        hits = [self.xp[cell] == self.out for cell in self.cells]
        count = hits[0].astype(grad.dtype)  # tied maxima share the gradient
        for hit in hits[1:]:
            count += hit
        return _recorded_scatter(grad / count, self.cells, hits, self.xp.shape, self.padding)

    def _array_backward(self, grad):
        """The same arithmetic on arrays, a few output rows at a time, so that every
        temporary is small (it stays in cache: the big arrays are each read or written
        once) and stored in the layout of ``out`` (the elementwise ops run in one memory
        order).  The count of tied maxima is kept in uint8 when no window has 256 cells
        (its sums take a quarter of the time of float ones)."""
        (kh, kw), (sh, sw) = self.pool, self.stride
        oh, ow = self.out.shape[2:]
        dxp = _lent_like(self.xp, grad.dtype)
        if not self.tiles:  # overlapping windows add up; else every cell is written once
            dxp[...] = 0
        rows = max(1, BLOCK_ELEMENTS // max(1, self.out[:, :, :1].size))
        for r0 in range(0, oh, rows):
            r1 = min(r0 + rows, oh)
            out = self.out[:, :, r0:r1]
            cells = [(slice(None), slice(None), slice(u + r0 * sh, u + (r1 - 1) * sh + 1, sh),
                      slice(v, v + (ow - 1) * sw + 1, sw)) for u in range(kh) for v in range(kw)]
            hits = [np.equal(self.xp[cell], out) for cell in cells]
            count = np.empty_like(out, dtype=np.uint8 if len(hits) < 256 else grad.dtype)
            np.copyto(count, hits[0])
            for hit in hits[1:]:
                np.add(count, hit, out=count)
            share = np.empty_like(out, dtype=grad.dtype)
            np.copyto(share, grad[:, :, r0:r1])  # into out's layout, then in place
            np.divide(share, count, out=share)
            for cell, hit in zip(cells, hits):
                if self.tiles:
                    np.multiply(hit, share, out=dxp[cell])
                else:
                    dxp[cell] += hit * share
        # keep xp/out: with retain_graph a second backward comes through here again
        # (the engine drops this Function, and with it the arrays, when it releases the node)
        return _unpad(dxp, self.padding)


class AvgPool2D(Function):
    """Mean over each ``pool`` window, padded cells excluded, (B, C, H, W) -> (B, C, OH, OW).

    Options as :class:`MaxPool2D`.

    The gradient is linear in ``grad`` with constant weights (one over each window's size), so
    under ``create_graph`` it is recorded as one ``ScatterAdd`` per window cell
    (differentiable to any order); the ordinary pass scatters into one numpy buffer.
    """

    def forward(self, x, pool=(2, 2), stride=(2, 2), padding=((0, 0), (0, 0))):
        self.padding = padding
        xp = _pad(x, padding, 0)
        self.padded_shape = xp.shape
        self.cells = _offsets(xp.shape, pool, stride)
        real = _pad(np.ones((1, 1) + x.shape[2:], dtype=x.dtype), padding, 0)
        self.count = np.sum([real[cell] for cell in self.cells], axis=0)  # (1, 1, OH, OW)
        total = xp[self.cells[0]].copy()
        for cell in self.cells[1:]:
            total += xp[cell]
        return total / self.count

    def backward(self, grad):
        share = grad / self.count.astype(grad.dtype)
        if isinstance(grad, Tensor):
            return _recorded_scatter(share, self.cells, None, self.padded_shape, self.padding)
        dxp = np.zeros(self.padded_shape, dtype=grad.dtype)
        for cell in self.cells:
            dxp[cell] += share
        return _unpad(dxp, self.padding)
