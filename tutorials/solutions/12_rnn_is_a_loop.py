"""Exercise 12 (reference answer): a Keras 1.2.2 GRU by hand.

Checked by: python -m tinygrad_keras.exercises check 12 --solution
"""
import numpy as np


def hard_sigmoid(a: np.ndarray) -> np.ndarray:
    return np.clip(0.2 * a + 0.5, 0.0, 1.0)


def gru_by_hand(x: np.ndarray, weights: list) -> np.ndarray:
    """x (B, T, D) and [W_z, U_z, b_z, W_r, U_r, b_r, W_h, U_h, b_h] -> states (B, T, u)."""
    W_z, U_z, b_z, W_r, U_r, b_r, W_h, U_h, b_h = weights
    h = np.zeros((x.shape[0], U_z.shape[0]), dtype=x.dtype)
    states = []
    for t in range(x.shape[1]):
        x_t = x[:, t]
        z = hard_sigmoid(x_t @ W_z + b_z + h @ U_z)          # update gate: keep the old h?
        r = hard_sigmoid(x_t @ W_r + b_r + h @ U_r)          # reset gate: how much h to read
        hh = np.tanh(x_t @ W_h + b_h + (r * h) @ U_h)
        h = z * h + (1 - z) * hh
        states.append(h)
    return np.stack(states, axis=1)
