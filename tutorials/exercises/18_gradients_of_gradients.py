"""Exercise 18: one step of Newton's method, with the Hessian from second derivatives.

Check it with:  python -m tinygrad_keras.exercises check 18
"""
import numpy as np

from tinygrad_keras import Tensor  # you will need these
from tinygrad_keras.autodiff import grad


def newton_step(f, x: np.ndarray) -> np.ndarray:
    """The next Newton iterate ``x - H(x)^-1 grad f(x)`` for ``f`` of two variables.

    ``f`` maps a Tensor of shape (2,) to a scalar Tensor; ``x`` is a float64 array of
    shape (2,).  Return a numpy array of shape (2,).
    """
    raise NotImplementedError(
        "compute the gradient g of f at x with grad(..., create_graph=True), build the "
        "2x2 Hessian from the gradients of g[0] and g[1] (one row each), then return "
        "x - np.linalg.solve(H, g)")
