"""Exercise 11 (reference answer): the mean response of each filter to each digit.

Checked by: python -m tinygrad_keras.exercises check 11 --solution
"""
import numpy as np

from tinygrad_keras.models import Model


def class_filter_means(model, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(10, nb_filter): entry [d, f] is the mean of the first layer's map f over the
    pixels and over the samples of X (N, 1, 8, 8) labelled d ('th' ordering)."""
    first = Model(input=model.input, output=model.layers[0].output)
    maps = first.predict(X)                       # (N, F, rows, cols)
    per_sample = maps.mean(axis=(2, 3))           # (N, F)
    return np.stack([per_sample[y == d].mean(axis=0) for d in range(10)])
