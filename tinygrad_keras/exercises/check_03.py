"""Exercise 3: ``my_unbroadcast(grad, shape)`` sums a broadcast gradient back to ``shape``."""
import numpy as np

from ._helpers import close

CASES = [((4, 3), (3,)), ((5, 2, 3), (2, 1)), ((2, 3), (2, 3)), ((3, 1, 4), (1, 1, 1)),
         ((6, 2, 4), (4,)), ((2, 5), ())]


def _reference(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Add each element of ``grad`` to the input element it was broadcast from."""
    expected = np.zeros(shape)
    for idx in np.ndindex(*grad.shape):
        src = tuple(0 if n == 1 else i for i, n in zip(idx[len(idx) - len(shape):], shape))
        expected[src] += grad[idx]
    return expected


def check(module) -> None:
    rng = np.random.default_rng(0)
    for grad_shape, shape in CASES:
        grad = rng.normal(size=grad_shape)
        got = module.my_unbroadcast(grad, shape)
        close(got, _reference(grad, shape),
              f"my_unbroadcast(grad of shape {grad_shape}, {shape})", rtol=1e-12, atol=1e-12)
