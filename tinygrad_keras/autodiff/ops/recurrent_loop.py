"""A whole LSTM time loop as one primitive, with backpropagation through time by hand.

Why a primitive (speed, the reason STYLE asks to state): the readable LSTM of
``layers/recurrent.py`` is a Python loop over time that records a few operations per
step (``h . U``, the fused :class:`~.recurrent.LSTMCell`, a slice); the engine then walks
those ``~4 T`` nodes backwards, makes a gradient array per edge, and computes the ``U``
gradient as ``T`` small products that it adds up.  Here the loop runs inside one
``forward`` on preallocated buffers, the backward walks the steps in reverse itself,
and the ``U`` gradient is **one** product over all steps::

    dU = [h_0 ... h_{T-1}]^T . [dz_1 ... dz_T]      # (u, B*T) . (B*T, 4u)

Where the time goes, and what is done about it:

* every step runs a handful of numpy calls on ``(B, u)`` arrays, so the number of
  calls per step is what costs: each step writes into buffers made once per batch
  (``out=``, no temporaries), and the backward's factors that do not depend on the
  incoming gradient (the gate slopes times what each gate multiplied, ``o (1 - tanh^2
  c)``) are computed for all steps at once before its loop, leaving it ten calls;
* the input projections come batch-major ``(B, T, 4u)``, as the Embedding and the
  projection's product make them, and their gradient leaves in that layout: no
  transposed copy of either (a step reads and writes the rows ``[:, t]`` in place);
* everything stays in the inputs' dtype (float32 in a model): no float64 upcast;
* the buffers that live only inside the op (pre-activations, gates, the backward's
  factors: ~18 MB at the benchmark's size) are reused from one batch to the next
  (``_Spare``) instead of being allocated afresh: fresh multi-megabyte arrays come
  from the operating system as new pages, and their first touch (a page fault per
  4 KiB) cost as much as a tenth of the step.

It computes the same numbers, step by step, as the readable loop (the same numpy
operations in the same order for the forward pass), and ``tests/autodiff/
test_recurrent_loop.py`` checks that against the composite.  The readable loop stays
the one the tutorials show; the LSTM layer uses this primitive only when nothing
needs the step-by-step graph (no mask, no recurrent dropout, an unmodified ``step``).

First order only: the backward works on numpy arrays (a hand-written backward through
time is the whole point), so the graph of the gradient is not recorded; the engine
refuses ``create_graph=True`` through it.  Set ``layer.loop_primitive = False`` on the
LSTM to differentiate a second time through the readable loop instead.
"""
from __future__ import annotations

import sys

import numpy as np

from ..function import Function


class _Spare:
    """Arrays the ``LSTMLoop``s have finished with, kept by shape and dtype for the next
    ones (at most ``keep`` of each kind, so memory stays bounded).

    * ``take`` / ``give``: scratch that only the op sees.  It is given back when nothing
      else can see it: the backward's factors when it returns, the forward's buffers
      when its op is freed (after the backward, or with the graph).
    * ``lend``: an array the op hands out (its output, its input's gradient), as a
      view of a kept array.  That array is lent again only once every view of it is
      gone -- numpy views hold a reference to the array they look into, so its
      reference count says so (``sys.getrefcount``) -- until then a new one is made.
    """

    keep = 2

    def __init__(self):
        self.free, self.lent = {}, {}

    def take(self, shape: tuple, dtype) -> np.ndarray:
        kept = self.free.get((shape, np.dtype(dtype).str))
        return kept.pop() if kept else np.empty(shape, dtype)

    def give(self, *arrays) -> None:
        for a in arrays:
            kept = self.free.setdefault((a.shape, a.dtype.str), [])
            if len(kept) < self.keep:
                kept.append(a)

    def lend(self, shape: tuple, dtype) -> np.ndarray:
        kept = self.lent.setdefault((shape, np.dtype(dtype).str), [])
        for base in kept:
            if sys.getrefcount(base) <= 3:  # the list, `base` and the call's argument
                return base[...]
        base = np.empty(shape, dtype)
        if len(kept) < self.keep:
            kept.append(base)
        return base[...]


_SPARE = _Spare()


def _gate_into(out, pre, gate: str) -> None:
    """The sigmoid-type gates of one step written into ``out``: the arithmetic of
    ``recurrent._gate``."""
    if gate == "sigmoid":
        np.multiply(pre, 0.5, out=out)
        np.tanh(out, out=out)
        out += 1.0
        out *= 0.5
    else:  # np.clip's values, without its Python wrapper (a cost at every step)
        np.maximum(pre, 0.0, out=out)
        np.minimum(out, 1.0, out=out)


class LSTMLoop(Function):
    """``LSTMLoop.apply(xz, U, h0, c0, gate='sigmoid')`` -> ``(T, B, 2u)``: ``[h_t, c_t]``
    after each step ``t = 1..T``, side by side on the last axis (time-major).

    ``xz`` ``(B, T, 4u)`` (batch-major, as the input projection of a ``(B, T, D)``
    sequence comes): the ``x_t . W + b`` of every step, gate blocks **i, f, o, c**;
    ``U`` ``(u, 4u)``: the recurrent weights, same blocks; ``h0``, ``c0`` ``(B, u)``:
    the initial states.  Each step is::

        z = xz[:, t] + h . U
        i, f, o = gate(z[:, :3u]);  g = tanh(z[:, 3u:])
        c' = f * c + i * g;          h' = o * tanh(c')

    with ``gate`` ``'sigmoid'`` or ``'clip'`` (``clip(a, 0, 1)``, a hard_sigmoid whose
    affine part is folded into the weights; as ``Clip``, its gradient passes where
    ``0 <= a <= 1``).  The two layouts are each side's cheap one: a step reads a
    strided row block of ``xz`` (and writes one of its gradient, which then goes to the
    projection's product without a transposed copy), while the states it computes,
    multiplies and reads back are contiguous rows of one step.

    The forward pass does the arithmetic of the readable loop (``h . U`` then the
    :class:`~.recurrent.LSTMCell` formulas) in the same order, so its values are
    identical to it; the gradients agree to rounding (``dU`` is summed in another order).
    """

    first_order_only = True  # backward through time on numpy arrays (see module docstring)

    def forward(self, xz, U, h0, c0, gate="sigmoid"):
        if gate not in ("sigmoid", "clip"):
            raise ValueError(f"LSTMLoop: gate must be 'sigmoid' or 'clip', got {gate!r}")
        batch, steps, width = xz.shape
        u = width // 4
        dtype = np.result_type(xz, U, h0, c0)
        states = _SPARE.lend((steps + 1, batch, 2 * u), dtype)  # [h_t, c_t], t = 0..T
        states[0, :, :u], states[0, :, u:] = h0, c0
        Z = _SPARE.take((steps, batch, width), dtype)    # pre-activations
        S = _SPARE.take((steps, batch, 3 * u), dtype)    # i, f, o
        G = _SPARE.take((steps, batch, u), dtype)        # tanh of the c-gate block
        TC = _SPARE.take((steps, batch, u), dtype)       # tanh(c_t)
        ig = np.empty((batch, u), dtype)
        for t in range(steps):
            z, s, g, tc = Z[t], S[t], G[t], TC[t]
            c, c_new = states[t, :, u:], states[t + 1, :, u:]
            np.matmul(states[t, :, :u], U, out=z)
            z += xz[:, t]
            _gate_into(s, z[:, :3 * u], gate)
            np.tanh(z[:, 3 * u:], out=g)
            np.multiply(s[:, u:2 * u], c, out=c_new)
            np.multiply(s[:, :u], g, out=ig)
            c_new += ig
            np.tanh(c_new, out=tc)
            np.multiply(s[:, 2 * u:], tc, out=states[t + 1, :, :u])
        self.U, self.states, self.Z, self.S, self.G, self.TC = U, states, Z, S, G, TC
        self.gate = gate
        return states[1:]

    def __del__(self):
        if getattr(self, "Z", None) is not None:  # (a forward that raised made none)
            _SPARE.give(self.Z, self.S, self.G, self.TC)

    def _factors(self) -> np.ndarray:
        """What each step's backward multiplies the incoming gradients by, for all steps
        at once, ``(T, B, u)`` each: the slopes of i, f, o times what they multiplied
        (``g``, ``c_{t-1}``, ``tanh c_t``), ``i (1 - g^2)`` for the c-gate, and ``o (1 -
        tanh^2 c_t)``, the way from ``dh_t`` to ``dc_t``; one ``(5, T, B, u)`` array from
        ``_SPARE``."""
        S, G, TC = self.S, self.G, self.TC
        steps, u = G.shape[0], G.shape[2]
        slopes = _SPARE.take(S.shape, S.dtype)
        if self.gate == "sigmoid":  # s (1 - s)
            np.subtract(1.0, S, out=slopes)
            slopes *= S
        else:  # the clip passes where it kept its input (0 <= a <= 1)
            np.equal(S, self.Z[:, :, :3 * u], out=slopes)
        factors = _SPARE.take((5,) + G.shape, G.dtype)
        k_i, k_f, k_o, k_g, a_o = factors
        np.multiply(slopes[:, :, :u], G, out=k_i)
        np.multiply(slopes[:, :, u:2 * u], self.states[:steps, :, u:], out=k_f)
        np.multiply(slopes[:, :, 2 * u:], TC, out=k_o)
        _SPARE.give(slopes)
        for out, tanh_value, gate in ((k_g, G, S[:, :, :u]), (a_o, TC, S[:, :, 2 * u:])):
            np.multiply(tanh_value, tanh_value, out=out)
            np.subtract(1.0, out, out=out)
            out *= gate
        return factors

    def backward(self, grad):
        S, UT = self.S, self.U.T
        factors = self._factors()
        k_i, k_f, k_o, k_g, a_o = factors
        steps, batch, u = a_o.shape
        dtype = grad.dtype
        dZ = _SPARE.lend((batch, steps, 4 * u), dtype)   # batch-major, as xz
        dh = np.zeros((batch, u), dtype)   # gradient reaching h_t from step t+1
        dc = np.zeros((batch, u), dtype)   # and reaching c_t
        gh, gc, tmp = (np.empty((batch, u), dtype) for _ in range(3))
        for t in range(steps - 1, -1, -1):
            dz = dZ[:, t]
            np.add(grad[t, :, :u], dh, out=gh)           # d h_t
            np.add(grad[t, :, u:], dc, out=gc)
            np.multiply(gh, a_o[t], out=tmp)
            gc += tmp                                    # d c_t
            np.multiply(gc, k_i[t], out=dz[:, :u])                # d i
            np.multiply(gc, k_f[t], out=dz[:, u:2 * u])           # d f
            np.multiply(gh, k_o[t], out=dz[:, 2 * u:3 * u])       # d o
            np.multiply(gc, k_g[t], out=dz[:, 3 * u:])            # d c-gate
            np.multiply(gc, S[t, :, u:2 * u], out=dc)    # d c_{t-1}
            np.matmul(dz, UT, out=dh)                    # d h_{t-1}
        _SPARE.give(factors)
        dU = None
        if self.needs_grad[1]:  # rows (b, t) as dZ's: a copy of h_0 .. h_{T-1}
            h_prev = self.states[:steps, :, :u].transpose(1, 0, 2).reshape(-1, u)
            dU = h_prev.T @ dZ.reshape(-1, 4 * u)
        return dZ, dU, dh, dc


def lstm_loop(xz, U, h0, c0, gate: str = "sigmoid"):
    """Functional form of :class:`LSTMLoop` (Tensors in, Tensor out)."""
    return LSTMLoop.apply(xz, U, h0, c0, gate=gate)
