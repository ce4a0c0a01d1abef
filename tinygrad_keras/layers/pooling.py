"""Pooling layers (Keras 1.2.2 ``keras.layers.pooling``).

Windowed pooling composes ``F.max_pool2d`` / ``F.avg_pool2d`` (channels-first
primitives of the autodiff floor; a 'tf' layer transposes in and out); global
pooling is a plain ``max`` / ``mean`` over the spatial axes.  'same' follows
TensorFlow: output ``ceil(size / stride)``, and average pooling leaves the padded
cells out of each mean.
"""
from __future__ import annotations

from ..autodiff import functional as F
from ..engine.topology import InputSpec, Layer
from ..utils.np_utils import conv_output_length
from ._common import check_positive_int
from ._conv_base import check_output_shape
from ._resize import dim_ordering_of

__all__ = [
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAveragePooling3D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "GlobalMaxPooling3D",
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
]


def _check_border_mode(layer: str, border_mode) -> str:
    if border_mode not in ("valid", "same"):
        raise ValueError(f"{layer}: `border_mode` must be 'valid' or 'same', got {border_mode!r}")
    return border_mode


class _Pooling1D(Layer):
    """Pool windows of ``pool_length`` steps, ``stride`` apart (default: ``pool_length``).

    Input ``(None, steps, features)``; output ``(None, new_steps, features)``.
    """

    _pool = None  # F.max_pool1d or F.avg_pool1d

    def __init__(self, pool_length=2, stride=None, border_mode="valid", **kwargs):
        cls = type(self).__name__
        self.pool_length = check_positive_int(pool_length, "pool_length", cls)
        self.stride = self.pool_length if stride is None else check_positive_int(
            stride, "stride", cls)
        self.border_mode = _check_border_mode(cls, border_mode)
        self.input_spec = [InputSpec(ndim=3)]
        super().__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        steps = conv_output_length(input_shape[1], self.pool_length, self.border_mode,
                                   self.stride)
        return check_output_shape(self, input_shape, (input_shape[0], steps, input_shape[2]))

    def call(self, x, mask=None):
        out = type(self)._pool(F.transpose(x, (0, 2, 1)), self.pool_length, self.stride,
                               self.border_mode)
        return F.transpose(out, (0, 2, 1))

    def get_config(self) -> dict:
        return {**super().get_config(), "stride": self.stride, "pool_length": self.pool_length,
                "border_mode": self.border_mode}


class MaxPooling1D(_Pooling1D):
    """Max over windows of time steps.

    >>> MaxPooling1D(2).get_output_shape_for((None, 9, 4))
    (None, 4, 4)
    """

    _pool = staticmethod(F.max_pool1d)


class AveragePooling1D(_Pooling1D):
    """Mean over windows of time steps ('same': padded steps left out of the mean)."""

    _pool = staticmethod(F.avg_pool1d)


class _Pooling2D(Layer):
    """Pool ``pool_size`` windows, ``strides`` apart (default: ``pool_size``).

    Input/output 'th' ``(None, channels, rows, cols)``, 'tf' channels last.
    """

    _pool = None  # F.max_pool2d or F.avg_pool2d

    def __init__(self, pool_size=(2, 2), strides=None, border_mode="valid",
                 dim_ordering="default", **kwargs):
        cls = type(self).__name__
        self.pool_size = tuple(int(n) for n in pool_size)
        self.strides = self.pool_size if strides is None else tuple(int(n) for n in strides)
        if len(self.pool_size) != 2 or len(self.strides) != 2:
            raise ValueError(f"{cls}: `pool_size` and `strides` must be pairs, got "
                             f"{pool_size!r} and {strides!r}")
        self.border_mode = _check_border_mode(cls, border_mode)
        self.dim_ordering = dim_ordering_of(dim_ordering, cls)
        self.input_spec = [InputSpec(ndim=4)]
        super().__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        shape = list(input_shape)
        axes = (2, 3) if self.dim_ordering == "th" else (1, 2)
        for axis, k, s in zip(axes, self.pool_size, self.strides):
            shape[axis] = conv_output_length(shape[axis], k, self.border_mode, s)
        return check_output_shape(self, input_shape, shape)

    def call(self, x, mask=None):
        if self.dim_ordering == "tf":
            x = F.transpose(x, (0, 3, 1, 2))
        out = type(self)._pool(x, self.pool_size, self.strides, self.border_mode)
        return out if self.dim_ordering == "th" else F.transpose(out, (0, 2, 3, 1))

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": self.pool_size,
                "border_mode": self.border_mode, "strides": self.strides,
                "dim_ordering": self.dim_ordering}


class MaxPooling2D(_Pooling2D):
    """Max over windows of each feature map; tied maxima share the gradient.

    >>> MaxPooling2D(dim_ordering='th').get_output_shape_for((None, 32, 24, 24))
    (None, 32, 12, 12)
    """

    _pool = staticmethod(F.max_pool2d)


class AveragePooling2D(_Pooling2D):
    """Mean over windows of each feature map ('same': padded cells left out)."""

    _pool = staticmethod(F.avg_pool2d)


class _GlobalPooling1D(Layer):
    """Reduce the time axis: ``(None, steps, features)`` -> ``(None, features)``."""

    def __init__(self, **kwargs):
        self.input_spec = [InputSpec(ndim=3)]
        super().__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], input_shape[2])


class GlobalMaxPooling1D(_GlobalPooling1D):
    def call(self, x, mask=None):
        return F.max(x, axis=1)


class GlobalAveragePooling1D(_GlobalPooling1D):
    def call(self, x, mask=None):
        return F.mean(x, axis=1)


class _GlobalPooling2D(Layer):
    """Reduce the two spatial axes: 'th' ``(None, C, rows, cols)`` or 'tf'
    ``(None, rows, cols, C)`` -> ``(None, C)``."""

    def __init__(self, dim_ordering="default", **kwargs):
        self.dim_ordering = dim_ordering_of(dim_ordering, type(self).__name__)
        self.input_spec = [InputSpec(ndim=4)]
        super().__init__(**kwargs)

    @property
    def _axes(self) -> tuple:
        return (2, 3) if self.dim_ordering == "th" else (1, 2)

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], input_shape[1] if self.dim_ordering == "th" else input_shape[3])

    def get_config(self) -> dict:
        return {**super().get_config(), "dim_ordering": self.dim_ordering}


class GlobalMaxPooling2D(_GlobalPooling2D):
    def call(self, x, mask=None):
        return F.max(x, axis=self._axes)


class GlobalAveragePooling2D(_GlobalPooling2D):
    def call(self, x, mask=None):
        return F.mean(x, axis=self._axes)



# ---- 3-D ------------------------------------------------------------------------------
def _spatial_3d(dim_ordering: str) -> tuple:
    return (2, 3, 4) if dim_ordering == "th" else (1, 2, 3)


class _Pooling3D(_Pooling2D):
    """Pool ``pool_size`` boxes of volumes, ``strides`` apart (default: ``pool_size``).

    Input/output 'th' ``(None, channels, d1, d2, d3)``, 'tf' channels last.
    """

    def __init__(self, pool_size=(2, 2, 2), strides=None, border_mode="valid",
                 dim_ordering="default", **kwargs):
        cls = type(self).__name__
        self.pool_size = tuple(int(n) for n in pool_size)
        self.strides = self.pool_size if strides is None else tuple(int(n) for n in strides)
        if len(self.pool_size) != 3 or len(self.strides) != 3:
            raise ValueError(f"{cls}: `pool_size` and `strides` must be triples, got "
                             f"{pool_size!r} and {strides!r}")
        self.border_mode = _check_border_mode(cls, border_mode)
        self.dim_ordering = dim_ordering_of(dim_ordering, cls)
        self.input_spec = [InputSpec(ndim=5)]
        Layer.__init__(self, **kwargs)

    def get_output_shape_for(self, input_shape):
        shape = list(input_shape)
        for axis, k, s in zip(_spatial_3d(self.dim_ordering), self.pool_size, self.strides):
            shape[axis] = conv_output_length(shape[axis], k, self.border_mode, s)
        return check_output_shape(self, input_shape, shape)

    def call(self, x, mask=None):
        if self.dim_ordering == "tf":
            x = F.transpose(x, (0, 4, 1, 2, 3))
        out = type(self)._pool(x, self.pool_size, self.strides, self.border_mode)
        return out if self.dim_ordering == "th" else F.transpose(out, (0, 2, 3, 4, 1))


class MaxPooling3D(_Pooling3D):
    """Max over boxes of each 3-D feature map ('same': padded cells never win).

    >>> MaxPooling3D(dim_ordering='th').get_output_shape_for((None, 4, 8, 6, 6))
    (None, 4, 4, 3, 3)
    """

    _pool = staticmethod(F.max_pool3d)


class AveragePooling3D(_Pooling3D):
    """Mean over boxes of each 3-D feature map ('same': padded cells left out)."""

    _pool = staticmethod(F.avg_pool3d)


class _GlobalPooling3D(_GlobalPooling2D):
    """Reduce the three spatial axes: 'th' ``(None, C, d1, d2, d3)`` or 'tf'
    ``(None, d1, d2, d3, C)`` -> ``(None, C)``."""

    def __init__(self, dim_ordering="default", **kwargs):
        super().__init__(dim_ordering=dim_ordering, **kwargs)
        self.input_spec = [InputSpec(ndim=5)]

    @property
    def _axes(self) -> tuple:
        return _spatial_3d(self.dim_ordering)

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], input_shape[1] if self.dim_ordering == "th" else input_shape[4])


class GlobalMaxPooling3D(_GlobalPooling3D):
    def call(self, x, mask=None):
        return F.max(x, axis=self._axes)


class GlobalAveragePooling3D(_GlobalPooling3D):
    def call(self, x, mask=None):
        return F.mean(x, axis=self._axes)
