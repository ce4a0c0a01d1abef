"""The "shifted" implementation of 2-D correlation (the default at stride 1).

Why it exists: speed and memory.  ``im2col`` (``conv.py``) copies every receptive
field into one patch matrix of ``C*kh*kw`` rows by ``B*OH*OW`` columns: tens of MB per
call, written out to memory and read back by the matrix multiply.  Here the same
product is computed a block at a time, and the patch matrix never exists whole.

The idea: store the (padded) input *spatial-major*, as ``(H, W, B, C)``, and see it
as a matrix ``x`` of ``H*W*B`` rows (one per pixel of each image, the pixel ``(i, j)``
of image ``b`` at row ``r = (i*W + j)*B + b``) by ``C`` columns.  Kernel tap
``(u, v)`` reads pixel ``(i + u*dh, j + v*dw)``, which is row ``r + off`` with the
*constant* ``off = (u*dh*W + v*dw)*B``.  So the taps of the output rows ``[s, e)`` are
the row ranges ``x[s + off : e + off]``, one per tap: ``kh*kw`` copies build the
block's patch matrix (~1 MB, so it stays in cache) and one matmul with the kernel
turns it into the block's outputs.

The result is computed on the input grid, ``(H, W, B, F)``, in the rows
``r < H*W*B - max(off)`` (the last valid output pixel is the last of those); rows
whose window crosses the right edge (or wraps into the next image row) are junk and
never read: the output is the strided view of the valid ones, still spatial-major.
That layout is kept on purpose: the elementwise ops after a convolution keep it, and
pooling over it (``pool.py``) runs over long runs of ``B*C`` numbers.

The two gradients use the same device:

* d w: ``dw[f, c, u, v] = sum_r g[r, f] * x[r + off, c]`` with ``g`` placed on the
  input grid (zero at the junk rows, so they add nothing);
* d x: ``dx[r, c] = sum_{f, u, v} w[f, c, u, v] * g[r - off, f]``, a correlation of the
  gridded ``g`` (after ``max(off)`` zero rows) with the same kernel.  A shifted read
  that crosses an image-row edge lands on a junk row of ``g``, which is zero, so no
  wrap-around term is counted.  The same block of patches of ``g`` also gives d w,
  as ``sum_r g[r - off, f] * x[r, c]`` (``r`` shifted by ``off``).

Strides: ``g`` on the grid is zero between the strided positions, so both gradients
hold as they are; the forward computes every grid position and keeps the strided
ones (``Correlate2D`` therefore picks ``im2col`` when the stride is not 1).
"""
from __future__ import annotations

import itertools

import numpy as np

BLOCK_ELEMENTS = 1 << 18  # a block's patch matrix: 256k numbers, 1 MB in float32
SPATIAL_MAJOR = (2, 3, 0, 1)  # (B, C, H, W) <-> (H, W, B, C); its own inverse


def _offsets(hw, k, dilation, batch) -> list:
    """Row shift of every kernel tap (u, v), in (u, v) row-major order."""
    return [(u * dilation[0] * hw[1] + v * dilation[1]) * batch
            for u in range(k[0]) for v in range(k[1])]


def _rows(a) -> np.ndarray:
    """(B, C, H, W) -> the (H*W*B, C) matrix; a view when ``a`` is spatial-major."""
    return np.ascontiguousarray(a.transpose(SPATIAL_MAJOR)).reshape(-1, a.shape[1])


def _blocks(n_rows: int, patch_columns: int):
    """``[s, e)`` row ranges whose patch block (width x ``patch_columns``) is ~1 MB."""
    width = max(64, BLOCK_ELEMENTS // patch_columns)
    return ((s, min(s + width, n_rows)) for s in range(0, n_rows, width))


def _window_blocks(hw, k, dilation, batch: int, patch_columns: int):
    """``[s, e)`` row ranges covering exactly the rows whose window fits (stride 1):
    for each first window row ``i``, the rows of pixels ``(i, 0 .. ow-1)``, contiguous
    (``ow*B`` rows), cut into near-equal ~1 MB blocks.  The rows in between are the
    junk ones; skipping them spares their share of the matmul.  Short runs (small
    images, small batches) are not worth a block each: then every row up to the last
    window's, junk included, in ~1 MB blocks."""
    W, width = hw[1], max(64, BLOCK_ELEMENTS // patch_columns)
    oh, ow = (n - (kk - 1) * d for n, kk, d in zip(hw, k, dilation))
    run = ow * batch
    if run < 256:
        yield from _blocks(((oh - 1) * W + ow) * batch, patch_columns)
        return
    pieces = -(-run // width)
    cuts = [run * p // pieces for p in range(pieces + 1)]
    for i in range(oh):
        start = i * W * batch
        yield from ((start + a, start + b) for a, b in itertools.pairwise(cuts))


class _Gatherer:
    """Builds the patch matrix of rows ``[s, e)`` in one reused buffer: an
    ``(e - s, len(offsets) * C)`` matrix whose column block ``k`` is
    ``src[s + offsets[k] : e + offsets[k]]``."""

    def __init__(self, src, offsets):
        self.src, self.offsets = src, offsets
        self.columns = len(offsets) * src.shape[1]
        self.buffer = np.empty(max(64, BLOCK_ELEMENTS // self.columns) * self.columns,
                               dtype=src.dtype)

    def __call__(self, s, e) -> np.ndarray:
        block = self.buffer[:(e - s) * self.columns].reshape(e - s, len(self.offsets), -1)
        for k, off in enumerate(self.offsets):
            block[:, k] = self.src[s + off:e + off]
        return block.reshape(e - s, self.columns)


def correlate_shifted(xp, w, stride, dilation, bias=None, relu=False) -> np.ndarray:
    """'valid' correlation of the padded ``xp`` (B, C, H, W) with ``w`` (F, C, kh, kw)
    -> (B, F, OH, OW), a strided view of the spatial-major (H, W, B, F) grid result.
    ``bias`` (F,) is added and ``relu`` applied block by block, while it is in cache."""
    from .conv import out_length

    B, _, H, W = xp.shape
    F, _, kh, kw = w.shape
    oh, ow = (out_length(n, k, s, d) for n, k, s, d in zip((H, W), (kh, kw), stride, dilation))
    if oh < 1 or ow < 1:
        raise ValueError(f"correlate: the kernel {(kh, kw)} with dilation {tuple(dilation)} "
                         f"does not fit in the padded input {(H, W)}")
    offsets = _offsets((H, W), (kh, kw), dilation, B)
    gather = _Gatherer(_rows(xp), offsets)
    kernel = np.ascontiguousarray(w.transpose(2, 3, 1, 0)).reshape(-1, F)  # rows (u, v, c)
    grid = np.empty((H * W * B, F), dtype=np.result_type(xp, w))
    blocks = (_window_blocks((H, W), (kh, kw), dilation, B, gather.columns)
              if tuple(stride) == (1, 1) else _blocks(H * W * B - offsets[-1], gather.columns))
    for s, e in blocks:
        block = grid[s:e]
        np.matmul(gather(s, e), kernel, out=block)
        if bias is not None:
            block += bias
        if relu:
            np.maximum(block, 0, out=block)
    rows = slice(0, (oh - 1) * stride[0] + 1, stride[0])
    cols = slice(0, (ow - 1) * stride[1] + 1, stride[1])
    return grid.reshape(H, W, B, F)[rows, cols].transpose(SPATIAL_MAJOR)


def grad_on_grid(g, padded_hw, k, stride, dilation, mask=None) -> tuple:
    """``g`` (B, F, OH, OW) (times ``mask`` of its shape, if given) placed on the
    spatial-major input grid, zero elsewhere, after ``lead = max(off)`` zero rows:
    returns ``(rows (lead + H*W*B, F), lead)``."""
    B, F, oh, ow = g.shape
    H, W = padded_hw
    lead = _offsets((H, W), k, dilation, B)[-1]
    if tuple(stride) == (1, 1):  # zero only what the cells below do not cover
        flat = np.empty((lead + H * W * B, F), dtype=g.dtype)
        grid = flat[lead:].reshape(H, W, B, F)
        flat[:lead] = grid[oh:] = grid[:oh, ow:] = 0
    else:
        flat = np.zeros((lead + H * W * B, F), dtype=g.dtype)
        grid = flat[lead:].reshape(H, W, B, F)
    cells = grid[:(oh - 1) * stride[0] + 1:stride[0], :(ow - 1) * stride[1] + 1:stride[1]]
    if mask is None:
        cells[...] = g.transpose(SPATIAL_MAJOR)
    else:
        np.multiply(g.transpose(SPATIAL_MAJOR), mask.transpose(SPATIAL_MAJOR), out=cells)
    return flat, lead


def input_grad_shifted(gflat, lead, w, padded_hw, dilation, xp=None) -> tuple:
    """d xp (B, C, H, W) (spatial-major) from the gridded gradient of ``grad_on_grid``,
    and d w too when the padded input ``xp`` is given (else None): both from one
    gather of the patches of g."""
    F, C, kh, kw = w.shape
    H, W = padded_hw
    n = gflat.shape[0] - lead
    B = n // (H * W)
    # read g[r - off] as gflat[lead - off + r]: shifts relative to row lead
    gather = _Gatherer(gflat, [lead - off for off in _offsets((H, W), (kh, kw), dilation, B)])
    kernel = np.ascontiguousarray(w.transpose(2, 3, 0, 1)).reshape(-1, C)  # rows (u, v, f)
    dx = np.empty((n, C), dtype=np.result_type(gflat, w))
    x = None if xp is None else _rows(xp)
    dw = None if xp is None else np.zeros((kernel.shape[0], C), np.result_type(gflat, xp))
    for s, e in _blocks(n, gather.columns):
        patches = gather(s, e)
        np.matmul(patches, kernel, out=dx[s:e])
        if x is not None:
            dw += patches.T @ x[s:e]
    dx = dx.reshape(H, W, B, C).transpose(SPATIAL_MAJOR)
    if dw is not None:
        dw = dw.reshape(kh, kw, F, C).transpose(2, 3, 0, 1)
    return dx, dw


def weight_grad_shifted(gflat, lead, xp, k, dilation) -> np.ndarray:
    """d w (F, C, kh, kw) from the gridded gradient and the padded input, from patches
    of x: the cheaper gather when d x is not wanted and C is small (a first layer)."""
    B, C, H, W = xp.shape
    offsets = _offsets((H, W), k, dilation, B)
    gather = _Gatherer(_rows(xp), offsets)
    g = gflat[lead:]
    dw = np.zeros((gather.columns, g.shape[1]), dtype=np.result_type(gflat, xp))
    for s, e in _window_blocks((H, W), k, dilation, B, gather.columns):  # g is 0 elsewhere
        dw += gather(s, e).T @ g[s:e]
    return dw.reshape(k[0], k[1], C, -1).transpose(3, 2, 0, 1)
