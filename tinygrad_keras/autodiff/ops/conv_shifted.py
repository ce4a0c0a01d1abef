"""The "shifted" implementation of 2-D correlation (the default at stride 1).

Why it exists: speed and memory.  ``im2col`` (``conv.py``) copies every receptive
field into one patch matrix of ``C*kh*kw`` rows by ``B*OH*OW`` columns: tens of MB per
call, written out to memory and read back by the matrix multiply, with inner runs of
only ``OW`` numbers.  Here the same product is computed block by block from the image
itself, and the patch matrix never exists whole.

The idea: store the padded input channel-major and flatten each channel, ``x`` of
shape ``(C, N)`` with ``N = B*H*W`` and pixel ``(b, i, j)`` at column
``p = (b*H + i)*W + j``.  Kernel tap ``(u, v)`` reads pixel ``(b, i + u*dh, j + v*dw)``,
which is column ``p + off`` with the *constant* ``off = u*dh*W + v*dw``.  So the taps
of all output pixels ``p`` in a block ``[s, e)`` are the contiguous column ranges
``x[:, s + off : e + off]``, one per tap: a few long memcpys build the block's patch
matrix (``kh*kw*C`` rows, ~1 MB, so it stays in cache) and one matmul turns it into
the block's outputs.

The result is computed on the whole input grid ``(F, B, H, W)``; the columns whose
window would cross the right or bottom edge (or wrap into the next row or image) are
junk and are never read: the output is the strided view of the valid ones.

The two gradients use the same device:

* d w: ``dw[f, c, u, v] = sum_p g[f, p] * x[c, p + off]`` with ``g`` placed on the
  input grid (zero at the junk columns, so they add nothing), block by block;
* d x: ``dx[c, p] = sum_{f, u, v} w[f, c, u, v] * g[f, p - off]``, a correlation of the
  gridded ``g`` (with ``max(off)`` zero columns in front) with the same kernel.  A
  shifted read that crosses a row or image edge lands on a junk column of ``g``,
  which is zero, so no wrap-around term is counted.

Strides: ``g`` on the grid is zero between the strided positions, so both gradients
hold as they are; the forward computes every grid position and keeps the strided
ones (``Correlate2D`` therefore picks ``im2col`` when the stride is not 1).
"""
from __future__ import annotations

import numpy as np

BLOCK_ELEMENTS = 1 << 18  # a block's patch matrix: 256k numbers, 1 MB in float32


def _offsets(hw, k, dilation) -> list:
    """Column shift of every kernel tap (u, v), in (u, v) row-major order."""
    return [u * dilation[0] * hw[1] + v * dilation[1]
            for u in range(k[0]) for v in range(k[1])]


def _channels_flat(xp) -> np.ndarray:
    """(B, C, H, W) -> (C, B*H*W); free for the channel-major arrays ``pad_hw`` makes."""
    B, C, H, W = xp.shape
    return np.ascontiguousarray(xp.transpose(1, 0, 2, 3)).reshape(C, B * H * W)


def _blocks(n_columns: int, rows: int):
    """``[s, e)`` column ranges whose patch block (``rows`` x width) is ~1 MB."""
    width = max(256, BLOCK_ELEMENTS // rows)
    return ((s, min(s + width, n_columns)) for s in range(0, n_columns, width))


def _gather(src, start, stop, offsets, buffer) -> np.ndarray:
    """The block's patch matrix (len(offsets)*rows, stop - start): row block ``k`` is
    ``src[:, start + offsets[k] : stop + offsets[k]]``."""
    rows, n = src.shape[0], stop - start
    block = buffer[:len(offsets) * rows * n].reshape(len(offsets), rows, n)
    for k, off in enumerate(offsets):
        block[k] = src[:, start + off:stop + off]
    return block.reshape(len(offsets) * rows, n)


def _grid_product(kernel, src, offsets, n_columns, out) -> None:
    """``out[:, p] = kernel @ (patch column p)`` for p < n_columns, block by block;
    ``kernel`` is (rows_out, len(offsets) * src rows)."""
    buffer = np.empty(kernel.shape[1] * max(256, BLOCK_ELEMENTS // kernel.shape[1]),
                      dtype=src.dtype)
    for s, e in _blocks(n_columns, kernel.shape[1]):
        np.matmul(kernel, _gather(src, s, e, offsets, buffer), out=out[:, s:e])


def correlate_shifted(xp, w, stride, dilation) -> np.ndarray:
    """'valid' correlation of the padded ``xp`` (B, C, H, W) with ``w`` (F, C, kh, kw)
    -> (B, F, OH, OW), a strided view of the (F, B, H, W) grid result."""
    from .conv import out_length

    B, C, H, W = xp.shape
    F, _, kh, kw = w.shape
    offsets = _offsets((H, W), (kh, kw), dilation)
    x = _channels_flat(xp)
    kernel = np.ascontiguousarray(w.transpose(0, 2, 3, 1)).reshape(F, kh * kw * C)
    grid = np.empty((F, B * H * W), dtype=np.result_type(xp, w))
    _grid_product(kernel, x, offsets, B * H * W - offsets[-1], grid)
    oh, ow = (out_length(n, k, s, d) for n, k, s, d in zip((H, W), (kh, kw), stride, dilation))
    rows = slice(0, (oh - 1) * stride[0] + 1, stride[0])
    cols = slice(0, (ow - 1) * stride[1] + 1, stride[1])
    return grid.reshape(F, B, H, W)[:, :, rows, cols].transpose(1, 0, 2, 3)


def grad_on_grid(g, padded_hw, k, stride, dilation) -> tuple:
    """``g`` (B, F, OH, OW) placed channel-major on the input grid, zero elsewhere,
    after ``lead = max(off)`` zero columns: returns ``(flat (F, lead + B*H*W), lead)``."""
    B, F, oh, ow = g.shape
    H, W = padded_hw
    lead = _offsets((H, W), k, dilation)[-1]
    flat = np.zeros((F, lead + B * H * W), dtype=g.dtype)
    grid = flat[:, lead:].reshape(F, B, H, W)
    grid[:, :, :(oh - 1) * stride[0] + 1:stride[0], :(ow - 1) * stride[1] + 1:stride[1]] = \
        g.transpose(1, 0, 2, 3)
    return flat, lead


def input_grad_shifted(gflat, lead, w, padded_hw, dilation, xp=None) -> tuple:
    """d xp (B, C, H, W) from the gridded gradient of ``grad_on_grid``, and d w too
    when the padded input ``xp`` is given (else None).

    d x reads every block's patches of g, ``g[:, p - off]``; d w is the same
    block of patches times the block of x, ``dw[(u, v), f, c] += sum_p g[f, p - off]
    * x[c, p]`` (the sum of the module docstring with ``p`` shifted by ``off``), so
    both gradients come from one gather."""
    F, C, kh, kw = w.shape
    H, W = padded_hw
    n = gflat.shape[1] - lead
    # read g[:, p - off] as gflat[:, lead - off + p]: shifts relative to column lead
    offsets = [lead - off for off in _offsets((H, W), (kh, kw), dilation)]
    kernel = np.ascontiguousarray(w.transpose(1, 2, 3, 0)).reshape(C, kh * kw * F)
    dx = np.empty((C, n), dtype=np.result_type(gflat, w))
    x = None if xp is None else _channels_flat(xp)
    dw = None if xp is None else np.zeros((kh * kw * F, C), dtype=np.result_type(gflat, xp))
    rows = kernel.shape[1]
    buffer = np.empty(rows * max(256, BLOCK_ELEMENTS // rows), dtype=gflat.dtype)
    for s, e in _blocks(n, rows):
        patches = _gather(gflat, s, e, offsets, buffer)
        np.matmul(kernel, patches, out=dx[:, s:e])
        if x is not None:
            dw += patches @ x[:, s:e].T
    dx = dx.reshape(C, n // (H * W), H, W).transpose(1, 0, 2, 3)
    if dw is not None:
        dw = dw.reshape(kh, kw, F, C).transpose(2, 3, 0, 1)
    return dx, dw


def weight_grad_shifted(gflat, lead, xp, k, dilation) -> np.ndarray:
    """d w (F, C, kh, kw) from the gridded gradient and the padded input."""
    B, C, H, W = xp.shape
    F = gflat.shape[0]
    offsets = _offsets((H, W), k, dilation)
    x, g = _channels_flat(xp), gflat[:, lead:]
    rows = len(offsets) * C
    buffer = np.empty(rows * max(256, BLOCK_ELEMENTS // rows), dtype=x.dtype)
    dw = np.zeros((F, rows), dtype=np.result_type(gflat, xp))
    for s, e in _blocks(B * H * W - offsets[-1], rows):  # g is zero past that column
        dw += g[:, s:e] @ _gather(x, s, e, offsets, buffer).T
    return dw.reshape(F, k[0], k[1], C).transpose(0, 3, 1, 2)
