"""Exercise 10 (reference answer): the input gradient of a strided correlation.

Checked by: python -m tinygrad_keras.exercises check 10 --solution
"""
import numpy as np


def _correlate(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """'valid' correlation, stride 1: x (B, C, H, W), w (F, C, kh, kw) -> (B, F, OH, OW)."""
    kh, kw = w.shape[2:]
    oh, ow = x.shape[2] - kh + 1, x.shape[3] - kw + 1
    out = np.zeros((x.shape[0], w.shape[0], oh, ow), dtype=np.result_type(x, w))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = np.einsum("bcuv,fcuv->bf", x[:, :, i:i + kh, j:j + kw], w)
    return out


def input_grad_strided(g: np.ndarray, w: np.ndarray, stride: int, input_hw: tuple) -> np.ndarray:
    """d x of ``out = correlate(x, w, stride)`` ('valid') given d out = ``g``.

    g (B, F, OH, OW), w (F, C, kh, kw), input_hw = (H, W) -> (B, C, H, W).
    """
    B, nf, oh, ow = g.shape
    kh, kw = w.shape[2:]
    H, W = input_hw
    # each g[i, j] sits where its window starts (s i, s j), zeros between; padded by
    # k - 1 zeros before; after, up to H + kh - 1 in all, so that the result is H x W
    # (pixels past the last window get zeros)
    spread = np.zeros((B, nf, H + kh - 1, W + kw - 1), dtype=g.dtype)
    spread[:, :, kh - 1:kh - 1 + (oh - 1) * stride + 1:stride,
           kw - 1:kw - 1 + (ow - 1) * stride + 1:stride] = g
    flipped = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)     # (C, F, kh, kw)
    return _correlate(spread, flipped)
