"""A whole LSTM time loop as one primitive, with backpropagation through time by hand.

Why a primitive (speed, the reason STYLE asks to state): the readable LSTM of
``layers/recurrent.py`` is a Python loop over time that records a few operations per
step (``h . U``, the fused :class:`~.recurrent.LSTMCell`, a slice); the engine then walks
those ``~4 T`` nodes backwards, makes a gradient array per edge, and computes the ``U``
gradient as ``T`` small products that it adds up.  Here the loop runs inside one
``forward`` on preallocated buffers, the backward walks the steps in reverse itself,
and the ``U`` gradient is **one** product over all steps::

    dU = [h_0 ... h_{T-1}]^T . [dz_1 ... dz_T]      # (u, T*B) . (T*B, 4u)

Memory: the arrays of a batch (gates, states, clip's pass-through mask, the output
and the gradient of the input projections: ~15 MB at the benchmark's size, in the
inputs' dtype, float32 in a model; a step's pre-activations are scratch) are reused
from one batch to the next (``kept.py``) instead of being allocated afresh.  Fresh
multi-megabyte arrays come from the operating system as new pages, and touching them
the first time (a page fault per 4 KiB) cost about a tenth of the benchmark's step.
(Measured and left: a batch-major layout for the projections, and the backward's
factors computed before its loop, for all steps at once or for chunks of 4 to 40
steps; all were slower in the whole step.  What did pay: contiguous blocks -- numpy's
elementwise calls on the strided column blocks of a ``(B, 4u)`` array cost two to
three times as much as on a contiguous ``(B, u)`` one -- and the step products by
blocks of columns from contiguous copies of ``U`` and ``U^T`` (``_column_parts``).)

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

import numpy as np

from ..function import Function
from ..grad_mode import is_grad_enabled
from . import kept

_FORWARD_PART, _BACKWARD_PART = 64, 32  # columns per block (see _column_parts)


def _column_parts(M, outs: list, rows: int, width: int) -> list | None:
    """``(contiguous copy of some columns of M, where their product goes)`` pairs: a
    step's product ``h . U`` or ``dz . U^T`` (``rows`` rows) done by blocks of ``width``
    columns; ``outs``: the product's column blocks, side by side (the gate blocks of a
    step's pre-activations, or ``dh``), each a whole number of ``width`` columns.  None
    where the product is better done whole.

    Why (speed): with 32 rows and ``u = 128`` (the benchmark) OpenBLAS's SkylakeX kernels
    compute these products 10-20% faster in blocks of 64 columns (forward) and 32
    (backward) than whole (measured, one thread); with 128 rows, or ``u = 64``, blocks
    were slower, so only products of ``2^20`` to ``2^22`` multiply-adds are cut.  A
    block's columns are summed over ``u`` in the same order as in the whole product, so
    the forward keeps the readable loop's bits (tests check this at both sizes).
    """
    n = M.shape[1]
    if not 1 << 20 <= rows * M.shape[0] * n <= 1 << 22 or any(o.shape[1] % width
                                                               for o in outs):
        return None
    parts, j = [], 0
    for out in outs:
        for k in range(0, out.shape[1], width):
            parts.append((np.ascontiguousarray(M[:, j + k:j + k + width]), out[:, k:k + width]))
        j += out.shape[1]
    return parts


class LSTMLoop(Function):
    """``LSTMLoop.apply(xz, U, h0, c0, gate='sigmoid', sequence=True)`` -> ``(T, B, 2u)``:
    ``[h_t, c_t]`` after each step ``t = 1..T``, side by side on the last axis; with
    ``sequence=False`` only the last ones, ``[h_T, c_T]`` ``(B, 2u)``.

    ``xz`` ``(T, B, 4u)``: the input projections ``x_t . W + b`` of every step, gate
    blocks **i, f, o, c**; ``U`` ``(u, 4u)``: the recurrent weights, same blocks;
    ``h0``, ``c0`` ``(B, u)``: the initial states.  Each step is::

        z = xz[t] + h . U
        i, f, o = gate(z[:, :3u]);  g = tanh(z[:, 3u:])
        c' = f * c + i * g;          h' = o * tanh(c')

    with ``gate`` ``'sigmoid'`` or ``'clip'`` (``clip(a, 0, 1)``, a hard_sigmoid whose
    affine part is folded into the weights; as ``Clip``, its gradient passes where
    ``0 <= a <= 1``).

    ``sequence=False`` is for a layer that uses only the final states (an LSTM without
    ``return_sequences``): it saves copying out every step, and the backward adding a
    gradient of zeros at every step.

    The forward pass does the arithmetic of the readable loop (``h . U`` then the
    :class:`~.recurrent.LSTMCell` formulas) in the same order, so its values are
    identical to it; the gradients agree to rounding (``dU`` is summed in another order).

    Layout (speed): a step's pre-activations and gate values are kept gate-major,
    ``(4, B, u)`` and ``(3, B, u)`` (the products write their column blocks there), so
    that each gate is one contiguous block: numpy's elementwise calls on the strided
    column blocks of a ``(B, 4u)`` array cost two to three times as much.
    The backward likewise computes a step's four gradient blocks contiguously and copies
    them into ``dZ[t]`` in one call.
    """

    first_order_only = True  # backward through time on numpy arrays (see module docstring)

    def forward(self, xz, U, h0, c0, gate="sigmoid", sequence=True):
        if gate not in ("sigmoid", "clip"):
            raise ValueError(f"LSTMLoop: gate must be 'sigmoid' or 'clip', got {gate!r}")
        steps, batch, width = xz.shape
        u = width // 4
        dtype = np.result_type(xz, U, h0, c0)
        H = kept.take((steps + 1, batch, u), dtype)  # h_0 .. h_T (h_0..h_{T-1} feed dU)
        S = kept.take((steps, 3, batch, u), dtype)   # i, f, o, gate-major
        # per step [tanh(c'), g = tanh of the c-gate block, c before the step], side by
        # side so that one call covers two of them: [g, c] are the partners of [i, f]
        # in c' = f * c + i * g (and in their gradients), [tanh(c'), g] both need
        # 1 - tanh^2 in the backward
        W = kept.take((steps + 1, 3, batch, u), dtype)  # (W[T, 2] is c_T)
        # clip's pass-through mask, for the backward (only when there will be one)
        inside = None
        if gate == "clip" and is_grad_enabled() and True in self.needs_grad:
            inside = kept.take((steps, 3, batch, u), np.bool_)
        # one step's pre-activations: gate-major when the products go by blocks of
        # columns (they write them so), else the whole product and strided gate views
        z = np.empty((4, batch, u), dtype)
        parts = _column_parts(U, list(z), batch, _FORWARD_PART)
        if parts is not None:
            xz_steps, pre, pre_c = xz.reshape(steps, batch, 4, u).transpose(0, 2, 1, 3), z[:3], z[3]
        else:
            z = np.empty((batch, width), dtype)
            parts, xz_steps = [(U, z)], xz
            pre, pre_c = z[:, :3 * u].reshape(batch, 3, u).transpose(1, 0, 2), z[:, 3 * u:]
        prod = np.empty((2, batch, u), dtype)
        H[0], W[0, 2] = h0, c0
        for t in range(steps):
            h = H[t]
            for U_part, z_part in parts:
                np.matmul(h, U_part, out=z_part)
            z += xz_steps[t]
            s = S[t]
            if gate == "sigmoid":  # the arithmetic of ``recurrent._gate``
                np.multiply(pre, 0.5, out=s)
                np.tanh(s, out=s)
                s += 1.0
                s *= 0.5
            else:
                pre.clip(0.0, 1.0, out=s)
                if inside is not None:
                    np.equal(s, pre, out=inside[t])  # 0 <= a <= 1 (False for NaN)
            np.tanh(pre_c, out=W[t, 1])
            np.multiply(s[:2], W[t, 1:], out=prod)        # i * g, f * c
            np.add(prod[1], prod[0], out=W[t + 1, 2])     # c' = f * c + i * g
            np.tanh(W[t + 1, 2], out=W[t, 0])
            np.multiply(s[2], W[t, 0], out=H[t + 1])      # h' = o * tanh(c')
        self.U, self.H, self.S, self.W = U, H, S, W
        self.inside, self.sequence = inside, sequence
        if not sequence:
            return np.concatenate([H[steps], W[steps, 2]], axis=1)
        out = kept.lend((steps, batch, 2 * u), dtype)
        out[:, :, :u], out[:, :, u:] = H[1:], W[1:, 2]
        return out

    def __del__(self):
        if getattr(self, "W", None) is not None:  # (a forward that raised made none)
            kept.give(self.H, self.S, self.W)
            if self.inside is not None:
                kept.give(self.inside)

    def backward(self, grad):
        U, S, W, inside = self.U, self.S, self.W, self.inside
        steps, _, batch, u = S.shape
        dtype = grad.dtype
        UT = U.T
        dZ = kept.lend((steps, batch, 4 * u), dtype)
        if self.sequence:
            dh = np.zeros((batch, u), dtype=dtype)  # gradient reaching h_t from step t+1
            dc = np.zeros((batch, u), dtype=dtype)  # and reaching c_t
            gh = np.empty((batch, u), dtype=dtype)
        else:  # only h_T and c_T were used
            dh, dc = grad[:, :u].copy(), grad[:, u:].copy()
            gh = dh
        gc = np.empty((batch, u), dtype=dtype)
        d = np.empty((2, batch, u), dtype=dtype)
        dzs = np.empty((4, batch, u), dtype=dtype)  # a step's gradient blocks, gate-major
        slope = np.empty((3, batch, u), dtype=dtype) if inside is None else None
        # (a contiguous U^T: the product with the transposed view ran ~30% slower here)
        parts = (_column_parts(UT, [dh], batch, _BACKWARD_PART)
                 or [(np.ascontiguousarray(UT), dh)])
        for t in range(steps - 1, -1, -1):  # every step in place: no temporaries
            s, w = S[t], W[t]
            if self.sequence:
                np.add(grad[t, :, :u], dh, out=gh)            # d h_t
                dc += grad[t, :, u:]
            np.multiply(w[:2], w[:2], out=d)
            np.subtract(1.0, d, out=d)                        # 1 - tanh^2: of c', of g
            d *= s[::-2]                                      # times o, i
            d[0] *= gh
            np.add(dc, d[0], out=gc)                          # d c'
            np.multiply(gc, w[1:], out=dzs[:2])               # d i, d f
            np.multiply(gh, w[0], out=dzs[2])                 # d o
            if inside is not None:
                dzs[:3] *= inside[t]
            else:
                np.subtract(1.0, s, out=slope)
                slope *= s
                dzs[:3] *= slope
            np.multiply(gc, d[1], out=dzs[3])                 # d c-gate
            np.multiply(gc, s[1], out=dc)                     # d c
            dz = dZ[t]
            dz.reshape(batch, 4, u).transpose(1, 0, 2)[...] = dzs
            for UT_part, dh_part in parts:
                np.matmul(dz, UT_part, out=dh_part)           # d h
        dU = None
        if self.needs_grad[1]:
            dU = self.H[:steps].reshape(-1, u).T @ dZ.reshape(-1, 4 * u)
        return dZ, dU, dh, dc


def lstm_loop(xz, U, h0, c0, gate: str = "sigmoid", sequence: bool = True):
    """Functional form of :class:`LSTMLoop` (Tensors in, Tensor out)."""
    return LSTMLoop.apply(xz, U, h0, c0, gate=gate, sequence=sequence)
