"""Exercise 20: the hard-sigmoid conversion between Keras 1 and Keras 3.

Check it with ``python -m tinygrad_keras.exercises check 20``.
"""
import numpy as np


def keras3_hard_sigmoid(x: np.ndarray) -> np.ndarray:
    """Keras 3's hard sigmoid ``clip(x / 6 + 0.5, 0, 1)``, elementwise."""
    raise NotImplementedError("return np.clip(...) of x / 6 + 0.5 between 0 and 1")


def fold_lstm_gates(kernel: np.ndarray, units: int) -> np.ndarray:
    """A copy of the fused LSTM ``kernel`` ``(rows, 4 * units)``, gates in the order
    i, f, c, o, with the i, f and o columns multiplied by 1.2 (c unchanged)."""
    raise NotImplementedError("copy the kernel, then scale the column blocks of i, f and o")
