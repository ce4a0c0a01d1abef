"""Exercise 10: your answer goes here (see the end of tutorials/10_convolution_is_correlation.py).

Replace each ``raise NotImplementedError(...)`` with your code, then check it from
the repository root:

    python -m tinygrad_keras.exercises check 10
"""
import numpy as np


def input_grad_strided(g: np.ndarray, w: np.ndarray, stride: int, input_hw: tuple) -> np.ndarray:
    """d x of ``out = correlate(x, w, stride)`` ('valid') given d out = ``g``.

    g (B, F, OH, OW), w (F, C, kh, kw), input_hw = (H, W) -> (B, C, H, W).
    """
    raise NotImplementedError("return d x of the strided 'valid' correlation, shape (B, C) + input_hw")
