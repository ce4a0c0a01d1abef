"""The 3-D (volumetric) layers of Keras 1.2.2 ``keras.layers.convolutional``:
Convolution3D, UpSampling3D, ZeroPadding3D, Cropping3D, and SpatialDropout3D.

Layouts: 'th' ``(None, channels, dim1, dim2, dim3)``, 'tf' ``(None, dim1, dim2,
dim3, channels)``.  Convolution3D composes ``F.conv3d`` (channels first, like its
2-D sibling: a 'tf' layer transposes in and out).  ``convolutional.py`` re-exports
these, where Keras 1 users import them from.
"""
from __future__ import annotations

from ..autodiff import functional as F
from ..engine.topology import InputSpec, Layer
from ..utils.np_utils import conv_output_length
from ._common import check_positive_int
from ._conv_base import _Conv, check_output_shape
from ._resize import SpatialDropout2D, dim_ordering_of

__all__ = ["Conv3D", "Convolution3D", "Cropping3D", "SpatialDropout3D", "UpSampling3D",
           "ZeroPadding3D"]


def spatial_axes_3d(dim_ordering: str) -> tuple:
    """The three spatial axes of a 5-D tensor."""
    return (2, 3, 4) if dim_ordering == "th" else (1, 2, 3)


def _triple(value, arg: str, layer: str) -> tuple:
    t = tuple(value) if isinstance(value, (tuple, list)) else None
    if t is None or len(t) != 3:
        raise ValueError(f"{layer}: `{arg}` must be a tuple of 3 integers, got {value!r}")
    return tuple(int(v) for v in t)


class Convolution3D(_Conv):
    """Correlate ``nb_filter`` kernels of ``kernel_dim1 x kernel_dim2 x kernel_dim3``
    over volumes (e.g. video: frames x rows x cols).

    Input 'th' ``(None, channels, d1, d2, d3)``, 'tf' ``(None, d1, d2, d3, channels)``;
    output the same layout with ``nb_filter`` channels and new ``d1, d2, d3``.
    Weights (Keras 1.2.2): ``W`` 'th' ``(nb_filter, channels, k1, k2, k3)``, 'tf'
    ``(k1, k2, k3, channels, nb_filter)``; ``b`` ``(nb_filter,)``.

    >>> Convolution3D(4, 3, 3, 3, border_mode='same', dim_ordering='th'
    ...               ).get_output_shape_for((None, 2, 10, 16, 16))
    (None, 4, 10, 16, 16)
    """

    def __init__(self, nb_filter, kernel_dim1, kernel_dim2, kernel_dim3,
                 init="glorot_uniform", activation=None, weights=None, border_mode="valid",
                 subsample=(1, 1, 1), dim_ordering="default", W_regularizer=None,
                 b_regularizer=None, activity_regularizer=None, W_constraint=None,
                 b_constraint=None, bias=True, **kwargs):
        cls = type(self).__name__
        self.kernel_dim1 = check_positive_int(kernel_dim1, "kernel_dim1", cls)
        self.kernel_dim2 = check_positive_int(kernel_dim2, "kernel_dim2", cls)
        self.kernel_dim3 = check_positive_int(kernel_dim3, "kernel_dim3", cls)
        self.subsample = _triple(subsample, "subsample", cls)
        self.dim_ordering = dim_ordering_of(dim_ordering, cls)
        self.input_spec = [InputSpec(ndim=5)]
        super().__init__(nb_filter, init, activation, weights, border_mode, W_regularizer,
                         b_regularizer, activity_regularizer, W_constraint, b_constraint, bias,
                         kwargs)

    @property
    def _kernel(self) -> tuple:
        return (self.kernel_dim1, self.kernel_dim2, self.kernel_dim3)

    @property
    def _channel_axis(self) -> int:
        return 1 if self.dim_ordering == "th" else 4

    def build(self, input_shape) -> None:
        stack = self._check_channels(input_shape, self._channel_axis)
        f, k = self.nb_filter, self._kernel
        shape = (f, stack) + k if self.dim_ordering == "th" else k + (stack, f)
        self._add_kernel_and_bias(shape, self.dim_ordering)

    def get_output_shape_for(self, input_shape):
        shape = list(input_shape)
        for axis, k, s in zip(spatial_axes_3d(self.dim_ordering), self._kernel, self.subsample):
            shape[axis] = conv_output_length(shape[axis], k, self.border_mode, s)
        shape[self._channel_axis] = self.nb_filter
        return check_output_shape(self, input_shape, shape)

    def call(self, x, mask=None):
        w = self.W
        if self.dim_ordering == "tf":
            x = F.transpose(x, (0, 4, 1, 2, 3))
            w = F.transpose(w, (4, 3, 0, 1, 2))          # (k1, k2, k3, in, out) -> th
        out = F.conv3d(x, w, self.subsample, self.border_mode)
        if self.dim_ordering == "tf":
            out = F.transpose(out, (0, 2, 3, 4, 1))
        return self._finish(out, self._channel_axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "kernel_dim1": self.kernel_dim1,
                "kernel_dim2": self.kernel_dim2, "kernel_dim3": self.kernel_dim3,
                "subsample": self.subsample, "dim_ordering": self.dim_ordering}


class _Volume(Layer):
    """A weightless 5-D layer with a ``dim_ordering``."""

    def __init__(self, dim_ordering, **kwargs):
        self.dim_ordering = dim_ordering_of(dim_ordering, type(self).__name__)
        self.input_spec = [InputSpec(ndim=5)]
        super().__init__(**kwargs)

    def _resized(self, input_shape, change) -> tuple:
        """``input_shape`` with ``change(n, i)`` applied to spatial axis ``i`` (None kept)."""
        shape = list(input_shape)
        for i, axis in enumerate(spatial_axes_3d(self.dim_ordering)):
            shape[axis] = None if shape[axis] is None else change(shape[axis], i)
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "dim_ordering": self.dim_ordering}


class UpSampling3D(_Volume):
    """Nearest-neighbour up-sampling: repeat along dim1, dim2, dim3 ``size`` times.

    >>> UpSampling3D((2, 1, 3), dim_ordering='tf').get_output_shape_for((None, 2, 4, 5, 3))
    (None, 4, 4, 15, 3)
    """

    def __init__(self, size=(2, 2, 2), dim_ordering="default", **kwargs):
        self.size = _triple(size, "size", "UpSampling3D")
        super().__init__(dim_ordering, **kwargs)

    def get_output_shape_for(self, input_shape):
        return self._resized(input_shape, lambda n, i: n * self.size[i])

    def call(self, x, mask=None):
        for axis, k in zip(spatial_axes_3d(self.dim_ordering), self.size):
            x = F.repeat(x, k, axis=axis)
        return x

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size}


class ZeroPadding3D(_Volume):
    """Add ``padding = (p1, p2, p3)`` zeros on both sides of dim1, dim2 and dim3.

    >>> ZeroPadding3D((1, 2, 0), dim_ordering='th').get_output_shape_for((None, 3, 4, 4, 4))
    (None, 3, 6, 8, 4)
    """

    def __init__(self, padding=(1, 1, 1), dim_ordering="default", **kwargs):
        self.padding = _triple(padding, "padding", "ZeroPadding3D")
        super().__init__(dim_ordering, **kwargs)

    def get_output_shape_for(self, input_shape):
        return self._resized(input_shape, lambda n, i: n + 2 * self.padding[i])

    def call(self, x, mask=None):
        widths = [(0, 0)] * 5
        for axis, p in zip(spatial_axes_3d(self.dim_ordering), self.padding):
            widths[axis] = (p, p)
        return F.pad(x, tuple(widths))

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding}


class Cropping3D(_Volume):
    """Drop ``cropping = ((s1, e1), (s2, e2), (s3, e3))`` cells from dim1, dim2, dim3.

    >>> Cropping3D(((1, 1), (0, 2), (1, 0)), dim_ordering='th'
    ...            ).get_output_shape_for((None, 3, 5, 5, 5))
    (None, 3, 3, 3, 4)
    """

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), dim_ordering="default", **kwargs):
        pairs = tuple(tuple(int(n) for n in pair) for pair in cropping)
        if len(pairs) != 3 or any(len(pair) != 2 or min(pair) < 0 for pair in pairs):
            raise ValueError(f"Cropping3D: `cropping` must be three (start, end) pairs of "
                             f"non-negative ints, got {cropping!r}")
        self.cropping = pairs
        super().__init__(dim_ordering, **kwargs)

    def get_output_shape_for(self, input_shape):
        shape = self._resized(input_shape, lambda n, i: n - sum(self.cropping[i]))
        return check_output_shape(self, input_shape, shape)

    def call(self, x, mask=None):
        index = [slice(None)] * 5
        for axis, (start, end) in zip(spatial_axes_3d(self.dim_ordering), self.cropping):
            index[axis] = slice(start, -end if end else None)
        return x[tuple(index)]

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping}


class SpatialDropout3D(SpatialDropout2D):
    """Dropout of whole 3-D feature maps: one keep/drop decision per (sample, channel),
    shared by every cell of the volume."""

    def __init__(self, p, dim_ordering="default", **kwargs):
        super().__init__(p, dim_ordering=dim_ordering_of(dim_ordering, "SpatialDropout3D"),
                         **kwargs)

    def _noise_shape(self, x) -> tuple:
        if self.dim_ordering == "th":
            return (x.shape[0], x.shape[1], 1, 1, 1)
        return (x.shape[0], 1, 1, 1, x.shape[4])


Conv3D = Convolution3D
