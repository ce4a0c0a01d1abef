"""Backend convolution and pooling with Keras 1 signatures and kernel layouts.

Convolution is cross-correlation (project decision 3).  Kernels:
``conv2d`` takes Keras 1 layouts, ``(nb_filter, stack, rows, cols)`` for 'th'
and ``(rows, cols, stack, nb_filter)`` for 'tf'; ``conv1d`` takes
``(filter_length, input_dim, nb_filter)`` on ``(B, steps, input_dim)`` inputs.
``conv3d`` takes ``(nb_filter, stack, k1, k2, k3)`` ('th') or ``(k1, k2, k3, stack,
nb_filter)`` ('tf').  Everything runs on the channels-first primitives of
``autodiff.functional``.
"""
from __future__ import annotations

from ..autodiff import Tensor
from ..autodiff import functional as F
from . import to_tensor
from .shape_ops import _ordering

__all__ = ["atrous_conv2d", "conv1d", "conv2d", "conv3d", "deconv2d", "pool2d", "pool3d",
           "separable_conv2d"]


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else to_tensor(x)  # to_tensor: KerasTensors in losses


def _check_border(border_mode: str) -> str:
    if border_mode not in ("valid", "same", "full"):
        raise ValueError(f"Invalid border mode: {border_mode!r}; expected 'valid', 'same' "
                         f"or 'full'")
    return border_mode


def conv2d(x, kernel, strides=(1, 1), border_mode="valid", dim_ordering="default",
           image_shape=None, filter_shape=None, filter_dilation=(1, 1)) -> Tensor:
    """2D cross-correlation of ``(B, C, H, W)`` ('th') or ``(B, H, W, C)`` ('tf') images."""
    ordering = _ordering(dim_ordering)
    x, kernel = _t(x), _t(kernel)
    if ordering == "tf":
        x, kernel = F.transpose(x, (0, 3, 1, 2)), F.transpose(kernel, (3, 2, 0, 1))
    out = F.conv2d(x, kernel, stride=tuple(strides), padding=_check_border(border_mode),
                   dilation=tuple(filter_dilation))
    return F.transpose(out, (0, 2, 3, 1)) if ordering == "tf" else out


def conv1d(x, kernel, stride: int = 1, border_mode="valid", image_shape=None,
           filter_shape=None) -> Tensor:
    """1D cross-correlation of ``(B, steps, input_dim)`` with ``(length, input_dim, filters)``
    -> ``(B, new_steps, filters)``."""
    x, kernel = _t(x), _t(kernel)
    out = F.conv1d(F.transpose(x, (0, 2, 1)), F.transpose(kernel, (2, 1, 0)), stride=stride,
                   padding=_check_border(border_mode))
    return F.transpose(out, (0, 2, 1))


def _check_pool_args(pool_mode: str, border_mode: str) -> None:
    if pool_mode not in ("max", "avg"):
        raise ValueError(f"Invalid pooling mode: {pool_mode!r}; expected 'max' or 'avg'")
    if border_mode not in ("valid", "same"):
        raise ValueError(f"Invalid border mode: {border_mode!r}; expected 'valid' or 'same'")

def pool2d(x, pool_size, strides=(1, 1), border_mode="valid", dim_ordering="default",
           pool_mode="max") -> Tensor:
    """Max or average pooling of ``(B, C, H, W)`` ('th') or ``(B, H, W, C)`` ('tf')."""
    ordering = _ordering(dim_ordering)
    _check_pool_args(pool_mode, border_mode)
    x = _t(x)
    if ordering == "tf":
        x = F.transpose(x, (0, 3, 1, 2))
    pool = F.max_pool2d if pool_mode == "max" else F.avg_pool2d
    out = pool(x, tuple(pool_size), tuple(strides), border_mode)
    return F.transpose(out, (0, 2, 3, 1)) if ordering == "tf" else out


def _to_th(x, ordering: str):
    """Channels last -> channels first (any rank)."""
    return x if ordering == "th" else F.transpose(x, (0, x.ndim - 1) + tuple(range(1, x.ndim - 1)))


def _from_th(x, ordering: str):
    return x if ordering == "th" else F.transpose(x, (0,) + tuple(range(2, x.ndim)) + (1,))


def _kernel_th(kernel, ordering: str):
    """A 'tf' kernel (*k, in, out) as (out, in, *k)."""
    if ordering == "th":
        return kernel
    n = kernel.ndim
    return F.transpose(kernel, (n - 1, n - 2) + tuple(range(n - 2)))


def _image_size(shape, ordering: str) -> tuple:
    return tuple(shape[2:]) if ordering == "th" else tuple(shape[1:-1])


def atrous_conv2d(x, kernel, rate=1, border_mode="valid", dim_ordering="default",
                  image_shape=None, filter_shape=None) -> Tensor:
    """Dilated 2D cross-correlation: kernel taps ``rate`` cells apart (Keras 1 layouts)."""
    return conv2d(x, kernel, (1, 1), border_mode, dim_ordering,
                  filter_dilation=(int(rate), int(rate)))


def deconv2d(x, kernel, output_shape, strides=(1, 1), border_mode="valid",
             dim_ordering="default", image_shape=None, filter_shape=None) -> Tensor:
    """Transposed 2D correlation (the input-gradient of ``conv2d``), as
    ``Deconvolution2D`` uses it.

    ``kernel`` has the Keras 1 conv layout ('th' ``(nb_filter, stack, rows, cols)``, 'tf'
    ``(rows, cols, stack, nb_filter)``) and, as on 1.2.2's TensorFlow backend, maps
    ``stack`` input maps to ``nb_filter`` output maps; ``output_shape`` is the full
    output shape (its batch entry is ignored).
    """
    ordering = _ordering(dim_ordering)
    if len(tuple(output_shape)) != 4:
        raise ValueError(f"deconv2d: `output_shape` must have 4 entries (batch included), "
                         f"got {output_shape!r}")
    if border_mode not in ("valid", "same"):
        raise ValueError(f"deconv2d: border_mode must be 'valid' or 'same', got {border_mode!r}")
    x, kernel = _t(x), _t(kernel)
    perm = (1, 0, 2, 3) if ordering == "th" else (2, 3, 0, 1)
    out = F.conv_transpose2d(_to_th(x, ordering), F.transpose(kernel, perm),
                             _image_size(output_shape, ordering), tuple(strides), border_mode)
    return _from_th(out, ordering)


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1),
                     border_mode="valid", dim_ordering="default") -> Tensor:
    """A depthwise correlation (``m`` kernels per input channel; kernel 'th' ``(m, C, r,
    c)`` / 'tf' ``(r, c, C, m)``) followed by a 1x1 pointwise one mixing the ``C * m``
    maps (kernel 'th' ``(F, C*m, 1, 1)`` / 'tf' ``(1, 1, C*m, F)``).  Depthwise map
    ``c * m + j`` comes from channel ``c`` (TensorFlow's order).  The depthwise step is
    one full correlation with a block-diagonal kernel (zeros across channels)."""
    import numpy as np

    ordering = _ordering(dim_ordering)
    if border_mode not in ("valid", "same"):
        raise ValueError(f"separable_conv2d: border_mode must be 'valid' or 'same', "
                         f"got {border_mode!r}")
    x, dk, pk = _t(x), _t(depthwise_kernel), _t(pointwise_kernel)
    x = _to_th(x, ordering)
    dw = F.transpose(dk, (1, 0, 2, 3) if ordering == "th" else (2, 3, 0, 1))   # (C, m, r, c)
    c, m = dw.shape[:2]
    if c != x.shape[1]:
        raise ValueError(f"separable_conv2d: the depthwise kernel is for {c} channels, the "
                         f"input has {x.shape[1]}")
    eye = np.eye(c, dtype=dw.dtype)[:, None, :, None, None]                  # (C, 1, C, 1, 1)
    full = F.reshape(F.expand_dims(dw, 2) * eye, (c * m, c) + tuple(dw.shape[2:]))
    depth = F.conv2d(x, full, tuple(strides), border_mode)
    return _from_th(F.conv2d(depth, _kernel_th(pk, ordering)), ordering)


def conv3d(x, kernel, strides=(1, 1, 1), border_mode="valid", dim_ordering="default",
           volume_shape=None, filter_shape=None) -> Tensor:
    """3D cross-correlation of ``(B, C, d1, d2, d3)`` ('th') or ``(B, d1, d2, d3, C)``
    ('tf') volumes; kernel layouts in the module docstring."""
    ordering = _ordering(dim_ordering)
    x, kernel = _t(x), _t(kernel)
    out = F.conv3d(_to_th(x, ordering), _kernel_th(kernel, ordering), tuple(strides),
                   _check_border(border_mode))
    return _from_th(out, ordering)


def pool3d(x, pool_size, strides=(1, 1, 1), border_mode="valid", dim_ordering="default",
           pool_mode="max") -> Tensor:
    """Max or average pooling of ``(B, C, d1, d2, d3)`` ('th') or channels-last volumes."""
    ordering = _ordering(dim_ordering)
    _check_pool_args(pool_mode, border_mode)
    pool = F.max_pool3d if pool_mode == "max" else F.avg_pool3d
    out = pool(_to_th(_t(x), ordering), tuple(pool_size), tuple(strides), border_mode)
    return _from_th(out, ordering)
