"""The "shifted" implementation of 2-D correlation (the default at stride 1).

Two variants share the spatial-major layout below.  At stride 1, ``Correlate2D``
runs ``correlate_runs`` / ``grads_runs`` (end of this file): no patch matrix at all,
one product per kernel tap straight out of the image, output row by output row.  The
grid variant that follows (``correlate_shifted``, ``grad_on_grid``,
``input_grad_shifted``, ``weight_grad_shifted``) serves the other strides and
``CorrelateTranspose2D``.

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

from . import kept

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


# ---- stride 1: the output row by row, from runs of whole rows -----------------------
#
# At stride 1 the window row ``i`` of every image reads, for tap ``(u, v)``, the input
# rows ``(i + u*dh, v*dw .. v*dw + OW - 1)`` of every image: ``OW*B`` consecutive rows of
# ``x`` (a *run*).  So the output row ``i`` (compact, ``OW*B`` rows) is the sum over the
# taps of ``run(i, u, v) @ w[:, :, u, v].T``: ``kh*kw`` products straight out of ``x``,
# no patch matrix at all, accumulated in place by BLAS (``_gemm_into``).  The gradients
# take the same runs: d w sums ``run(i, u, v).T @ g_row(i)``, and d x adds
# ``g_row(i) @ w[:, :, u, v]`` into the run of input rows it came from.  No junk rows are
# computed and the output is compact spatial-major ``(OH, OW, B, F)``.  When ``C`` is
# tiny (a first layer: grey or colour images) one product per tap is too thin for BLAS,
# so the ``kh*kw`` runs of a piece are first copied into a patch block (``_PatchBlock``,
# still small) and multiplied once.

BLAS_TYPES = (np.dtype(np.float32), np.dtype(np.float64))
# C from which a product per tap beats a tap-major patch block: measured on AVX512
# (SkylakeX kernel), 3x3 kernels, forward and d w: patches 3.3x / 1.5x faster at C = 1
# (128 28x28 images, F = 32), 1.4x / 1.04x at C = 3 (32 66x66 images, F = 64), taps
# 1.0x / 1.5x faster at C = 4
TAP_CHANNELS = 4
RUN_ROWS = 4096    # a run longer than this is cut in pieces (cache)
# OpenBLAS multiplies small matrices (M*N*K <= 100**3) with a kernel of its own that
# skips packing (on SkylakeX, and some other cores): the thin products here run up to
# 1.7x faster in pieces short enough for it (measured, SkylakeX, 3x3 kernels, a
# layer's forward + backward: C = F = 32 at batch 128, 50 -> 43 ms; C = 16,
# F = 32, 35 -> 26 ms; C = F = 64, neutral).  So a piece is at most SMALL_MNK over the
# product of the two other sides, unless that would leave fewer than MIN_PIECE rows.
SMALL_MNK = 100 ** 3
MIN_PIECE = 128


def _gemm_into(dtype):
    """A function ``into(c, a, b, beta=1)``: ``c = beta*c + a @ b`` in place (``beta``
    1 or 0), for a C-contiguous ``c`` and ``b`` and an ``a`` that is C-contiguous or
    the transpose of a C-contiguous array, of ``dtype`` (BLAS gemm: numpy's matmul has
    no accumulating form, and a product into a temporary plus an add costs a third more
    here).  BLAS sees the row-major matrices as column-major transposes:
    ``c.T = beta*c.T + b.T @ a.T``, with ``a.T`` read as the transpose of ``a`` when
    ``a`` is itself a transposed view."""
    if np.dtype(dtype) not in BLAS_TYPES:
        def into(c, a, b, beta=1.0):
            if beta:
                c += a @ b
            else:
                np.matmul(a, b, out=c)
        return into
    from scipy.linalg.blas import get_blas_funcs  # here: scipy.linalg is slow to import

    gemm = get_blas_funcs("gemm", dtype=dtype)

    def into(c, a, b, beta=1.0):
        ct = c.T
        if a.flags.c_contiguous:
            done = gemm(1.0, b.T, a.T, beta=beta, c=ct, overwrite_c=1)
        else:
            done = gemm(1.0, b.T, a, beta=beta, c=ct, overwrite_c=1, trans_b=1)
        if done is not ct:  # the wrapper had to copy ``c`` (never for the runs here): redo
            if beta:
                c += a @ b
            else:
                np.matmul(a, b, out=c)
    return into


def _piece_rows(sides: int) -> int:
    """The longest piece for products whose two other sides multiply to ``sides``."""
    small = SMALL_MNK // sides
    return min(RUN_ROWS, small) if small >= MIN_PIECE else RUN_ROWS


def _pieces(run: int, sides: int):
    """``[a, b)`` pieces of a run, near-equal and at most ``_piece_rows(sides)`` long."""
    n = -(-run // _piece_rows(sides))
    cuts = [run * p // n for p in range(n + 1)]
    return list(itertools.pairwise(cuts))


def _run_pieces(run: int, C: int, F: int, taps: list):
    """The pieces of a run of the products of ``C`` channels in, ``F`` out (one per tap,
    or one patch block of all taps below ``TAP_CHANNELS``), and the longest one's rows."""
    pieces = _pieces(run, C * F if C >= TAP_CHANNELS else len(taps) * C * F)
    return pieces, max(b - a for a, b in pieces)


class _PatchBlock:
    """The patches of a piece of ``n`` rows from ``start``, stored tap-major: a
    ``(taps*C, n)`` matrix whose rows ``t*C .. t*C + C - 1`` are the run of tap ``t``,
    transposed (for ``C = 1`` each tap is one contiguous copy: 4x faster than writing
    the runs side by side).  One buffer, reused."""

    def __init__(self, x, taps, rows):
        self.x, self.taps = x, taps
        self.buffer = np.empty((len(taps), x.shape[1], rows), dtype=x.dtype)

    def __call__(self, start: int, n: int) -> np.ndarray:
        block = self.buffer[:, :, :n]
        for t, off in enumerate(self.taps):
            block[t] = self.x[start + off:start + off + n].T
        return block.reshape(-1, n)


def correlate_runs(xp, w, dilation, bias=None, relu=False) -> np.ndarray:
    """Stride-1 'valid' correlation of the padded ``xp`` (B, C, H, W) with ``w``
    (F, C, kh, kw) -> (B, F, OH, OW), stored compact spatial-major; ``bias`` (F,) and
    ``relu`` applied to each piece of output while it is in cache."""
    from .conv import out_length

    B, C, H, W = xp.shape
    F, _, kh, kw = w.shape
    oh, ow = (out_length(n, kk, 1, d) for n, kk, d in zip((H, W), (kh, kw), dilation))
    if oh < 1 or ow < 1:
        raise ValueError(f"correlate: the kernel {(kh, kw)} with dilation {tuple(dilation)} "
                         f"does not fit in the padded input {(H, W)}")
    x, run = _rows(xp), ow * B
    taps = _offsets((H, W), (kh, kw), dilation, B)  # row shift of each tap (u, v)
    dtype = np.result_type(xp, w)
    kernel = np.ascontiguousarray(w.transpose(2, 3, 1, 0), dtype=dtype)  # (kh, kw, C, F)
    kernel = kernel.reshape(-1, F) if C < TAP_CHANNELS else kernel.reshape(-1, C, F)
    out = kept.lend((oh * run, F), dtype)
    x = x.astype(dtype, copy=False)
    pieces, longest = _run_pieces(run, C, F, taps)
    patches = None if C >= TAP_CHANNELS else _PatchBlock(x, taps, longest)
    gemm_into = _gemm_into(dtype)
    for i in range(oh):
        for a, b in pieces:
            block, start = out[i * run + a:i * run + b], i * W * B + a
            if patches is None:
                for t, off in enumerate(taps):  # the first product overwrites
                    run_t = x[start + off:start + off + b - a]
                    gemm_into(block, run_t, kernel[t], 1.0 if t else 0.0)
            else:
                np.matmul(patches(start, b - a).T, kernel, out=block)
            if bias is not None:
                block += bias
            if relu:
                np.maximum(block, 0, out=block)
    return out.reshape(oh, ow, B, F).transpose(SPATIAL_MAJOR)


def grads_runs(g, xp, w, dilation, positive=None, need_dx=True, need_dw=True,
               need_db=False) -> tuple:
    """``(d xp, d w, d b)`` of ``correlate_runs`` from its output gradient ``g``
    (B, F, OH, OW), each only when asked for (else None); d xp is compact spatial-major.
    With ``positive`` (an array of g's shape), g counts only where ``positive > 0`` (the
    gradient through a fused relu, ``positive`` its output).  One pass over the output
    rows: row ``p`` of the (masked) gradient is made, summed for d b and used for d w
    while in cache, and the input row ``p`` of d x gathers from it and the rows before."""
    B, C, H, W = xp.shape
    F, _, kh, kw = w.shape
    oh, ow = g.shape[2:]
    run, dtype = ow * B, np.result_type(g, w, xp)
    taps = _offsets((H, W), (kh, kw), dilation, B)  # row shift of each tap (u, v)
    g_rows = g.transpose(SPATIAL_MAJOR)                     # (OH, OW, B, F), a view
    p_rows = None if positive is None else positive.transpose(SPATIAL_MAJOR)
    # the masked gradient's rows, in a ring: d x at input row p reads the output rows
    # p - u*dh, so the last (kh - 1)*dh + 1 of them (a few MB at most: stays in cache)
    ring = (kh - 1) * dilation[0] + 1 if need_dx else 1
    gm = kept.take((ring, run, F), dtype)
    db = np.zeros(F, dtype=dtype) if need_db else None
    ones = np.ones(run, dtype=dtype)  # d b as products: 4x faster than .sum(axis=0) here
    x = _rows(xp).astype(dtype, copy=False) if need_dw else None
    dw = np.zeros((len(taps), C, F), dtype=dtype) if need_dw else None
    pieces, longest = _run_pieces(run, C, F, taps)
    patches = None if C >= TAP_CHANNELS or not need_dw else _PatchBlock(x, taps, longest)
    dx = kept.lend((H * W * B, C), dtype) if need_dx else None
    # d x adds g_row(i) @ w_uv.T into the input rows i + u*dh: kernel (kh, kw, F, C)
    kernel = np.ascontiguousarray(w.transpose(2, 3, 0, 1), dtype=dtype).reshape(-1, F, C)
    gemm_into = _gemm_into(dtype)
    for p in range(H):  # output row p (if any), then input row p
        if p < oh:
            gp = gm[p % ring].reshape(ow, B, F)
            if p_rows is None:
                gp[...] = g_rows[p]
            else:
                np.greater(p_rows[p], 0, out=gp)  # 1.0 or 0.0: as fast as a bool mask
                np.multiply(gp, g_rows[p], out=gp)
            gp = gm[p % ring]
            if need_db:
                db += ones @ gp
        if need_dw and p < oh:
            for a, b in pieces:
                gi, start = gp[a:b], p * W * B + a
                if patches is None:
                    for t, off in enumerate(taps):
                        gemm_into(dw[t], x[start + off:start + off + b - a].T, gi)
                else:
                    dw += (patches(start, b - a) @ gi).reshape(dw.shape)
        if need_dx:
            _input_row_grad(dx[p * W * B:(p + 1) * W * B], p, gm, kernel, (oh, run, kw),
                            dilation, B, pieces, gemm_into)
    kept.give(gm)
    if dx is not None:
        dx = dx.reshape(H, W, B, C).transpose(SPATIAL_MAJOR)
    if dw is not None:
        dw = dw.reshape(kh, kw, C, F).transpose(3, 2, 0, 1)
    return dx, dw, db


def _input_row_grad(row, p, gm, kernel, sizes, dilation, B, pieces, gemm_into) -> None:
    """Input row ``p`` of d x (``W*B`` rows), from the output rows ``i = p - u*dh`` of the
    masked gradient in the ring ``gm``: ``g_row(i) @ w_uv.T`` added at the shift
    ``v*dw*B``.  The first of them at ``v = 0`` covers the first ``OW*B`` rows: written
    (beta 0) rather than added, so only the rest of the row needs zeros first."""
    oh, run, kw = sizes
    fresh = True
    for u in range(len(kernel) // kw):
        i = p - u * dilation[0]
        if not 0 <= i < oh:
            continue
        g_row = gm[i % len(gm)]
        if fresh:
            for a, b in pieces:
                gemm_into(row[a:b], g_row[a:b], kernel[u * kw], 0.0)
            row[run:] = 0
        for a, b in pieces:
            for v in range(1 if fresh else 0, kw):
                s = v * dilation[1] * B + a
                gemm_into(row[s:s + b - a], g_row[a:b], kernel[u * kw + v])
        fresh = False
    if fresh:  # no window reads this row (a dilated kernel's gaps)
        row[...] = 0
