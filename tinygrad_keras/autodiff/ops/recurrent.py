"""A fused LSTM cell: the elementwise part of one LSTM timestep as one primitive.

Why a primitive (speed, the reason STYLE asks to state): an RNN runs its step once per
timestep, and as a composite the elementwise part of an LSTM step records about a dozen
small ops (slices, gate activations, products), whose Python overhead in the forward
and backward passes costs more than the arithmetic.  The matrix products stay outside
(``x . W`` for all steps, ``h . U`` per step), and the loop over time stays a Python
loop whose gradient through time comes from the engine.  ``layers/recurrent.py`` falls
back to the composite for activations other than tanh / (hard_)sigmoid.
"""
from __future__ import annotations

import numpy as np

from ..function import Function


class LSTMCell(Function):
    """``LSTMCell.apply(xz, hz, hc, gate='sigmoid')`` -> ``[h', c']`` of shape ``(B, 2u)``.

    ``z = xz + hz`` ``(B, 4u)``: the gate pre-activations (input part and recurrent part,
    added here to save an op per step) in blocks **i, f, o, c**; ``hc`` ``(B, 2u)``: the
    previous ``[h, c]`` (only ``c`` is read: ``h`` reaches the cell through ``hz``)::

        i, f, o = gate(z[:, :3u]);  g = tanh(z[:, 3u:])
        c' = f * c + i * g;          h' = o * tanh(c')

    ``gate`` is ``'sigmoid'`` or ``'clip'`` (``clip(a, 0, 1)``: a hard_sigmoid whose
    affine part was folded into ``z``; its gradient passes where ``0 <= a <= 1``, bounds
    included, as ``Clip``).  The ``h`` half of ``hc`` gets a zero gradient.
    """

    def forward(self, xz, hz, hc, gate="sigmoid"):
        z = xz + hz
        u = hc.shape[1] // 2
        pre = z[:, :3 * u]
        # the gate slope for backward: recomputed from s (sigmoid) or kept as booleans
        # (clip), so that a long sequence keeps little per step
        if gate == "sigmoid":
            s = 0.5 * (1.0 + np.tanh(0.5 * pre))  # never overflows
            self.inside = None
        elif gate == "clip":
            s = np.clip(pre, 0.0, 1.0)
            self.inside = (pre >= 0.0) & (pre <= 1.0)
        else:
            raise ValueError(f"LSTMCell: gate must be 'sigmoid' or 'clip', got {gate!r}")
        g = np.tanh(z[:, 3 * u:])
        c_prev = hc[:, u:]
        c = s[:, u:2 * u] * c_prev + s[:, :u] * g
        tc = np.tanh(c)
        out = np.empty(hc.shape, dtype=z.dtype)
        np.multiply(s[:, 2 * u:], tc, out=out[:, :u])
        out[:, u:] = c
        self.u, self.s, self.g, self.c_prev, self.tc = u, s, g, c_prev, tc
        return out

    def backward(self, grad):
        u, s, g, tc = self.u, self.s, self.g, self.tc
        gh, gc = grad[:, :u], grad[:, u:]
        gc = gc + gh * s[:, 2 * u:] * (1.0 - tc * tc)
        dz = np.empty((grad.shape[0], 4 * u), dtype=grad.dtype)
        np.multiply(gc, g, out=dz[:, :u])                 # d i
        np.multiply(gc, self.c_prev, out=dz[:, u:2 * u])  # d f
        np.multiply(gh, tc, out=dz[:, 2 * u:3 * u])       # d o
        if self.inside is None:
            dz[:, :3 * u] *= s * (1.0 - s)
        else:
            dz[:, :3 * u] *= self.inside
        dz[:, 3 * u:] = gc * s[:, :u] * (1.0 - g * g)     # d (c-gate pre-activation)
        dhc = None
        if self.needs_grad[2]:
            dhc = np.zeros(grad.shape, dtype=grad.dtype)
            np.multiply(gc, s[:, u:2 * u], out=dhc[:, u:])
        return dz, dz, dhc


def lstm_cell(xz, hz, hc, gate: str = "sigmoid"):
    """Functional form of :class:`LSTMCell` (Tensors in, Tensor out)."""
    return LSTMCell.apply(xz, hz, hc, gate=gate)
