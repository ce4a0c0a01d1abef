"""Recurrent layers of Keras 1.2.2: SimpleRNN, GRU and LSTM.

Each layer keeps the 1.2.2 weights (names, shapes, order of ``get_weights()``) and
fuses them once per batch into wide matrices, so that every timestep costs one
``h . U`` matrix product for all gates plus a few elementwise operations.  With
``consume_less='cpu'`` (the default) the input projections ``x . W + b`` of *all*
timesteps are one matrix product before the loop.

>>> import numpy as np
>>> from tinygrad_keras import Tensor
>>> from tinygrad_keras.layers import LSTM
>>> LSTM(3, return_sequences=True)(Tensor(np.ones((2, 5, 4), 'float32'))).shape
(2, 5, 3)
"""
from __future__ import annotations

import numpy as np

from .. import backend as K
from ..autodiff import Tensor
from ..autodiff import functional as F
from ..autodiff.ops.fused import rows_linear
from ..autodiff.ops.recurrent import gru_gates, gru_output, lstm_cell
from ..autodiff.ops.recurrent_loop import lstm_loop
from ._time_dense import time_distributed_dense
from .core import config_of, get_activation, get_initializer, get_regularizer, name_of
from .recurrent_base import (
    Recurrent,
    dropout_active,
    dropout_masks,
    masked,
    time_major,
    unstack_time,
)

__all__ = ["GRU", "LSTM", "Recurrent", "SimpleRNN", "time_distributed_dense"]


def _join(parts: list, axis: int = -1):
    return parts[0] if len(parts) == 1 else F.concatenate(parts, axis=axis)


def project(x, Ws: list, bs: list, masks: list):
    """``x . W + b`` for gate blocks side by side; ``x`` is ``(..., D)``.

    Without dropout masks the blocks are one fused product: ``F.linear`` for one step,
    and for all timesteps at once (``x`` ``(T, B, D)``) ``rows_linear``, which adds
    the bias inside the product (``ops/fused.py``, for speed); with masks each gate
    sees its own masked copy of ``x`` (1.2.2 draws one mask per gate).
    """
    if all(m is masks[0] for m in masks):  # no dropout, or one mask shared ('gpu')
        x, W, b = masked(x, masks[0]), _join(Ws), _join(bs)
        if x.ndim > 2 and x.dtype == W.dtype == b.dtype:
            return rows_linear(x, W, b)
        return F.linear(x, W, b)
    return _join([masked(x, m) @ W + b for W, b, m in zip(Ws, bs, masks)])


def recur(h, Us: list, masks: list):
    """``h . U`` for gate blocks side by side (one product when no dropout masks)."""
    if all(m is masks[0] for m in masks):
        return masked(h, masks[0]) @ _join(Us)
    return _join([masked(h, m) @ U for U, m in zip(Us, masks)])


class _GatedRNN(Recurrent):
    """What SimpleRNN, GRU and LSTM share: arguments, per-batch preparation, config."""

    gates = 1  # number of u-wide blocks in the fused weights
    fuse_recurrent = True  # join the recurrent blocks into one matrix when masks allow

    def __init__(self, output_dim, init="glorot_uniform", inner_init="orthogonal",
                 activation="tanh", inner_activation="hard_sigmoid", W_regularizer=None,
                 U_regularizer=None, b_regularizer=None, dropout_W=0.0, dropout_U=0.0, **kwargs):
        self.output_dim = int(output_dim)
        self.init = get_initializer(init)
        self.inner_init = get_initializer(inner_init)
        self.activation = get_activation(activation)
        self.inner_activation = get_activation(inner_activation)
        self.W_regularizer = get_regularizer(W_regularizer)
        self.U_regularizer = get_regularizer(U_regularizer)
        self.b_regularizer = get_regularizer(b_regularizer)
        self.dropout_W = dropout_W
        self.dropout_U = dropout_U
        if self.dropout_W or self.dropout_U:
            self.uses_learning_phase = True
        super().__init__(**kwargs)

    def _weight(self, shape, init, suffix, regularizer):
        return self.add_weight(shape, init, name=f"{self.name}_{suffix}", regularizer=regularizer)

    def _gate_weights(self, gate: str, bias_init="zero"):
        """The separate ``W_g, U_g, b_g`` of 'cpu'/'mem' mode.  As in 1.2.2, ``U_g`` is
        initialised with ``init`` and regularised with ``W_regularizer``."""
        u, d = self.output_dim, self.input_dim
        return (self._weight((d, u), self.init, f"W_{gate}", self.W_regularizer),
                self._weight((u, u), self.init, f"U_{gate}", self.W_regularizer),
                self._weight((u,), bias_init, f"b_{gate}", self.b_regularizer))

    def _fused_weights(self, bias_init="zero"):
        """The fused ``W, U, b`` of 'gpu' mode (``inner_init``, ``U_regularizer``)."""
        u, d, k = self.output_dim, self.input_dim, self.gates
        return (self._weight((d, k * u), self.init, "W", self.W_regularizer),
                self._weight((u, k * u), self.inner_init, "U", self.U_regularizer),
                self._weight((k * u,), bias_init, "b", self.b_regularizer))

    # ---- per batch ---------------------------------------------------------------------
    def prepare(self, x):
        """Fuse the weights and draw this batch's dropout masks; return per-step inputs
        (input projections in 'cpu' mode, raw ``x_t`` otherwise)."""
        return unstack_time(self.prepare_sequence(x))

    def prepare_sequence(self, x):
        """What ``prepare`` cuts into steps: the time-major ``(T, B, ...)`` sequence."""
        Ws, Us, bs = self._folded_blocks()
        w_masks, u_masks = self._dropout_masks(x, len(Ws))
        # one mask (or none) for all gates: join the blocks now, once per batch, so
        # that each step does one matrix product
        if all(m is w_masks[0] for m in w_masks):
            Ws, bs, w_masks = [_join(Ws)], [_join(bs)], w_masks[:1]
        if self.fuse_recurrent and all(m is u_masks[0] for m in u_masks):
            Us, u_masks = [_join(Us)], u_masks[:1]
        self._batch_Ws, self._batch_Us, self._batch_bs = Ws, Us, bs
        self._batch_W_masks, self._batch_U_masks = w_masks, u_masks
        seq = time_major(x)
        if self.consume_less == "cpu":
            seq = project(seq, Ws, bs, w_masks)
        return seq

    def _folded_blocks(self):
        """The gate blocks; with hard_sigmoid, ``clip(0.2 a + 0.5, 0, 1)`` where ``a`` is
        linear in the weights, so 0.2 and 0.5 move into the sigmoid-gate blocks (once per
        batch) and each step needs one clip instead of three operations."""
        Ws, Us, bs, n_w, n_u = self.gate_blocks()
        if not self.folds_hard_sigmoid():
            return Ws, Us, bs
        return ([w * 0.2 for w in Ws[:n_w]] + Ws[n_w:], [w * 0.2 for w in Us[:n_u]] + Us[n_u:],
                [b * 0.2 + 0.5 for b in bs[:n_w]] + bs[n_w:])

    def _dropout_masks(self, x, n_blocks: int):
        """One mask per input block and per gate (1.2.2), or one shared mask in 'gpu' mode."""
        batch = x.shape[0]
        if self.consume_less == "gpu":
            w = dropout_masks((batch, self.input_dim), self.dropout_W, 1, x.dtype)
            u = dropout_masks((batch, self.output_dim), self.dropout_U, 1, x.dtype)
            return w * n_blocks, u * self.gates
        return (dropout_masks((batch, self.input_dim), self.dropout_W, n_blocks, x.dtype),
                dropout_masks((batch, self.output_dim), self.dropout_U, self.gates, x.dtype))

    def folds_hard_sigmoid(self) -> bool:
        from .. import activations
        return self.inner_activation is activations.hard_sigmoid

    def gate(self, a):
        """The inner activation of the sigmoid gates (a clip when hard_sigmoid is folded)."""
        if self.folds_hard_sigmoid():
            return F.clip(a, 0.0, 1.0)
        return self.inner_activation(a)

    def fused_gate(self):
        """'clip' or 'sigmoid' when the fused cell primitives compute this layer's steps
        (activation tanh, inner activation hard_sigmoid or sigmoid), else None."""
        from .. import activations
        if self.activation is not activations.tanh:
            return None
        if self.folds_hard_sigmoid():
            return "clip"
        return "sigmoid" if self.inner_activation is activations.sigmoid else None

    def pack_states(self, states):
        self._batch_cell = self.fused_gate()
        return states

    def input_part(self, x_t):
        """This step's input projection, ``(B, gates * u)``."""
        if self.consume_less == "cpu":
            return x_t
        return project(x_t, self._batch_Ws, self._batch_bs, self._batch_W_masks)

    def get_config(self) -> dict:
        config = {"output_dim": self.output_dim, "init": name_of(self.init),
                  "inner_init": name_of(self.inner_init),
                  "activation": name_of(self.activation),
                  "W_regularizer": config_of(self.W_regularizer),
                  "U_regularizer": config_of(self.U_regularizer),
                  "b_regularizer": config_of(self.b_regularizer),
                  "dropout_W": self.dropout_W, "dropout_U": self.dropout_U}
        return {**super().get_config(), **config}


class SimpleRNN(_GatedRNN):
    """Fully connected RNN: ``h_t = activation(x_t . W + b + h_{t-1} . U)``.

    Input ``(None, T, input_dim)``; output ``(None, T, output_dim)`` with
    ``return_sequences``, else ``(None, output_dim)``.  Weights ``[W (input_dim, u),
    U (u, u), b (u,)]``.  As in 1.2.2, ``dropout_W`` acts only with ``consume_less='cpu'``.
    """

    def __init__(self, output_dim, init="glorot_uniform", inner_init="orthogonal",
                 activation="tanh", W_regularizer=None, U_regularizer=None,
                 b_regularizer=None, dropout_W=0.0, dropout_U=0.0, **kwargs):
        super().__init__(output_dim, init=init, inner_init=inner_init, activation=activation,
                         inner_activation="linear", W_regularizer=W_regularizer,
                         U_regularizer=U_regularizer, b_regularizer=b_regularizer,
                         dropout_W=dropout_W, dropout_U=dropout_U, **kwargs)

    def build(self, input_shape) -> None:
        self.build_states(input_shape)
        u = self.output_dim
        self.W = self._weight((self.input_dim, u), self.init, "W", self.W_regularizer)
        self.U = self._weight((u, u), self.inner_init, "U", self.U_regularizer)
        self.b = self._weight((u,), "zero", "b", self.b_regularizer)

    def _no_batch_message(self) -> str:
        return (f"{self.name}: If a RNN is stateful, it needs to know its batch size. Specify "
                f"the batch size of your input tensors: pass a `batch_input_shape` argument to "
                f"the first layer of a Sequential model, or a `batch_shape` argument to your "
                f"Input layer (functional API).")

    def gate_blocks(self):
        return [self.W], [self.U], [self.b], 0, 0

    def prepare(self, x):
        steps = super().prepare(x)
        if self.consume_less != "cpu":
            self._batch_W_masks = [None]  # 1.2.2 quirk: dropout_W only in 'cpu' mode
        return steps

    def step(self, x_t, states):
        h = self.activation(self.input_part(x_t) + recur(states[0], self._batch_Us, self._batch_U_masks))
        return h, [h]


class GRU(_GatedRNN):
    """Gated recurrent unit (Cho et al. 2014), the 1.2.2 equations::

        z  = inner_activation(x W_z + b_z + h U_z)
        r  = inner_activation(x W_r + b_r + h U_r)
        hh = activation(x W_h + b_h + (r * h) U_h)
        h' = z * h + (1 - z) * hh

    Weights: 9 arrays ``[W_z, U_z, b_z, W_r, U_r, b_r, W_h, U_h, b_h]`` ('cpu'/'mem'),
    or 3 fused ``[W (d, 3u), U (u, 3u), b (3u,)]`` with blocks z, r, h ('gpu').
    """

    gates = 3
    fuse_recurrent = False  # U_h multiplies r * h, not h: kept apart from U_zr

    def build(self, input_shape) -> None:
        self.build_states(input_shape)
        if self.consume_less == "gpu":
            self.W, self.U, self.b = self._fused_weights()
            return
        self.W_z, self.U_z, self.b_z = self._gate_weights("z")
        self.W_r, self.U_r, self.b_r = self._gate_weights("r")
        self.W_h, self.U_h, self.b_h = self._gate_weights("h")

    def gate_blocks(self):
        """``Ws``/``bs`` (input blocks z, r, h; z and r fused in 'gpu' mode), ``Us`` =
        ``[U_zr, U_h]``, and how many leading blocks feed sigmoid gates."""
        u = self.output_dim
        if self.consume_less == "gpu":
            return ([self.W[:, :2 * u], self.W[:, 2 * u:]],
                    [self.U[:, :2 * u], self.U[:, 2 * u:]], [self.b[:2 * u], self.b[2 * u:]], 1, 1)
        return ([self.W_z, self.W_r, self.W_h], [_join([self.U_z, self.U_r]), self.U_h],
                [self.b_z, self.b_r, self.b_h], 2, 1)

    def step(self, x_t, states):
        h, u = states[0], self.output_dim
        xz = self.input_part(x_t)
        mz, mr, mh = self._batch_U_masks
        if mz is mr:
            inner = masked(h, mz) @ self._batch_Us[0]
        else:
            U_zr = self._batch_Us[0]
            inner = _join([masked(h, mz) @ U_zr[:, :u], masked(h, mr) @ U_zr[:, u:]])
        if self._batch_cell is not None:
            zrh = gru_gates(xz, inner, h, self._batch_cell)
            hh_in = masked(zrh[:, u:], mh) @ self._batch_Us[1]
            h_new = gru_output(xz, hh_in, zrh, h)
            return h_new, [h_new]
        zr = self.gate(xz[:, :2 * u] + inner)
        z, r = zr[:, :u], zr[:, u:]
        hh = self.activation(xz[:, 2 * u:] + masked(r * h, mh) @ self._batch_Us[1])
        h_new = hh + z * (h - hh)  # = z*h + (1-z)*hh with one op fewer
        return h_new, [h_new]

    def get_config(self) -> dict:
        return {**super().get_config(), "inner_activation": name_of(self.inner_activation)}


class LSTM(_GatedRNN):
    """Long short-term memory (Hochreiter 1997), no peepholes, the 1.2.2 equations::

        i = inner_activation(x W_i + b_i + h U_i)
        f = inner_activation(x W_f + b_f + h U_f)
        c' = f * c + i * activation(x W_c + b_c + h U_c)
        o = inner_activation(x W_o + b_o + h U_o)
        h' = o * activation(c')

    Input ``(None, T, input_dim)``; output ``(None, T, u)`` or ``(None, u)``.
    Weights: 12 arrays in gate order **i, c, f, o** (``[W_i, U_i, b_i, W_c, ...]``,
    'cpu'/'mem'), or 3 fused ``[W (d, 4u), U (u, 4u), b (4u,)]`` with blocks i, f, c, o
    ('gpu').  ``b_f`` starts at ``forget_bias_init`` (ones).
    """

    gates = 4
    state_count = 2
    loop_primitive = True  # False: always the readable step-by-step loop (``whole_loop``)

    def __init__(self, output_dim, init="glorot_uniform", inner_init="orthogonal",
                 forget_bias_init="one", activation="tanh", inner_activation="hard_sigmoid",
                 W_regularizer=None, U_regularizer=None, b_regularizer=None, dropout_W=0.0,
                 dropout_U=0.0, **kwargs):
        self.forget_bias_init = get_initializer(forget_bias_init)
        super().__init__(output_dim, init=init, inner_init=inner_init, activation=activation,
                         inner_activation=inner_activation, W_regularizer=W_regularizer,
                         U_regularizer=U_regularizer, b_regularizer=b_regularizer,
                         dropout_W=dropout_W, dropout_U=dropout_U, **kwargs)

    def build(self, input_shape) -> None:
        self.build_states(input_shape)
        if self.consume_less == "gpu":
            self.W, self.U, self.b = self._fused_weights(bias_init=self._fused_bias)
            return
        # created in the order i, f, c, o (as 1.2.2 draws them), listed i, c, f, o
        self.W_i, self.U_i, self.b_i = self._gate_weights("i")
        self.W_f, self.U_f, self.b_f = self._gate_weights("f", bias_init=self.forget_bias_init)
        self.W_c, self.U_c, self.b_c = self._gate_weights("c")
        self.W_o, self.U_o, self.b_o = self._gate_weights("o")
        self.trainable_weights = [self.W_i, self.U_i, self.b_i, self.W_c, self.U_c, self.b_c,
                                  self.W_f, self.U_f, self.b_f, self.W_o, self.U_o, self.b_o]

    def _fused_bias(self, shape, name=None):
        u = self.output_dim
        forget = self.forget_bias_init((u,), name=None)
        forget = forget.data if hasattr(forget, "data") else np.asarray(forget)
        zeros = np.zeros(u)
        return K.variable(np.concatenate([zeros, forget, zeros, zeros]), name=name)

    def gate_blocks(self):
        """Input and recurrent blocks in the fused order **i, f, o, c** (the three
        sigmoid gates side by side, so one activation call covers them)."""
        if self.consume_less == "gpu":
            u = self.output_dim

            def reorder(w):  # gpu layout i, f, c, o -> i, f, o, c
                return [w[..., :2 * u], w[..., 3 * u:], w[..., 2 * u:3 * u]]
            return reorder(self.W), reorder(self.U), reorder(self.b), 2, 2
        return ([self.W_i, self.W_f, self.W_o, self.W_c], [self.U_i, self.U_f, self.U_o, self.U_c],
                [self.b_i, self.b_f, self.b_o, self.b_c], 3, 3)

    def whole_loop(self, x, states, mask):
        """The time loop as one ``LSTMLoop`` primitive (``autodiff/ops/recurrent_loop.py``,
        hand-written backward through time) when it computes what the readable loop
        would: default 'cpu' mode, tanh with a (hard_)sigmoid gate, no mask, no recurrent
        dropout, ``step`` not replaced (by a subclass, or on the instance as the graph
        inspection tools do to label the steps), ``loop_primitive`` left on.  Else None."""
        cell = self.fused_gate()
        if (not self.loop_primitive or cell is None or mask is not None
                or self.consume_less != "cpu" or dropout_active(self.dropout_U)
                or getattr(self.step, "__func__", None) is not LSTM.step):
            return None
        seq = self.prepare_sequence(x)
        if self.go_backwards:
            seq = seq[::-1]
        # without return_sequences only the final states are used: the loop returns those
        out = lstm_loop(seq, self._batch_Us[0], states[0], states[1], cell,
                        sequence=self.return_sequences)
        u = self.output_dim
        last = out[-1] if self.return_sequences else out
        h_last = last[:, :u]
        sequence = F.transpose(out[:, :, :u], (1, 0, 2)) if self.return_sequences else None
        return h_last, sequence, [h_last, last[:, u:]]

    def pack_states(self, states):
        """With the fused cell the loop carries ``[h, hc]``, ``hc = [h, c]`` side by side."""
        super().pack_states(states)
        if self._batch_cell is None:
            return states
        h, c = states
        return [h, Tensor(np.concatenate([h.data, c.data], axis=1))]

    def unpack_states(self, states):
        if self._batch_cell is None:
            return states
        return [states[0], states[1][:, self.output_dim:]]

    def step(self, x_t, states):
        h, u = states[0], self.output_dim
        xz = self.input_part(x_t)
        hz = recur(h, self._batch_Us, self._batch_U_masks)
        if self._batch_cell is not None:
            hc = lstm_cell(xz, hz, states[1], self._batch_cell)
            h_new = hc[:, :u]
            return h_new, [h_new, hc]
        z = xz + hz
        sig = self.gate(z[:, :3 * u])
        g = self.activation(z[:, 3 * u:])
        i, f, o = sig[:, :u], sig[:, u:2 * u], sig[:, 2 * u:]
        c_new = f * states[1] + i * g
        h_new = o * self.activation(c_new)
        return h_new, [h_new, c_new]

    def get_config(self) -> dict:
        return {**super().get_config(), "forget_bias_init": name_of(self.forget_bias_init),
                "inner_activation": name_of(self.inner_activation)}
