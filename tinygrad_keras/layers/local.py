"""Locally connected layers (Keras 1.2.2 ``keras.layers.local``): like a 'valid'
convolution, but every output position has its *own* kernel (no weight sharing).

Both gather the receptive fields with one strided slice per kernel cell (not one per
output position), lay them out as ``(positions, batch, field)`` and multiply by the
``(positions, field, nb_filter)`` kernel in one batched matmul.  Field order and
weight shapes are those of Keras 1.2.2, so weight files carry over.
"""
from __future__ import annotations

from ..autodiff import functional as F
from ..engine.topology import InputSpec
from ..utils.np_utils import conv_output_length
from ._common import check_positive_int
from ._conv_base import _Conv, _pair, bind_ordering, check_output_shape
from ._resize import dim_ordering_of

__all__ = ["LocallyConnected1D", "LocallyConnected2D"]


def _valid_only(layer: str, border_mode) -> str:
    if border_mode != "valid":
        raise ValueError(f"{layer}: only border_mode='valid' is supported (as in Keras "
                         f"1.2.2), got {border_mode!r}")
    return border_mode


def _window(start: int, stride: int, count: int) -> slice:
    return slice(start, start + stride * (count - 1) + 1, stride)


def _known(layer, input_shape, axes) -> None:
    if any(input_shape[a] is None for a in axes):
        raise ValueError(f"{layer.name}: a locally connected layer needs every non-batch "
                         f"axis known (one kernel per position), got shape {tuple(input_shape)}")


def _add_local_weights(layer, w_shape: tuple, b_shape: tuple, dim_ordering: str) -> None:
    """The kernel ``W`` and (with ``bias``) one bias per output position ``b``."""
    layer.W_shape = w_shape
    layer.W = layer.add_weight(w_shape, bind_ordering(layer.init, dim_ordering),
                               name=f"{layer.name}_W", regularizer=layer.W_regularizer,
                               constraint=layer.W_constraint)
    layer.b = None
    if layer.bias:
        layer.b = layer.add_weight(b_shape, "zero", name=f"{layer.name}_b",
                                   regularizer=layer.b_regularizer, constraint=layer.b_constraint)


class LocallyConnected1D(_Conv):
    """Unshared 1-D 'convolution': output step ``i`` has its own ``filter_length x
    input_dim -> nb_filter`` kernel.

    Input ``(None, steps, input_dim)``; output ``(None, new_steps, nb_filter)``.
    Weights: ``W`` ``(new_steps, filter_length * input_dim, nb_filter)`` (field order:
    step, then feature), ``b`` ``(new_steps, nb_filter)``.

    >>> LocallyConnected1D(4, 3).get_output_shape_for((None, 10, 2))
    (None, 8, 4)
    """

    def __init__(self, nb_filter, filter_length, init="glorot_uniform", activation=None,
                 weights=None, border_mode="valid", subsample_length=1, W_regularizer=None,
                 b_regularizer=None, activity_regularizer=None, W_constraint=None,
                 b_constraint=None, bias=True, input_dim=None, input_length=None, **kwargs):
        cls = type(self).__name__
        _valid_only(cls, border_mode)
        self.filter_length = check_positive_int(filter_length, "filter_length", cls)
        self.subsample_length = check_positive_int(subsample_length, "subsample_length", cls)
        self.input_dim, self.input_length = input_dim, input_length
        if input_dim:
            kwargs["input_shape"] = (input_length, input_dim)
        self.input_spec = [InputSpec(ndim=3)]
        super().__init__(nb_filter, init, activation, weights, border_mode, W_regularizer,
                         b_regularizer, activity_regularizer, W_constraint, b_constraint, bias,
                         kwargs)

    def build(self, input_shape) -> None:
        _known(self, input_shape, (1, 2))
        steps = self.get_output_shape_for(input_shape)[1]
        _add_local_weights(self, (steps, self.filter_length * input_shape[2], self.nb_filter),
                           (steps, self.nb_filter), "th")

    def get_output_shape_for(self, input_shape):
        steps = conv_output_length(input_shape[1], self.filter_length, self.border_mode,
                                   self.subsample_length)
        return check_output_shape(self, input_shape, (input_shape[0], steps, self.nb_filter))

    def call(self, x, mask=None):
        steps = self.W.shape[0]
        cells = [x[:, _window(u, self.subsample_length, steps), :]       # (B, steps, dim)
                 for u in range(self.filter_length)]
        fields = F.reshape(F.stack(cells, axis=2), (x.shape[0], steps, -1))
        out = F.transpose(F.transpose(fields, (1, 0, 2)) @ self.W, (1, 0, 2))
        if self.bias:
            out = out + F.expand_dims(self.b, 0)
        return self.activation(out)

    def get_config(self) -> dict:
        return {**super().get_config(), "filter_length": self.filter_length,
                "subsample_length": self.subsample_length, "input_dim": self.input_dim,
                "input_length": self.input_length}


class LocallyConnected2D(_Conv):
    """Unshared 2-D 'convolution': output position ``(i, j)`` has its own
    ``nb_row x nb_col x channels -> nb_filter`` kernel.

    Input 'th' ``(None, channels, rows, cols)``, 'tf' ``(None, rows, cols, channels)``;
    output the same layout with ``nb_filter`` channels.  Weights (Keras 1.2.2):
    ``W`` ``(new_rows * new_cols, nb_row * nb_col * channels, nb_filter)`` (field order
    'th': channel, row, col; 'tf': row, col, channel), ``b`` ``(new_rows, new_cols,
    nb_filter)``.  As in 1.2.2, a 'th' layer adds ``b`` reshaped (not transposed) to
    ``(nb_filter, new_rows, new_cols)``, so weight files give the same outputs.

    >>> LocallyConnected2D(4, 3, 3, dim_ordering='tf').get_output_shape_for((None, 8, 8, 2))
    (None, 6, 6, 4)
    """

    def __init__(self, nb_filter, nb_row, nb_col, init="glorot_uniform", activation=None,
                 weights=None, border_mode="valid", subsample=(1, 1), dim_ordering="default",
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, **kwargs):
        cls = type(self).__name__
        _valid_only(cls, border_mode)
        self.nb_row = check_positive_int(nb_row, "nb_row", cls)
        self.nb_col = check_positive_int(nb_col, "nb_col", cls)
        self.subsample = _pair(subsample, "subsample", cls)
        self.dim_ordering = dim_ordering_of(dim_ordering, cls)
        self.input_spec = [InputSpec(ndim=4)]
        super().__init__(nb_filter, init, activation, weights, border_mode, W_regularizer,
                         b_regularizer, activity_regularizer, W_constraint, b_constraint, bias,
                         kwargs)

    @property
    def _th(self) -> bool:
        return self.dim_ordering == "th"

    def build(self, input_shape) -> None:
        _known(self, input_shape, (1, 2, 3))
        out = self.get_output_shape_for(input_shape)
        rows, cols = out[2:] if self._th else out[1:3]
        channels = input_shape[1] if self._th else input_shape[3]
        self.output_row, self.output_col = rows, cols
        _add_local_weights(self, (rows * cols, self.nb_row * self.nb_col * channels,
                                  self.nb_filter), (rows, cols, self.nb_filter),
                           self.dim_ordering)

    def get_output_shape_for(self, input_shape):
        spatial = input_shape[2:4] if self._th else input_shape[1:3]
        rows, cols = (conv_output_length(n, k, self.border_mode, s) for n, k, s in
                      zip(spatial, (self.nb_row, self.nb_col), self.subsample))
        shape = ((input_shape[0], self.nb_filter, rows, cols) if self._th
                 else (input_shape[0], rows, cols, self.nb_filter))
        return check_output_shape(self, input_shape, shape)

    def _fields(self, x):
        """Receptive fields as ``(positions, batch, field)``, in 1.2.2's field order."""
        (sr, sc), (rows, cols) = self.subsample, (self.output_row, self.output_col)
        batch = x.shape[0]
        cells = []
        for u in range(self.nb_row):
            for v in range(self.nb_col):
                r, c = _window(u, sr, rows), _window(v, sc, cols)
                cells.append(x[:, :, r, c] if self._th else x[:, r, c, :])
        if self._th:   # (B, C, cells, rows, cols) -> (B, C * cells, positions)
            fields = F.reshape(F.stack(cells, axis=2), (batch, -1, rows * cols))
            return F.transpose(fields, (2, 0, 1))
        fields = F.reshape(F.stack(cells, axis=3), (batch, rows * cols, -1))
        return F.transpose(fields, (1, 0, 2))

    def call(self, x, mask=None):
        rows, cols, f = self.output_row, self.output_col, self.nb_filter
        out = F.reshape(self._fields(x) @ self.W, (rows, cols, x.shape[0], f))
        if self._th:
            out = F.transpose(out, (2, 3, 0, 1))
            bias_shape = (1, f, rows, cols)
        else:
            out = F.transpose(out, (2, 0, 1, 3))
            bias_shape = (1, rows, cols, f)
        if self.bias:
            out = out + F.reshape(self.b, bias_shape)
        return self.activation(out)

    def get_config(self) -> dict:
        return {**super().get_config(), "nb_row": self.nb_row, "nb_col": self.nb_col,
                "subsample": self.subsample, "dim_ordering": self.dim_ordering}
