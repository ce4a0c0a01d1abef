"""Backend convolution and pooling with Keras 1 signatures and kernel layouts.

Convolution is cross-correlation (project decision 3).  Kernels:
``conv2d`` takes Keras 1 layouts, ``(nb_filter, stack, rows, cols)`` for 'th'
and ``(rows, cols, stack, nb_filter)`` for 'tf'; ``conv1d`` takes
``(filter_length, input_dim, nb_filter)`` on ``(B, steps, input_dim)`` inputs.
Everything runs on the channels-first primitives of ``autodiff.functional``.
"""
from __future__ import annotations

from ..autodiff import Tensor
from ..autodiff import functional as F
from . import to_tensor
from .shape_ops import _ordering

__all__ = ["conv1d", "conv2d", "pool2d"]


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


def pool2d(x, pool_size, strides=(1, 1), border_mode="valid", dim_ordering="default",
           pool_mode="max") -> Tensor:
    """Max or average pooling of ``(B, C, H, W)`` ('th') or ``(B, H, W, C)`` ('tf')."""
    ordering = _ordering(dim_ordering)
    if pool_mode not in ("max", "avg"):
        raise ValueError(f"Invalid pooling mode: {pool_mode!r}; expected 'max' or 'avg'")
    if border_mode not in ("valid", "same"):
        raise ValueError(f"Invalid border mode: {border_mode!r}; expected 'valid' or 'same'")
    x = _t(x)
    if ordering == "tf":
        x = F.transpose(x, (0, 3, 1, 2))
    pool = F.max_pool2d if pool_mode == "max" else F.avg_pool2d
    out = pool(x, tuple(pool_size), tuple(strides), border_mode)
    return F.transpose(out, (0, 2, 3, 1)) if ordering == "tf" else out
