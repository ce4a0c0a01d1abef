"""Exercise 3 (reference answer): undo broadcasting yourself.

Checked by: python -m tinygrad_keras.exercises check 3 --solution
"""
import numpy as np


def my_unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` (the broadcast shape) back down to ``shape``.

    First the axes broadcasting added in front, then every axis where ``shape``
    has size 1 but ``grad`` does not.
    """
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad
