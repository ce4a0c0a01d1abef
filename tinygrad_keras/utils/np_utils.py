"""Numpy helpers of Keras 1.2.2 (``from keras.utils import np_utils``).

All of these work on plain numpy arrays, never on Tensors.
"""
from __future__ import annotations

import numpy as np

from .. import backend as K

_BORDER_MODES = ("same", "valid", "full")


def to_categorical(y, nb_classes: int | None = None) -> np.ndarray:
    """One-hot rows: class vector ``(n,)`` (any shape, flattened) -> float64 ``(n, nb_classes)``.

    ``nb_classes`` defaults to ``max(y) + 1``.

    >>> to_categorical([0, 2, 1]).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    y = np.array(y, dtype="int").ravel()
    if not nb_classes:
        nb_classes = int(np.max(y)) + 1 if y.size else 0
    if y.size and (y.min() < 0 or y.max() >= nb_classes):
        raise ValueError(f"to_categorical: labels must lie in [0, {nb_classes}), "
                         f"got values from {y.min()} to {y.max()}")
    categorical = np.zeros((y.shape[0], nb_classes))
    categorical[np.arange(y.shape[0]), y] = 1
    return categorical


def normalize(a, axis: int = -1, order: int = 2) -> np.ndarray:
    """``a`` divided by its ``order``-norm along ``axis``; zero-norm slices are left as they are."""
    norms = np.atleast_1d(np.linalg.norm(a, order, axis))
    norms[norms == 0] = 1
    return a / np.expand_dims(norms, axis)


def binary_logloss(p, y):
    """Mean binary log loss over the first axis of probabilities ``p`` for 0/1 labels ``y``.

    ``p`` is clipped to ``[1e-15, 1 - 1e-15]``; ``(n,)`` inputs give a scalar,
    ``(n, k)`` inputs one value per column (as 1.2.2's sum over rows did).
    """
    p = np.clip(np.asarray(p, dtype=float), 1e-15, 1 - 1e-15)
    y = np.asarray(y, dtype=float)
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p), axis=0) / len(y)


def multiclass_logloss(p, y) -> float:
    """Mean negative log probability of the true class.

    As in Keras 1.2.2, the labels ``y`` are **1-based**: ``p[i, y[i] - 1]`` is used.
    """
    picked = [p[i][y[i] - 1] for i in range(len(y))]
    return float(-np.sum(np.log(picked)) / len(y))


def accuracy(p, y) -> float:
    """Fraction of positions where predicted classes ``p`` equal labels ``y``."""
    return float(np.mean([a == b for a, b in zip(p, y)]))


def probas_to_classes(y_pred) -> np.ndarray:
    """argmax per row for ``(n, k>1)`` probabilities, else thresholds at 0.5 (-> 0/1)."""
    y_pred = np.asarray(y_pred)
    if y_pred.ndim > 1 and y_pred.shape[1] > 1:
        return categorical_probas_to_classes(y_pred)
    return np.array([1 if p > 0.5 else 0 for p in y_pred])


def categorical_probas_to_classes(p) -> np.ndarray:
    """``argmax(p, axis=1)``."""
    return np.argmax(p, axis=1)


def convert_kernel(kernel: np.ndarray, dim_ordering: str | None = None) -> np.ndarray:
    """Flip the spatial axes of a 4D/5D convolution kernel (convolution <-> correlation).

    'th' kernels are ``(out, in, *spatial)`` and keep axes 0-1; 'tf' kernels
    are ``(*spatial, in, out)`` and keep the last two.  Its own inverse.
    """
    dim_ordering = dim_ordering or K.image_dim_ordering()
    if not 4 <= kernel.ndim <= 5:
        raise ValueError(f"convert_kernel: expected a 4D or 5D kernel, got shape {kernel.shape}")
    flip = [slice(None, None, -1)] * kernel.ndim
    if dim_ordering == "th":
        flip[:2] = [slice(None)] * 2
    elif dim_ordering == "tf":
        flip[-2:] = [slice(None)] * 2
    else:
        raise ValueError(f"convert_kernel: dim_ordering must be 'th' or 'tf', got {dim_ordering!r}")
    return np.copy(kernel[tuple(flip)])


def _check_border_mode(border_mode: str) -> None:
    if border_mode not in _BORDER_MODES:
        raise ValueError(f"border_mode must be one of {_BORDER_MODES}, got {border_mode!r}")


def conv_output_length(input_length, filter_size: int, border_mode: str, stride: int,
                       dilation: int = 1):
    """Output length of a convolution/pooling window sliding over ``input_length`` steps.

    'valid': ``ceil((n - f' + 1) / s)``, 'same': ``ceil(n / s)``, 'full':
    ``ceil((n + f' - 1) / s)`` with the dilated size ``f' = f + (f - 1)(dilation - 1)``.
    ``None`` (unknown length) stays ``None``.
    """
    if input_length is None:
        return None
    _check_border_mode(border_mode)
    dilated = filter_size + (filter_size - 1) * (dilation - 1)
    length = {"same": input_length, "valid": input_length - dilated + 1,
              "full": input_length + dilated - 1}[border_mode]
    return (length + stride - 1) // stride


def conv_input_length(output_length, filter_size: int, border_mode: str, stride: int):
    """The input length a convolution needs to give ``output_length`` (for deconvolution)."""
    if output_length is None:
        return None
    _check_border_mode(border_mode)
    pad = {"same": filter_size // 2, "valid": 0, "full": filter_size - 1}[border_mode]
    return (output_length - 1) * stride - 2 * pad + filter_size
