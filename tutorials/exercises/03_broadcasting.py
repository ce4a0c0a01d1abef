"""Exercise 3: your answer goes here (see the end of tutorials/03_broadcasting.py).

Replace each ``raise NotImplementedError(...)`` with your code, then check it from
the repository root:

    python -m tinygrad_keras.exercises check 3
"""
import numpy as np


def my_unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` (the broadcast shape) back down to ``shape``.

    First the axes broadcasting added in front, then every axis where ``shape``
    has size 1 but ``grad`` does not.
    """
    raise NotImplementedError("sum grad over the axes broadcasting added in front, then over the size-1 axes of shape")
