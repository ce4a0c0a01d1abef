"""Convolutional recurrent layers (Keras 1.2.2 ``keras.layers.convolutional_recurrent``).

``ConvLSTM2D`` is an LSTM whose four gates are 2-D correlations instead of matrix
products: the input-to-gate maps use the layer's ``border_mode`` and ``subsample``,
the state-to-gate maps are 'same' with stride 1 (the state keeps its size).  Like the
dense recurrent layers it is a Python loop over time (``recurrent_base.run_loop``)
and backpropagation through time is left to the autodiff engine.

Speed: the four input correlations of every timestep are one correlation (kernels
concatenated along the filters) over the whole ``(batch * time)`` stack, done once
before the loop; each step then runs one state correlation with the four ``U``
kernels concatenated.
"""
from __future__ import annotations

import numpy as np

from .. import backend as K
from ..autodiff import Tensor
from ..autodiff import functional as F
from ..engine.topology import InputSpec, Layer
from ..utils.np_utils import conv_output_length
from ._common import (
    check_positive_int,
    config_of,
    get_activation,
    get_initializer,
    get_regularizer,
    name_of,
)
from ._conv_base import _pair, check_border_mode
from ._resize import dim_ordering_of
from .recurrent_base import dropout_masks, run_loop, stack_time, unstack_time

__all__ = ["ConvLSTM2D", "ConvRecurrent2D"]

GATES = ("i", "f", "c", "o")          # the order the fused kernels are concatenated in
WEIGHT_ORDER = ("i", "c", "f", "o")   # Keras 1.2.2's trainable_weights order


class ConvRecurrent2D(Layer):
    """Base of ConvLSTM2D: a recurrent layer over a sequence of images.

    Input 'th' ``(None, time, channels, rows, cols)``, 'tf' ``(None, time, rows, cols,
    channels)``.  Output, with ``return_sequences``, ``(None, time, nb_filter,
    new_rows, new_cols)`` ('th') or ``(None, time, new_rows, new_cols, nb_filter)``
    ('tf'); else the last step, without the time axis.  Subclasses define ``build``,
    ``state_count``, ``prepare(x)`` (per-step inputs) and ``step(x_t, states)``.
    """

    state_count = 1

    def __init__(self, weights=None, nb_row=None, nb_col=None, nb_filter=None,
                 return_sequences=False, go_backwards=False, stateful=False,
                 dim_ordering=None, **kwargs):
        self.return_sequences = return_sequences
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.initial_weights = weights
        self.nb_row, self.nb_col, self.nb_filter = nb_row, nb_col, nb_filter
        self.dim_ordering = dim_ordering
        self.input_spec = [InputSpec(ndim=5)]
        self.states = [None] * self.state_count
        super().__init__(**kwargs)

    @property
    def _th(self) -> bool:
        return self.dim_ordering == "th"

    def compute_mask(self, x, mask=None):
        return mask if self.return_sequences else None

    def get_output_shape_for(self, input_shape):
        rows, cols = input_shape[3:5] if self._th else input_shape[2:4]
        rows, cols = (conv_output_length(n, k, self.border_mode, s) for n, k, s in
                      zip((rows, cols), (self.nb_row, self.nb_col), self.subsample))
        image = (self.nb_filter, rows, cols) if self._th else (rows, cols, self.nb_filter)
        if self.return_sequences:
            return (input_shape[0], input_shape[1]) + image
        return (input_shape[0],) + image

    def _state_shape(self, input_shape) -> tuple:
        """One state's shape without the batch axis: the per-step output image."""
        return tuple(self.get_output_shape_for(input_shape)[-3:])

    def reset_states(self) -> None:
        """Set the stored states of a stateful layer back to zeros."""
        if not self.stateful:
            raise AssertionError(f"Layer {self.name} must be stateful to reset its states.")
        shape = self.input_spec[0].shape
        if not shape or not shape[0]:
            raise ValueError(f"{self.name}: a stateful layer needs a complete input shape "
                             f"(batch size included): pass `batch_input_shape`.")
        zeros = np.zeros((shape[0],) + self._state_shape(shape), dtype=K.floatx())
        self.states = [Tensor(zeros.copy()) for _ in range(self.state_count)]

    def _initial_states(self, x) -> list:
        if not self.stateful:
            zeros = Tensor(np.zeros((x.shape[0],) + self._state_shape(x.shape), dtype=x.dtype))
            return [zeros] * self.state_count
        if self.states[0] is None or self.states[0].shape[0] != x.shape[0]:
            raise ValueError(f"{self.name} is stateful with a fixed batch size; every batch "
                             f"must have exactly that many samples, got {x.shape[0]}")
        return [Tensor(s.data.astype(x.dtype, copy=False)) for s in self.states]

    def call(self, x, mask=None):
        """``x``: ``(B, T, ...)`` images; returns the last output or all of them."""
        states = self._initial_states(x)
        try:
            inputs = self.prepare(x)
            last, outputs, final = run_loop(self.step, inputs, states, None, self.go_backwards)
        finally:
            for attr in [a for a in vars(self) if a.startswith("_batch_")]:
                setattr(self, attr, None)
        if self.stateful:
            for stored, new in zip(self.states, final):
                stored.data = new.data.copy()
        return stack_time(outputs) if self.return_sequences else last

    def get_config(self) -> dict:
        config = {"return_sequences": self.return_sequences, "go_backwards": self.go_backwards,
                  "stateful": self.stateful}
        if self.stateful and self.input_spec[0].shape:
            config["batch_input_shape"] = self.input_spec[0].shape
        return {**super().get_config(), **config}


class ConvLSTM2D(ConvRecurrent2D):
    """Convolutional LSTM (Shi et al. 2015, without the peephole terms, as in 1.2.2).

    Shapes as :class:`ConvRecurrent2D`.  Weights, in Keras 1.2.2 order: ``W_i, U_i,
    b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o``; ``W_*`` 'th' ``(nb_filter,
    channels, nb_row, nb_col)`` / 'tf' ``(nb_row, nb_col, channels, nb_filter)``,
    ``U_*`` the same with ``nb_filter`` input channels, ``b_*`` ``(nb_filter,)``.

    >>> ConvLSTM2D(4, 3, 3, border_mode='same', return_sequences=True, dim_ordering='tf'
    ...            ).get_output_shape_for((None, 5, 8, 8, 1))
    (None, 5, 8, 8, 4)
    """

    state_count = 2

    def __init__(self, nb_filter, nb_row, nb_col, init="glorot_uniform", inner_init="orthogonal",
                 forget_bias_init="one", activation="tanh", inner_activation="hard_sigmoid",
                 dim_ordering="default", border_mode="valid", subsample=(1, 1),
                 W_regularizer=None, U_regularizer=None, b_regularizer=None, dropout_W=0.0,
                 dropout_U=0.0, **kwargs):
        cls = type(self).__name__
        self.init = get_initializer(init)
        self.inner_init = get_initializer(inner_init)
        self.forget_bias_init = get_initializer(forget_bias_init)
        self.activation = get_activation(activation)
        self.inner_activation = get_activation(inner_activation)
        self.border_mode = check_border_mode(cls, border_mode, ("valid", "same"))
        self.subsample = _pair(subsample, "subsample", cls)
        self.W_regularizer = get_regularizer(W_regularizer)
        self.U_regularizer = get_regularizer(U_regularizer)
        self.b_regularizer = get_regularizer(b_regularizer)
        for arg, p in (("dropout_W", dropout_W), ("dropout_U", dropout_U)):
            if not 0.0 <= p < 1.0:
                raise ValueError(f"{cls}: `{arg}` must be in [0, 1), got {p!r}")
        self.dropout_W, self.dropout_U = dropout_W, dropout_U
        if dropout_W or dropout_U:
            self.uses_learning_phase = True
        super().__init__(nb_filter=check_positive_int(nb_filter, "nb_filter", cls),
                         nb_row=check_positive_int(nb_row, "nb_row", cls),
                         nb_col=check_positive_int(nb_col, "nb_col", cls),
                         dim_ordering=dim_ordering_of(dim_ordering, cls), **kwargs)

    def build(self, input_shape) -> None:
        channel_axis = 2 if self._th else 4
        if input_shape[channel_axis] is None:
            raise ValueError(f"{self.name}: the channel axis of the input must be known, got "
                             f"shape {tuple(input_shape)}")
        self.input_spec = [InputSpec(shape=tuple(input_shape))]
        c, f, r, k = input_shape[channel_axis], self.nb_filter, self.nb_row, self.nb_col
        self.W_shape = (f, c, r, k) if self._th else (r, k, c, f)
        self.W_shape1 = (f, f, r, k) if self._th else (r, k, f, f)
        # 1.2.2 regularizes the four gates' kernels concatenated; L1/L2 of a concatenation
        # is the sum over its parts, so each weight carries the regularizer
        for g in WEIGHT_ORDER:
            for kind, shape, init, reg in (
                    ("W", self.W_shape, self.init, self.W_regularizer),
                    ("U", self.W_shape1, self.inner_init, self.U_regularizer),
                    ("b", (f,), self.forget_bias_init if g == "f" else "zero",
                     self.b_regularizer)):
                setattr(self, f"{kind}_{g}", self.add_weight(
                    shape, init, name=f"{self.name}_{kind}_{g}", regularizer=reg))
        if self.stateful:
            self.reset_states()
        else:
            self.states = [None, None]

    def _kernel_th(self, w):
        return w if self._th else F.transpose(w, (3, 2, 0, 1))

    def _fused(self, kind: str, gates=GATES):
        """The gates' kernels concatenated along the filters, channels-first layout."""
        return F.concatenate([self._kernel_th(getattr(self, f"{kind}_{g}")) for g in gates],
                             axis=0)

    def prepare(self, x) -> list:
        """Input-to-gate correlations of every timestep at once; returns per-step
        ``(B, 4 * nb_filter, rows, cols)`` pre-activations (bias included)."""
        b, t = x.shape[:2]
        frames = F.reshape(x, (b * t,) + x.shape[2:])
        if not self._th:
            frames = F.transpose(frames, (0, 3, 1, 2))
        masks_w = dropout_masks((b, 1) + frames.shape[1:], self.dropout_W, 4, x.dtype)
        if masks_w[0] is None:
            pre = F.conv2d(frames, self._fused("W"), self.subsample, self.border_mode)
        else:  # each gate sees its own dropped-out input (the mask is shared over time)
            shape = frames.shape
            pre = F.concatenate([
                F.conv2d(F.reshape(F.reshape(frames, (b, t) + shape[1:]) * m, shape),
                         self._kernel_th(getattr(self, f"W_{g}")), self.subsample,
                         self.border_mode) for g, m in zip(GATES, masks_w)], axis=1)
        bias = F.concatenate([getattr(self, f"b_{g}") for g in GATES], axis=0)
        pre = pre + F.reshape(bias, (1, -1, 1, 1))
        state_th = (self.nb_filter,) + pre.shape[2:]   # (nb_filter, rows, cols)
        self._batch_masks_u = dropout_masks((b,) + state_th, self.dropout_U, 4, x.dtype)
        pre = F.reshape(pre, (b, t) + pre.shape[1:])
        return unstack_time(F.transpose(pre, (1, 0, 2, 3, 4)))

    def _hidden(self, h):
        """State-to-gate correlations ('same', stride 1), channels first."""
        masks = self._batch_masks_u
        if masks is None or masks[0] is None:
            return F.conv2d(h, self._fused("U"), 1, "same")
        return F.concatenate([F.conv2d(h * m, self._kernel_th(getattr(self, f"U_{g}")), 1,
                                       "same") for g, m in zip(GATES, masks)], axis=1)

    def step(self, pre, states):
        h, c = states
        h_th = h if self._th else F.transpose(h, (0, 3, 1, 2))
        z = pre + self._hidden(h_th)
        f = self.nb_filter
        zi, zf, zc, zo = (z[:, n * f:(n + 1) * f] for n in range(4))
        if not self._th:
            zi, zf, zc, zo = (F.transpose(a, (0, 2, 3, 1)) for a in (zi, zf, zc, zo))
        c = self.inner_activation(zf) * c + self.inner_activation(zi) * self.activation(zc)
        h = self.inner_activation(zo) * self.activation(c)
        return h, [h, c]

    def get_config(self) -> dict:
        config = {"nb_filter": self.nb_filter, "nb_row": self.nb_row, "nb_col": self.nb_col,
                  "init": name_of(self.init), "inner_init": name_of(self.inner_init),
                  "forget_bias_init": name_of(self.forget_bias_init),
                  "activation": name_of(self.activation),
                  "inner_activation": name_of(self.inner_activation),
                  "dim_ordering": self.dim_ordering, "border_mode": self.border_mode,
                  # not in 1.2.2's config, kept so that every layer round-trips
                  "subsample": self.subsample, "dropout_W": self.dropout_W,
                  "dropout_U": self.dropout_U,
                  "W_regularizer": config_of(self.W_regularizer),
                  "U_regularizer": config_of(self.U_regularizer),
                  "b_regularizer": config_of(self.b_regularizer)}
        return {**super().get_config(), **config}
