"""Exercise 13 (reference answer): an LSTM from its fused 'gpu' weights.

Checked by: python -m tinygrad_keras.exercises check 13 --solution
"""
import numpy as np


def hard_sigmoid(a: np.ndarray) -> np.ndarray:
    return np.clip(0.2 * a + 0.5, 0.0, 1.0)


def lstm_by_hand_gpu(x: np.ndarray, weights: list) -> np.ndarray:
    """x (B, T, D) and [W (D, 4u), U (u, 4u), b (4u,)], blocks i, f, c, o -> (B, T, u)."""
    W, U, b = weights
    u = U.shape[0]
    h = c = np.zeros((x.shape[0], u), dtype=x.dtype)
    states = []
    for t in range(x.shape[1]):
        z = x[:, t] @ W + h @ U + b                        # all four blocks at once
        i, f = hard_sigmoid(z[:, :u]), hard_sigmoid(z[:, u:2 * u])
        g, o = np.tanh(z[:, 2 * u:3 * u]), hard_sigmoid(z[:, 3 * u:])
        c = f * c + i * g
        h = o * np.tanh(c)
        states.append(h)
    return np.stack(states, axis=1)
