"""Fused recurrent cells: the elementwise part of an LSTM / GRU timestep as primitives.

Why a primitive (speed, the reason STYLE asks to state): an RNN runs its step once per
timestep, and as a composite the elementwise part of an LSTM step records about a dozen
small ops (slices, gate activations, products), whose Python overhead in the forward
and backward passes costs more than the arithmetic.  The matrix products stay outside
(``x . W`` for all steps, ``h . U`` per step), and the loop over time stays a Python
loop whose gradient through time comes from the engine.  ``layers/recurrent.py`` falls
back to the composite for activations other than tanh / (hard_)sigmoid.

``gate`` is ``'sigmoid'`` or ``'clip'`` (``clip(a, 0, 1)``: a hard_sigmoid whose affine
part was folded into the weights; its gradient passes where ``0 <= a <= 1``, bounds
included, as ``Clip``).
"""
from __future__ import annotations

import numpy as np

from ..function import Function


def _gate(pre, gate: str, op: str):
    """Gate values and what backward needs for the slope: None for sigmoid (recomputed
    from the values), the boolean pass-through mask for clip (a long sequence then
    keeps little per step)."""
    if gate == "sigmoid":
        return 0.5 * (1.0 + np.tanh(0.5 * pre)), None  # never overflows
    if gate == "clip":
        return np.clip(pre, 0.0, 1.0), (pre >= 0.0) & (pre <= 1.0)
    raise ValueError(f"{op}: gate must be 'sigmoid' or 'clip', got {gate!r}")


def _slope(s, inside):
    return s * (1.0 - s) if inside is None else inside


class LSTMCell(Function):
    """``LSTMCell.apply(xz, hz, hc, gate='sigmoid')`` -> ``[h', c']`` of shape ``(B, 2u)``.

    ``z = xz + hz`` ``(B, 4u)``: the gate pre-activations (input part and recurrent part,
    added here to save an op per step) in blocks **i, f, o, c**; ``hc`` ``(B, 2u)``: the
    previous ``[h, c]`` (only ``c`` is read: ``h`` reaches the cell through ``hz``)::

        i, f, o = gate(z[:, :3u]);  g = tanh(z[:, 3u:])
        c' = f * c + i * g;          h' = o * tanh(c')

    The ``h`` half of ``hc`` gets a zero gradient.

    ``first_order_only = True`` (speed): a fused numpy backward; a second derivative
    through it raises an error naming this op.
    """

    first_order_only = True

    def forward(self, xz, hz, hc, gate="sigmoid"):
        z = xz + hz
        u = hc.shape[1] // 2
        pre = z[:, :3 * u]
        s, self.inside = _gate(pre, gate, "LSTMCell")
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
        dz[:, :3 * u] *= _slope(s, self.inside)
        dz[:, 3 * u:] = gc * s[:, :u] * (1.0 - g * g)     # d (c-gate pre-activation)
        dhc = None
        if self.needs_grad[2]:
            dhc = np.zeros(grad.shape, dtype=grad.dtype)
            np.multiply(gc, s[:, u:2 * u], out=dhc[:, u:])
        return dz, dz, dhc


def lstm_cell(xz, hz, hc, gate: str = "sigmoid"):
    """Functional form of :class:`LSTMCell` (Tensors in, Tensor out)."""
    return LSTMCell.apply(xz, hz, hc, gate=gate)


class GRUGates(Function):
    """``GRUGates.apply(xz, hzr, h, gate)`` -> ``[z, r * h]`` of shape ``(B, 2u)``.

    ``xz`` ``(B, 3u)``: the input projections of the blocks z, r, h (only z and r are
    read here; ``GRUOutput`` reads the h block); ``hzr`` ``(B, 2u)``: ``h . [U_z U_r]``::

        z, r = gate(xz[:, :2u] + hzr)

    ``first_order_only = True`` (speed): a fused numpy backward; a second derivative
    through it raises an error naming this op.
    """

    first_order_only = True

    def forward(self, xz, hzr, h, gate="sigmoid"):
        u = h.shape[1]
        self.s, self.inside = _gate(xz[:, :2 * u] + hzr, gate, "GRUGates")
        self.h, self.u = h, u
        return np.concatenate([self.s[:, :u], self.s[:, u:] * h], axis=1)

    def backward(self, grad):
        u, s, h = self.u, self.s, self.h
        ds = np.concatenate([grad[:, :u], grad[:, u:] * h], axis=1) * _slope(s, self.inside)
        dxz = np.zeros((grad.shape[0], 3 * u), dtype=grad.dtype)
        dxz[:, :2 * u] = ds
        dh = grad[:, u:] * s[:, u:] if self.needs_grad[2] else None
        return dxz, ds, dh


class GRUOutput(Function):
    """``GRUOutput.apply(xz, hh_in, zrh, h)`` -> the new state ``(B, u)``::

        hh = tanh(xz[:, 2u:] + hh_in);   h' = z * h + (1 - z) * hh

    with ``hh_in = (r * h) . U_h`` and ``z = zrh[:, :u]`` (from ``GRUGates``).

    ``first_order_only = True`` (speed): a fused numpy backward; a second derivative
    through it raises an error naming this op.
    """

    first_order_only = True

    def forward(self, xz, hh_in, zrh, h):
        u = h.shape[1]
        self.hh = np.tanh(xz[:, 2 * u:] + hh_in)
        self.z, self.h, self.u = zrh[:, :u], h, u
        return self.hh + self.z * (h - self.hh)

    def backward(self, grad):
        u, z, hh = self.u, self.z, self.hh
        dpre = grad * (1.0 - z) * (1.0 - hh * hh)
        dxz = np.zeros((grad.shape[0], 3 * u), dtype=grad.dtype)
        dxz[:, 2 * u:] = dpre
        dzrh = np.zeros((grad.shape[0], 2 * u), dtype=grad.dtype)
        dzrh[:, :u] = grad * (self.h - hh)
        dh = grad * z if self.needs_grad[3] else None
        return dxz, dpre, dzrh, dh


def gru_gates(xz, hzr, h, gate: str = "sigmoid"):
    """Functional form of :class:`GRUGates`."""
    return GRUGates.apply(xz, hzr, h, gate=gate)


def gru_output(xz, hh_in, zrh, h):
    """Functional form of :class:`GRUOutput`."""
    return GRUOutput.apply(xz, hh_in, zrh, h)
