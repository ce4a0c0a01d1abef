"""A small real handwritten-digit dataset shipped inside the package (works offline).

The UCI "Optical Recognition of Handwritten Digits" test set, as scikit-learn
ships it: 1797 images of 8x8 pixels, integer values 0..16, labels 0..9.
Authors E. Alpaydin and C. Kaynak (1998), UCI Machine Learning Repository,
https://doi.org/10.24432/C50P49, licensed CC BY 4.0; see ``data/README.md``.

>>> from tinygrad_keras.datasets import digits
>>> (X_train, y_train), (X_test, y_test) = digits.load_data()
>>> X_train.shape, y_train.shape, X_test.shape, y_test.shape
((1440, 8, 8), (1440,), (357, 8, 8), (357,))

For a Dense network flatten and scale the pixels, for a ``'th'`` convolution
add the channel axis::

    X_flat = X_train.reshape(len(X_train), 64).astype('float32') / 16     # (N, 64)
    X_img = X_train.reshape(len(X_train), 1, 8, 8).astype('float32') / 16  # (N, 1, 8, 8)
"""
from __future__ import annotations

import os

import numpy as np

DATA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "digits.npz")
NB_TEST = 357
SPLIT_SEED = 113


def load_images() -> tuple[np.ndarray, np.ndarray]:
    """All 1797 samples in file order: uint8 images ``(1797, 8, 8)``, uint8 labels ``(1797,)``."""
    with np.load(DATA_FILE, allow_pickle=False) as data:
        return data["images"], data["labels"]


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``(X_train, y_train), (X_test, y_test)``: 1440 training and 357 test samples.

    The split is a fixed permutation (``RandomState(113)``), the same on every
    call and machine; it does not touch the global numpy random state.
    X is uint8 ``(N, 8, 8)`` with values 0..16, y is uint8 ``(N,)`` with values 0..9.
    """
    images, labels = load_images()
    order = np.random.RandomState(SPLIT_SEED).permutation(len(labels))
    train, test = order[:-NB_TEST], order[-NB_TEST:]
    return (images[train], labels[train]), (images[test], labels[test])
