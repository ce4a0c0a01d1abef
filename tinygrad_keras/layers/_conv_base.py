"""What the convolution layers share: the ``_Conv`` base (arguments, kernel and bias
creation, bias + activation, config) and small argument helpers."""
from __future__ import annotations

import functools
import inspect

from ..autodiff import functional as F
from ..engine.topology import Layer
from ._common import (
    check_positive_int,
    config_of,
    get_activation,
    get_constraint,
    get_initializer,
    get_regularizer,
    name_of,
)


def bind_ordering(init, dim_ordering: str):
    """The initializer with ``dim_ordering`` bound (so fans follow the kernel layout),
    unless it is a user function that takes only ``(shape, name)``."""
    try:
        params = inspect.signature(init).parameters
    except (TypeError, ValueError):
        return init
    takes = "dim_ordering" in params or any(p.kind == p.VAR_KEYWORD for p in params.values())
    return functools.partial(init, dim_ordering=dim_ordering) if takes else init


def check_border_mode(layer: str, border_mode, allowed=("valid", "same", "full")) -> str:
    if border_mode not in allowed:
        raise ValueError(f"{layer}: `border_mode` must be one of {allowed}, got {border_mode!r}")
    return border_mode


class _Conv(Layer):
    """What every convolution shares: arguments, bias, activation, config."""

    def __init__(self, nb_filter, init, activation, weights, border_mode, W_regularizer,
                 b_regularizer, activity_regularizer, W_constraint, b_constraint, bias, kwargs):
        cls = type(self).__name__
        self.nb_filter = check_positive_int(nb_filter, "nb_filter", cls)
        self.init = get_initializer(init)
        self.activation = get_activation(activation)
        self.border_mode = check_border_mode(cls, border_mode)
        self.W_regularizer = get_regularizer(W_regularizer)
        self.b_regularizer = get_regularizer(b_regularizer)
        self.activity_regularizer = get_regularizer(activity_regularizer)
        self.W_constraint = get_constraint(W_constraint)
        self.b_constraint = get_constraint(b_constraint)
        self.bias = bias
        self.initial_weights = weights
        super().__init__(**kwargs)

    def _add_kernel_and_bias(self, shape, dim_ordering) -> None:
        self.W_shape = tuple(shape)
        self.W = self.add_weight(self.W_shape, bind_ordering(self.init, dim_ordering),
                                 name=f"{self.name}_W", regularizer=self.W_regularizer,
                                 constraint=self.W_constraint)
        self.b = None
        if self.bias:
            self.b = self.add_weight((self.nb_filter,), "zero", name=f"{self.name}_b",
                                     regularizer=self.b_regularizer, constraint=self.b_constraint)

    def _finish(self, out, channel_axis: int):
        """Add the bias along ``channel_axis`` of ``out``, then the activation."""
        if self.bias:
            shape = [1] * out.ndim
            shape[channel_axis] = self.nb_filter
            out = out + F.reshape(self.b, tuple(shape))
        return self.activation(out)

    def _check_channels(self, input_shape, axis: int):
        if input_shape[axis] is None:
            raise ValueError(f"{self.name}: the channel axis {axis} of the input must be known, "
                             f"got shape {tuple(input_shape)}")
        return input_shape[axis]

    def get_config(self) -> dict:
        config = {"nb_filter": self.nb_filter, "init": name_of(self.init),
                  "activation": name_of(self.activation), "border_mode": self.border_mode,
                  "W_regularizer": config_of(self.W_regularizer),
                  "b_regularizer": config_of(self.b_regularizer),
                  "activity_regularizer": config_of(self.activity_regularizer),
                  "W_constraint": config_of(self.W_constraint),
                  "b_constraint": config_of(self.b_constraint), "bias": self.bias}
        return {**super().get_config(), **config}


def _pair(value, arg: str, layer: str) -> tuple:
    pair = tuple(value) if isinstance(value, (tuple, list)) else None
    if pair is None or len(pair) != 2:
        raise ValueError(f"{layer}: `{arg}` must be a tuple of 2 integers, got {value!r}")
    return tuple(int(v) for v in pair)


def check_output_shape(layer, input_shape, output_shape) -> tuple:
    """``output_shape``, or a ValueError naming the layer when a window does not fit
    (a kernel or pool larger than the padded input gives a length below 1)."""
    if any(n is not None and n < 1 for n in output_shape[1:]):
        raise ValueError(f"{layer.name}: the input of shape {tuple(input_shape)} is too small "
                         f"for this window (output shape would be {tuple(output_shape)}); "
                         f"use a smaller kernel/pool, border_mode='same', or a larger input")
    return tuple(output_shape)
