"""Layers that change the size of feature maps without weights: ZeroPadding,
Cropping, UpSampling, and the SpatialDropout variants of Dropout.

Keras 1 users import them from ``keras.layers.convolutional`` (or
``keras.layers``); ``convolutional.py`` re-exports them.
"""
from __future__ import annotations

from .. import backend as K
from ..autodiff import functional as F
from ..engine.topology import InputSpec, Layer
from .core import Dropout


def dim_ordering_of(dim_ordering, layer: str) -> str:
    """``'default'`` -> ``K.image_dim_ordering()`` now (at construction), else checked."""
    if dim_ordering == "default":
        dim_ordering = K.image_dim_ordering()
    if dim_ordering not in ("th", "tf"):
        raise ValueError(f"{layer}: `dim_ordering` must be 'th' or 'tf', got {dim_ordering!r}")
    return dim_ordering


def _spatial_axes(dim_ordering: str) -> tuple:
    return (2, 3) if dim_ordering == "th" else (1, 2)


def _grow(n, by):
    return None if n is None else n + by


# ---- ZeroPadding ---------------------------------------------------------------
class ZeroPadding1D(Layer):
    """Add zero steps at the start and end of the time axis.

    ``padding``: int (both sides), ``(left, right)``, or ``{'left_pad', 'right_pad'}``.
    Input ``(None, steps, features)``; output ``(None, steps + left + right, features)``.
    """

    def __init__(self, padding=1, **kwargs):
        self.padding = padding
        if isinstance(padding, int):
            self.left_pad = self.right_pad = padding
        elif isinstance(padding, dict):
            _check_keys("ZeroPadding1D", padding, {"left_pad", "right_pad"})
            self.left_pad, self.right_pad = padding.get("left_pad", 0), padding.get("right_pad", 0)
        else:
            pair = tuple(padding)
            if len(pair) != 2:
                raise ValueError(f"ZeroPadding1D: `padding` must be an int, a (left, right) "
                                 f"tuple or a dict, got {padding!r}")
            self.left_pad, self.right_pad = pair
        self.input_spec = [InputSpec(ndim=3)]
        super().__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], _grow(input_shape[1], self.left_pad + self.right_pad),
                input_shape[2])

    def call(self, x, mask=None):
        return F.pad(x, ((0, 0), (self.left_pad, self.right_pad), (0, 0)))

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding}


def _check_keys(layer: str, padding: dict, allowed: set) -> None:
    if not set(padding) <= allowed:
        raise ValueError(f"{layer}: unexpected key in the `padding` dict; keys must be in "
                         f"{sorted(allowed)}, found {sorted(padding)}")


class ZeroPadding2D(Layer):
    """Add rows and columns of zeros around images.

    ``padding``: ``(rows, cols)`` (symmetric), ``(top, bottom, left, right)``, or a dict
    with ``top_pad, bottom_pad, left_pad, right_pad``.  Rows grow by top + bottom,
    columns by left + right; the layout follows ``dim_ordering``.
    """

    def __init__(self, padding=(1, 1), dim_ordering="default", **kwargs):
        self.padding = padding
        if isinstance(padding, dict):
            _check_keys("ZeroPadding2D", padding,
                        {"top_pad", "bottom_pad", "left_pad", "right_pad"})
            pads = tuple(padding.get(k, 0) for k in ("top_pad", "bottom_pad", "left_pad",
                                                     "right_pad"))
        else:
            pads = tuple(padding)
            if len(pads) == 2:
                pads = (pads[0], pads[0], pads[1], pads[1])
            elif len(pads) != 4:
                raise TypeError(f"ZeroPadding2D: `padding` must be a tuple of 2 or 4 ints or a "
                                f"dict, got {padding!r}")
        self.top_pad, self.bottom_pad, self.left_pad, self.right_pad = pads
        self.dim_ordering = dim_ordering_of(dim_ordering, "ZeroPadding2D")
        self.input_spec = [InputSpec(ndim=4)]
        super().__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        shape = list(input_shape)
        r, c = _spatial_axes(self.dim_ordering)
        shape[r] = _grow(shape[r], self.top_pad + self.bottom_pad)
        shape[c] = _grow(shape[c], self.left_pad + self.right_pad)
        return tuple(shape)

    def call(self, x, mask=None):
        widths = [(0, 0)] * 4
        r, c = _spatial_axes(self.dim_ordering)
        widths[r], widths[c] = (self.top_pad, self.bottom_pad), (self.left_pad, self.right_pad)
        return F.pad(x, tuple(widths))

    def get_config(self) -> dict:
        # 1.2.2 stored only `padding`; the ordering is kept too so a 'tf' layer round-trips
        return {**super().get_config(), "padding": self.padding,
                "dim_ordering": self.dim_ordering}


# ---- Cropping ------------------------------------------------------------------------
def _crop(start: int, end: int) -> slice:
    return slice(start, -end if end else None)


class Cropping1D(Layer):
    """Drop ``cropping = (start, end)`` steps from the time axis.

    Input ``(None, steps, features)``; output ``(None, steps - start - end, features)``.
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        self.cropping = tuple(cropping)
        if len(self.cropping) != 2:
            raise ValueError(f"Cropping1D: `cropping` must be a tuple of 2 ints, got {cropping!r}")
        self.input_spec = [InputSpec(ndim=3)]
        super().__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], _grow(input_shape[1], -sum(self.cropping)), input_shape[2])

    def call(self, x, mask=None):
        return x[:, _crop(*self.cropping), :]

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping}


class Cropping2D(Layer):
    """Drop rows and columns: ``cropping = ((top, bottom), (left, right))``."""

    def __init__(self, cropping=((0, 0), (0, 0)), dim_ordering="default", **kwargs):
        self.cropping = tuple(tuple(pair) for pair in cropping)
        if len(self.cropping) != 2 or any(len(pair) != 2 for pair in self.cropping):
            raise ValueError(f"Cropping2D: `cropping` must be ((top, bottom), (left, right)), "
                             f"got {cropping!r}")
        self.dim_ordering = dim_ordering_of(dim_ordering, "Cropping2D")
        self.input_spec = [InputSpec(ndim=4)]
        super().__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        shape = list(input_shape)
        for axis, pair in zip(_spatial_axes(self.dim_ordering), self.cropping):
            shape[axis] = _grow(shape[axis], -sum(pair))
        return tuple(shape)

    def call(self, x, mask=None):
        index = [slice(None)] * 4
        for axis, pair in zip(_spatial_axes(self.dim_ordering), self.cropping):
            index[axis] = _crop(*pair)
        return x[tuple(index)]

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping,
                "dim_ordering": self.dim_ordering}


# ---- UpSampling --------------------------------------------------------------------
class UpSampling1D(Layer):
    """Repeat each time step ``length`` times: ``(None, steps, f)`` -> ``(None, steps*length, f)``."""

    def __init__(self, length=2, **kwargs):
        self.length = length
        self.input_spec = [InputSpec(ndim=3)]
        super().__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        steps = None if input_shape[1] is None else input_shape[1] * self.length
        return (input_shape[0], steps, input_shape[2])

    def call(self, x, mask=None):
        return F.repeat(x, self.length, axis=1)

    def get_config(self) -> dict:
        return {**super().get_config(), "length": self.length}


class UpSampling2D(Layer):
    """Nearest-neighbour up-sampling: repeat rows ``size[0]`` and columns ``size[1]`` times."""

    def __init__(self, size=(2, 2), dim_ordering="default", **kwargs):
        self.size = tuple(size)
        self.dim_ordering = dim_ordering_of(dim_ordering, "UpSampling2D")
        self.input_spec = [InputSpec(ndim=4)]
        super().__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        shape = list(input_shape)
        for axis, k in zip(_spatial_axes(self.dim_ordering), self.size):
            shape[axis] = None if shape[axis] is None else shape[axis] * k
        return tuple(shape)

    def call(self, x, mask=None):
        for axis, k in zip(_spatial_axes(self.dim_ordering), self.size):
            x = F.repeat(x, k, axis=axis)
        return x

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "dim_ordering": self.dim_ordering}


# ---- SpatialDropout ------------------------------------------------------------------
class SpatialDropout1D(Dropout):
    """Dropout of whole feature channels: one keep/drop decision per (sample, feature),
    shared by every time step.  Input ``(None, steps, features)``."""

    def _noise_shape(self, x) -> tuple:
        return (x.shape[0], 1, x.shape[2])


class SpatialDropout2D(Dropout):
    """Dropout of whole feature maps: one decision per (sample, channel)."""

    def __init__(self, p, dim_ordering="default", **kwargs):
        self.dim_ordering = dim_ordering_of(dim_ordering, "SpatialDropout2D")
        super().__init__(p, **kwargs)

    def _noise_shape(self, x) -> tuple:
        if self.dim_ordering == "th":
            return (x.shape[0], x.shape[1], 1, 1)
        return (x.shape[0], 1, 1, x.shape[3])

    def get_config(self) -> dict:
        return {**super().get_config(), "dim_ordering": self.dim_ordering}
