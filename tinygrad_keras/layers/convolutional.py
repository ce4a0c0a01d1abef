"""Convolution layers (Keras 1.2.2 ``keras.layers.convolutional``).

Every layer here is a cross-correlation (project decision 3), composed from
``F.conv2d`` / ``F.conv1d`` / ``F.conv_transpose2d`` of the autodiff floor,
which work channels-first: a ``'tf'`` layer transposes its input and kernel to
that layout and its output back.  Kernel shapes, weight order and names are
those of Keras 1.2.2, so weight files and ``set_weights`` lists carry over.

The padding, cropping, up-sampling and spatial-dropout layers live in
``_resize.py``, the 3-D layers in ``_volumetric.py``; both are re-exported here, where
Keras 1 users import them from (as are the windowed pooling layers, as in 1.2.2).
"""
from __future__ import annotations

import numpy as np

from .. import activations
from ..autodiff import functional as F
from ..engine.topology import InputSpec
from ..utils.np_utils import conv_output_length
from ._common import check_positive_int, config_of, get_constraint, get_regularizer
from ._conv_base import _Conv, _pair, bind_ordering, check_border_mode, check_output_shape
from ._resize import (
    Cropping1D,
    Cropping2D,
    SpatialDropout1D,
    SpatialDropout2D,
    UpSampling1D,
    UpSampling2D,
    ZeroPadding1D,
    ZeroPadding2D,
    dim_ordering_of,
)
from ._volumetric import (
    Conv3D,
    Convolution3D,
    Cropping3D,
    SpatialDropout3D,
    UpSampling3D,
    ZeroPadding3D,
)
from .pooling import (  # Keras 1.2.2 re-exported these here (examples/image_ocr.py uses it)
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
)

__all__ = [
    "AtrousConv1D",
    "AtrousConv2D",
    "AtrousConvolution1D",
    "AtrousConvolution2D",
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "Conv1D",
    "Conv2D",
    "Conv3D",
    "Convolution1D",
    "Convolution2D",
    "Convolution3D",
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "Deconv2D",
    "Deconvolution2D",
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
    "SeparableConv2D",
    "SeparableConvolution2D",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "UpSampling1D",
    "UpSampling2D",
    "UpSampling3D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
]


# ---- 1-D -------------------------------------------------------------------------
class Convolution1D(_Conv):
    """Correlate ``nb_filter`` kernels of ``filter_length`` steps along the time axis.

    Input ``(None, steps, input_dim)``; output ``(None, new_steps, nb_filter)``.
    Weights (Keras 1.2.2 layout): ``W`` ``(filter_length, 1, input_dim, nb_filter)``,
    ``b`` ``(nb_filter,)``; W is initialised with the 'th' fan rule, as in 1.2.2.

    >>> Convolution1D(8, 3, input_dim=5).get_output_shape_for((None, 10, 5))
    (None, 8, 8)
    """

    def __init__(self, nb_filter, filter_length, init="glorot_uniform", activation=None,
                 weights=None, border_mode="valid", subsample_length=1, W_regularizer=None,
                 b_regularizer=None, activity_regularizer=None, W_constraint=None,
                 b_constraint=None, bias=True, input_dim=None, input_length=None, **kwargs):
        self.filter_length = check_positive_int(filter_length, "filter_length",
                                                type(self).__name__)
        self.subsample_length = check_positive_int(subsample_length, "subsample_length",
                                                   type(self).__name__)
        self.subsample = (self.subsample_length, 1)
        self.atrous_rate = getattr(self, "atrous_rate", 1)
        self.input_dim, self.input_length = input_dim, input_length
        if input_dim:
            kwargs["input_shape"] = (input_length, input_dim)
        self.input_spec = [InputSpec(ndim=3)]
        super().__init__(nb_filter, init, activation, weights, border_mode, W_regularizer,
                         b_regularizer, activity_regularizer, W_constraint, b_constraint, bias,
                         kwargs)

    def build(self, input_shape) -> None:
        input_dim = self._check_channels(input_shape, 2)
        self._add_kernel_and_bias((self.filter_length, 1, input_dim, self.nb_filter), "th")

    def get_output_shape_for(self, input_shape):
        steps = conv_output_length(input_shape[1], self.filter_length, self.border_mode,
                                   self.subsample_length, dilation=self.atrous_rate)
        return check_output_shape(self, input_shape, (input_shape[0], steps, self.nb_filter))

    def call(self, x, mask=None):
        k, _, c, f = self.W_shape
        w = F.transpose(F.reshape(self.W, (k, c, f)), (2, 1, 0))           # (F, C, k)
        out = F.conv1d(F.transpose(x, (0, 2, 1)), w, self.subsample_length,
                       self.border_mode, self.atrous_rate)                  # (B, F, steps)
        return self._finish(F.transpose(out, (0, 2, 1)), 2)

    def get_config(self) -> dict:
        return {**super().get_config(), "filter_length": self.filter_length,
                "subsample_length": self.subsample_length, "input_dim": self.input_dim,
                "input_length": self.input_length}


class AtrousConvolution1D(Convolution1D):
    """Convolution1D with holes: kernel taps ``atrous_rate`` steps apart (dilation).

    >>> AtrousConvolution1D(4, 3, atrous_rate=2).get_output_shape_for((None, 10, 2))
    (None, 6, 4)
    """

    def __init__(self, nb_filter, filter_length, init="glorot_uniform", activation=None,
                 weights=None, border_mode="valid", subsample_length=1, atrous_rate=1,
                 **kwargs):
        self.atrous_rate = check_positive_int(int(atrous_rate), "atrous_rate",
                                              type(self).__name__)
        super().__init__(nb_filter, filter_length, init=init, activation=activation,
                         weights=weights, border_mode=border_mode,
                         subsample_length=subsample_length, **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "atrous_rate": self.atrous_rate}


# ---- 2-D -------------------------------------------------------------------------
class Convolution2D(_Conv):
    """Correlate ``nb_filter`` kernels of ``nb_row x nb_col`` over images.

    Input 'th' ``(None, channels, rows, cols)``, 'tf' ``(None, rows, cols, channels)``;
    output 'th' ``(None, nb_filter, new_rows, new_cols)``, 'tf' channels last.
    Weights: ``W`` 'th' ``(nb_filter, channels, nb_row, nb_col)``, 'tf'
    ``(nb_row, nb_col, channels, nb_filter)``; ``b`` ``(nb_filter,)``.

    >>> Convolution2D(64, 3, 3, border_mode='same', dim_ordering='th').get_output_shape_for(
    ...     (None, 3, 256, 256))
    (None, 64, 256, 256)
    """

    def __init__(self, nb_filter, nb_row, nb_col, init="glorot_uniform", activation=None,
                 weights=None, border_mode="valid", subsample=(1, 1), dim_ordering="default",
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, **kwargs):
        cls = type(self).__name__
        self.nb_row = check_positive_int(nb_row, "nb_row", cls)
        self.nb_col = check_positive_int(nb_col, "nb_col", cls)
        self.subsample = _pair(subsample, "subsample", cls)
        self.atrous_rate = getattr(self, "atrous_rate", (1, 1))
        self.dim_ordering = dim_ordering_of(dim_ordering, cls)
        self.input_spec = [InputSpec(ndim=4)]
        super().__init__(nb_filter, init, activation, weights, border_mode, W_regularizer,
                         b_regularizer, activity_regularizer, W_constraint, b_constraint, bias,
                         kwargs)

    @property
    def _channel_axis(self) -> int:
        return 1 if self.dim_ordering == "th" else 3

    def _spatial(self, input_shape) -> tuple:
        return tuple(input_shape[2:4]) if self.dim_ordering == "th" else tuple(input_shape[1:3])

    def _with_spatial(self, input_shape, channels, rows, cols) -> tuple:
        if self.dim_ordering == "th":
            return (input_shape[0], channels, rows, cols)
        return (input_shape[0], rows, cols, channels)

    def build(self, input_shape) -> None:
        stack = self._check_channels(input_shape, self._channel_axis)
        r, c, f = self.nb_row, self.nb_col, self.nb_filter
        shape = (f, stack, r, c) if self.dim_ordering == "th" else (r, c, stack, f)
        self._add_kernel_and_bias(shape, self.dim_ordering)

    def get_output_shape_for(self, input_shape):
        rows, cols = (conv_output_length(n, k, self.border_mode, s, dilation=d) for n, k, s, d
                      in zip(self._spatial(input_shape), (self.nb_row, self.nb_col),
                             self.subsample, self.atrous_rate))
        return check_output_shape(self, input_shape,
                                  self._with_spatial(input_shape, self.nb_filter, rows, cols))

    def _to_th(self, x):
        return x if self.dim_ordering == "th" else F.transpose(x, (0, 3, 1, 2))

    def _from_th(self, out):
        return out if self.dim_ordering == "th" else F.transpose(out, (0, 2, 3, 1))

    def _kernel_th(self, w):
        """A 'tf' kernel (rows, cols, in, out) as (out, in, rows, cols)."""
        return w if self.dim_ordering == "th" else F.transpose(w, (3, 2, 0, 1))

    def call(self, x, mask=None):
        if self.bias and self.activation in (activations.relu, activations.linear):
            # bias and relu inside the correlation primitive: the same numbers, fewer passes
            out = F.conv2d(self._to_th(x), self._kernel_th(self.W), self.subsample,
                           self.border_mode, self.atrous_rate, bias=self.b,
                           relu=self.activation is activations.relu)
            return self._from_th(out)
        out = F.conv2d(self._to_th(x), self._kernel_th(self.W), self.subsample,
                       self.border_mode, self.atrous_rate)
        return self._finish(self._from_th(out), self._channel_axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "nb_row": self.nb_row, "nb_col": self.nb_col,
                "subsample": self.subsample, "dim_ordering": self.dim_ordering}


class AtrousConvolution2D(Convolution2D):
    """Convolution2D with holes: taps ``atrous_rate = (rate_rows, rate_cols)`` apart.

    >>> AtrousConvolution2D(4, 3, 3, atrous_rate=(2, 2), dim_ordering='th'
    ...                     ).get_output_shape_for((None, 3, 10, 10))
    (None, 4, 6, 6)
    """

    def __init__(self, nb_filter, nb_row, nb_col, init="glorot_uniform", activation=None,
                 weights=None, border_mode="valid", subsample=(1, 1), atrous_rate=(1, 1),
                 dim_ordering="default", **kwargs):
        self.atrous_rate = _pair(atrous_rate, "atrous_rate", type(self).__name__)
        super().__init__(nb_filter, nb_row, nb_col, init=init, activation=activation,
                         weights=weights, border_mode=border_mode, subsample=subsample,
                         dim_ordering=dim_ordering, **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "atrous_rate": self.atrous_rate}


class Deconvolution2D(Convolution2D):
    """Transposed convolution: the gradient of a Convolution2D with respect to its
    input, used to go from a small feature map to a larger one.

    ``output_shape`` is the full output shape ``(batch, nb_filter, rows, cols)`` ('th')
    or ``(batch, rows, cols, nb_filter)`` ('tf'); its batch entry is ignored.  The
    kernel has Convolution2D's shape and names; as on the 1.2.2 TensorFlow backend
    it maps ``channels`` input maps to ``nb_filter`` output maps.

    >>> Deconvolution2D(3, 3, 3, output_shape=(None, 3, 14, 14), dim_ordering='th'
    ...                 ).get_output_shape_for((None, 3, 12, 12))
    (None, 3, 14, 14)
    """

    def __init__(self, nb_filter, nb_row, nb_col, output_shape, init="glorot_uniform",
                 activation=None, weights=None, border_mode="valid", subsample=(1, 1),
                 dim_ordering="default", **kwargs):
        if len(tuple(output_shape)) != 4:
            raise ValueError(f"Deconvolution2D: `output_shape` must have 4 entries (batch "
                             f"included), got {output_shape!r}")
        self.output_shape_ = tuple(output_shape)
        super().__init__(nb_filter, nb_row, nb_col, init=init, activation=activation,
                         weights=weights, border_mode=border_mode, subsample=subsample,
                         dim_ordering=dim_ordering, **kwargs)

    def get_output_shape_for(self, input_shape):
        rows, cols = self._spatial(self.output_shape_)
        return self._with_spatial(input_shape, self.nb_filter, rows, cols)

    def call(self, x, mask=None):
        # correlation kernel of the adjoint map: (input channels, nb_filter, rows, cols)
        perm = (1, 0, 2, 3) if self.dim_ordering == "th" else (2, 3, 0, 1)
        out = F.conv_transpose2d(self._to_th(x), F.transpose(self.W, perm),
                                 self._spatial(self.output_shape_), self.subsample,
                                 self.border_mode)
        return self._finish(self._from_th(out), self._channel_axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "output_shape": self.output_shape_}


class SeparableConvolution2D(Convolution2D):
    """A depthwise correlation (``depth_multiplier`` kernels per input channel, with
    the stride and padding) followed by a 1x1 pointwise correlation mixing channels.

    Weights: ``depthwise_kernel`` 'th' ``(depth_multiplier, channels, nb_row, nb_col)``
    / 'tf' ``(nb_row, nb_col, channels, depth_multiplier)``; ``pointwise_kernel`` 'th'
    ``(nb_filter, channels * depth_multiplier, 1, 1)`` / 'tf' ``(1, 1, channels *
    depth_multiplier, nb_filter)``; ``b`` ``(nb_filter,)``.  Depthwise output channel
    ``c * depth_multiplier + m`` comes from input channel ``c`` (TensorFlow's order).

    The depthwise step runs as one full correlation with a block-diagonal kernel
    (zeros off the diagonal): C times the arithmetic of a grouped correlation, but
    composed from existing ops and exact.
    """

    def __init__(self, nb_filter, nb_row, nb_col, init="glorot_uniform", activation=None,
                 weights=None, border_mode="valid", subsample=(1, 1), depth_multiplier=1,
                 dim_ordering="default", depthwise_regularizer=None, pointwise_regularizer=None,
                 b_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, b_constraint=None, bias=True, **kwargs):
        for arg in ("W_regularizer", "W_constraint"):  # 1.2.2 has depthwise_/pointwise_ ones
            if arg in kwargs:
                raise TypeError(f"Keyword argument not understood by SeparableConvolution2D: "
                                f"{arg!r}; use depthwise_{arg[2:]} / pointwise_{arg[2:]}")
        self.depth_multiplier = check_positive_int(depth_multiplier, "depth_multiplier",
                                                   type(self).__name__)
        check_border_mode(type(self).__name__, border_mode, ("valid", "same"))
        self.depthwise_regularizer = get_regularizer(depthwise_regularizer)
        self.pointwise_regularizer = get_regularizer(pointwise_regularizer)
        self.depthwise_constraint = get_constraint(depthwise_constraint)
        self.pointwise_constraint = get_constraint(pointwise_constraint)
        super().__init__(nb_filter, nb_row, nb_col, init=init, activation=activation,
                         weights=weights, border_mode=border_mode, subsample=subsample,
                         dim_ordering=dim_ordering, b_regularizer=b_regularizer,
                         activity_regularizer=activity_regularizer, b_constraint=b_constraint,
                         bias=bias, **kwargs)

    def build(self, input_shape) -> None:
        c = self._check_channels(input_shape, self._channel_axis)
        m, r, k, f = self.depth_multiplier, self.nb_row, self.nb_col, self.nb_filter
        th = self.dim_ordering == "th"
        init = bind_ordering(self.init, self.dim_ordering)
        self.depthwise_kernel = self.add_weight(
            (m, c, r, k) if th else (r, k, c, m), init, name=f"{self.name}_depthwise_kernel",
            regularizer=self.depthwise_regularizer, constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            (f, c * m, 1, 1) if th else (1, 1, c * m, f), init,
            name=f"{self.name}_pointwise_kernel", regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        self.b = None
        if self.bias:
            self.b = self.add_weight((f,), "zero", name=f"{self.name}_b",
                                     regularizer=self.b_regularizer, constraint=self.b_constraint)

    def _block_diagonal(self, c: int):
        """Depthwise kernel as a full (c*m, c, rows, cols) kernel, zero across channels."""
        perm = (1, 0, 2, 3) if self.dim_ordering == "th" else (2, 3, 0, 1)
        dw = F.transpose(self.depthwise_kernel, perm)                   # (c, m, rows, cols)
        eye = np.eye(c, dtype=dw.dtype)[:, None, :, None, None]         # (c, 1, c, 1, 1)
        full = F.expand_dims(dw, 2) * eye                               # (c, m, c, r, k)
        return F.reshape(full, (c * self.depth_multiplier, c) + tuple(dw.shape[2:]))

    def call(self, x, mask=None):
        x = self._to_th(x)
        depth = F.conv2d(x, self._block_diagonal(x.shape[1]), self.subsample, self.border_mode)
        out = F.conv2d(depth, self._kernel_th(self.pointwise_kernel))
        return self._finish(self._from_th(out), self._channel_axis)

    def get_config(self) -> dict:
        config = {**super().get_config(), "depth_multiplier": self.depth_multiplier,
                  "depthwise_regularizer": config_of(self.depthwise_regularizer),
                  "pointwise_regularizer": config_of(self.pointwise_regularizer),
                  "depthwise_constraint": config_of(self.depthwise_constraint),
                  "pointwise_constraint": config_of(self.pointwise_constraint)}
        for key in ("W_regularizer", "W_constraint"):
            config.pop(key)
        return config


# Keras 1 aliases
Conv1D = Convolution1D
Conv2D = Convolution2D
AtrousConv1D = AtrousConvolution1D
AtrousConv2D = AtrousConvolution2D
Deconv2D = Deconvolution2D
SeparableConv2D = SeparableConvolution2D
