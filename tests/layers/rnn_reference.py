"""Plain-numpy references of the Keras 1.2.2 recurrent equations, for the layer tests.

Weights are taken in the 1.2.2 'cpu'/'mem' order of ``get_weights()``; ``to_gate_weights``
converts the fused 'gpu' layout to it.
"""
import numpy as np


def hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0.0, 1.0)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def to_gate_weights(kind: str, weights: list) -> list:
    """'gpu' fused ``[W, U, b]`` -> the per-gate list of 'cpu' mode (1.2.2 order)."""
    if kind == "SimpleRNN" or len(weights) != 3:
        return list(weights)
    W, U, b = weights
    u = U.shape[0]

    def block(k):
        return [W[:, k * u:(k + 1) * u], U[:, k * u:(k + 1) * u], b[k * u:(k + 1) * u]]
    if kind == "GRU":  # blocks z, r, h
        return block(0) + block(1) + block(2)
    return block(0) + block(2) + block(1) + block(3)  # LSTM gpu i,f,c,o -> list i,c,f,o


def _step(kind, w, x, h, c, act, inner):
    if kind == "SimpleRNN":
        W, U, b = w
        return act(x @ W + b + h @ U), None
    if kind == "GRU":
        Wz, Uz, bz, Wr, Ur, br, Wh, Uh, bh = w
        z = inner(x @ Wz + bz + h @ Uz)
        r = inner(x @ Wr + br + h @ Ur)
        hh = act(x @ Wh + bh + (r * h) @ Uh)
        return z * h + (1 - z) * hh, None
    Wi, Ui, bi, Wc, Uc, bc, Wf, Uf, bf, Wo, Uo, bo = w
    i = inner(x @ Wi + bi + h @ Ui)
    f = inner(x @ Wf + bf + h @ Uf)
    c = f * c + i * act(x @ Wc + bc + h @ Uc)
    o = inner(x @ Wo + bo + h @ Uo)
    return o * act(c), c


def reference(kind, weights, x, mask=None, go_backwards=False, return_sequences=False,
              act=np.tanh, inner=hard_sigmoid, h0=None, c0=None):
    """Run the 1.2.2 recurrence; returns ``(output, final_h, final_c)``."""
    B, T, _ = x.shape
    u = weights[1].shape[0]
    h = np.zeros((B, u)) if h0 is None else h0
    c = np.zeros((B, u)) if c0 is None else c0
    outs = []
    for t in (range(T - 1, -1, -1) if go_backwards else range(T)):
        h_new, c_new = _step(kind, weights, x[:, t], h, c, act, inner)
        if mask is not None:
            keep = mask[:, t:t + 1]
            h_new = np.where(keep, h_new, h)
            c_new = None if c_new is None else np.where(keep, c_new, c)
        h, c = h_new, c_new
        outs.append(h)
    return (np.stack(outs, axis=1) if return_sequences else h), h, c
