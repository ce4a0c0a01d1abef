"""Exercise 11: your answer goes here (see the end of tutorials/11_cnn_on_digits.py).

Replace each ``raise NotImplementedError(...)`` with your code, then check it from
the repository root:

    python -m tinygrad_keras.exercises check 11
"""
import numpy as np

from tinygrad_keras.models import Model


def class_filter_means(model, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(10, nb_filter): entry [d, f] is the mean of the first layer's map f over the
    pixels and over the samples of X (N, 1, 8, 8) labelled d ('th' ordering)."""
    raise NotImplementedError("return the (10, 16) mean relu response of each first-layer filter per digit")
