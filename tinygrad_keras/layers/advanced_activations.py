"""Advanced activation layers of Keras 1: LeakyReLU, PReLU, ELU, ParametricSoftplus,
ThresholdedReLU, SReLU.  Shapes are unchanged and masks pass through.

Learned parameters have the shape of one sample (``input_shape[1:]``) with size 1
on the ``shared_axes`` (numbered with the batch axis as 0), so one value can
serve a whole feature map: ``PReLU(shared_axes=[2, 3])`` on ``(None, C, H, W)``
learns ``(C, 1, 1)`` slopes.
"""
from __future__ import annotations

import numpy as np

from .. import backend as K
from ..autodiff import functional as F
from ..engine.topology import Layer
from ._common import as_axis_list, get_initializer, name_of, param_shape


def _leaky(x, alpha):
    """``max(x, 0) - alpha * max(-x, 0)`` (``alpha`` a number or a Tensor)."""
    return x.relu() - alpha * (-x).relu()


def _softplus(x):
    """``log(1 + exp(x))`` without overflow: ``max(x, 0) + log(1 + exp(-|x|))``."""
    return x.relu() + ((-x.abs()).exp() + 1.0).log()


class _Activation(Layer):
    """Base: masks pass through, shape unchanged."""

    def __init__(self, **kwargs):
        self.supports_masking = True
        super().__init__(**kwargs)


class LeakyReLU(_Activation):
    """``x`` for ``x > 0``, ``alpha * x`` otherwise (``alpha=0.3``).

    >>> from tinygrad_keras import Tensor
    >>> LeakyReLU(alpha=0.5)(Tensor([[-2.0, 3.0]])).tolist()
    [[-1.0, 3.0]]
    """

    def __init__(self, alpha=0.3, **kwargs):
        self.alpha = float(alpha)
        super().__init__(**kwargs)

    def call(self, x, mask=None):
        return _leaky(x, self.alpha)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}


class PReLU(_Activation):
    """Leaky ReLU with learned slopes ``alphas`` (weight ``<name>_alphas``, init ``init``)."""

    def __init__(self, init="zero", weights=None, shared_axes=None, **kwargs):
        self.init = get_initializer(init)
        self.initial_weights = weights
        self.shared_axes = as_axis_list(shared_axes)
        super().__init__(**kwargs)

    def build(self, input_shape) -> None:
        shape = param_shape(self.name, input_shape, self.shared_axes)
        self.alphas = self.add_weight(shape, self.init, name=f"{self.name}_alphas")

    def call(self, x, mask=None):
        # relu(x) + alphas * min(x, 0); (x - |x|) / 2 is min(x, 0)
        return x.relu() + self.alphas * (x - x.abs()) * 0.5

    def get_config(self) -> dict:
        return {**super().get_config(), "init": name_of(self.init),
                "shared_axes": self.shared_axes}


class ELU(_Activation):
    """``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise."""

    def __init__(self, alpha=1.0, **kwargs):
        self.alpha = float(alpha)
        super().__init__(**kwargs)

    def call(self, x, mask=None):
        # exp only of the non-positive part, so large x cannot overflow
        return x.relu() + self.alpha * (F.minimum(x, 0.0).exp() - 1.0)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}


class ParametricSoftplus(_Activation):
    """``alphas * softplus(betas * x)`` with learned ``alphas`` and ``betas``
    (constants ``alpha_init``, ``beta_init`` at the start)."""

    def __init__(self, alpha_init=0.2, beta_init=5.0, weights=None, shared_axes=None, **kwargs):
        self.alpha_init = float(alpha_init)
        self.beta_init = float(beta_init)
        self.initial_weights = weights
        self.shared_axes = as_axis_list(shared_axes)
        super().__init__(**kwargs)

    def build(self, input_shape) -> None:
        shape = param_shape(self.name, input_shape, self.shared_axes)
        self.alphas = self.add_weight(shape, _constant(self.alpha_init),
                                      name=f"{self.name}_alphas")
        self.betas = self.add_weight(shape, _constant(self.beta_init), name=f"{self.name}_betas")

    def call(self, x, mask=None):
        return _softplus(self.betas * x) * self.alphas

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha_init": self.alpha_init,
                "beta_init": self.beta_init, "shared_axes": self.shared_axes}


def _constant(value):
    """An initializer filling the shape with ``value``."""
    def constant(shape, name=None, dim_ordering="th"):
        return K.variable(np.full(shape, value), name=name)
    return constant


class ThresholdedReLU(_Activation):
    """``x`` where ``x > theta``, else 0."""

    def __init__(self, theta=1.0, **kwargs):
        self.theta = float(theta)
        super().__init__(**kwargs)

    def call(self, x, mask=None):
        return x * (x.data > self.theta).astype(x.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "theta": self.theta}


class SReLU(_Activation):
    """S-shaped ReLU: three linear pieces joined at learned thresholds.

    With ``t_r = t_left + |t_right|``: ``y = t_left + a_left * (x - t_left)`` below
    ``t_left``, ``x`` between, ``t_r + a_right * (x - t_r)`` above ``t_r``.  Weights in
    order: ``t_left``, ``a_left``, ``t_right``, ``a_right``.
    """

    def __init__(self, t_left_init="zero", a_left_init="glorot_uniform",
                 t_right_init="glorot_uniform", a_right_init="one", shared_axes=None, **kwargs):
        self.t_left_init, self.a_left_init = t_left_init, a_left_init
        self.t_right_init, self.a_right_init = t_right_init, a_right_init
        self.shared_axes = as_axis_list(shared_axes)
        super().__init__(**kwargs)

    def build(self, input_shape) -> None:
        shape = param_shape(self.name, input_shape, self.shared_axes)
        for part in ("t_left", "a_left", "t_right", "a_right"):
            init = get_initializer(getattr(self, f"{part}_init"))
            setattr(self, part, self.add_weight(shape, init, name=f"{self.name}_{part}"))

    def call(self, x, mask=None):
        t_right = self.t_left + self.t_right.abs()
        shifted = x - self.t_left
        # centre piece clipped at the right threshold, leaky to the left (K.relu with max_value)
        centre = F.minimum(shifted.relu(), t_right - self.t_left) - self.a_left * (-shifted).relu()
        return self.t_left + centre + (x - t_right).relu() * self.a_right

    def get_config(self) -> dict:
        inits = {f"{part}_init": _init_name(getattr(self, f"{part}_init"))
                 for part in ("t_left", "a_left", "t_right", "a_right")}
        return {**super().get_config(), **inits, "shared_axes": self.shared_axes}


def _init_name(init) -> str:
    """An initializer as stored in a config: names stay names, functions by name."""
    return init if isinstance(init, str) else name_of(init)


__all__ = ["ELU", "LeakyReLU", "PReLU", "ParametricSoftplus", "SReLU", "ThresholdedReLU"]
