"""Dense-like layers of Keras 1 used by a few examples: MaxoutDense, Highway,
TimeDistributedDense (all importable from ``keras.layers.core`` as in 1.2.2)."""
from __future__ import annotations

from .. import backend as K
from ..engine.topology import InputSpec, Layer
from ._common import (
    check_positive_int,
    config_of,
    get_activation,
    get_constraint,
    get_initializer,
    get_regularizer,
    name_of,
)
from .core import Dense


class _WeightedLayer(Layer):
    """Shared constructor pieces: init, regularizers, constraints, bias, input_dim."""

    def _setup(self, init, weights, W_regularizer, b_regularizer, activity_regularizer,
               W_constraint, b_constraint, bias, input_dim, kwargs) -> dict:
        self.init = get_initializer(init)
        self.W_regularizer = get_regularizer(W_regularizer)
        self.b_regularizer = get_regularizer(b_regularizer)
        self.activity_regularizer = get_regularizer(activity_regularizer)
        self.W_constraint = get_constraint(W_constraint)
        self.b_constraint = get_constraint(b_constraint)
        self.bias = bias
        self.initial_weights = weights
        self.input_dim = input_dim
        if input_dim:
            kwargs["input_shape"] = (input_dim,)
        return kwargs

    def _weight_config(self) -> dict:
        return {"init": name_of(self.init), "W_regularizer": config_of(self.W_regularizer),
                "b_regularizer": config_of(self.b_regularizer),
                "activity_regularizer": config_of(self.activity_regularizer),
                "W_constraint": config_of(self.W_constraint),
                "b_constraint": config_of(self.b_constraint),
                "bias": self.bias, "input_dim": self.input_dim}


class MaxoutDense(_WeightedLayer):
    """Maxout: the elementwise max of ``nb_feature`` linear maps of the input.

    Input ``(None, input_dim)``; output ``(None, output_dim)``.  Weights ``W``
    ``(nb_feature, input_dim, output_dim)``, then ``b`` ``(nb_feature, output_dim)``.
    """

    def __init__(self, output_dim, nb_feature=4, init="glorot_uniform", weights=None,
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, input_dim=None, **kwargs):
        self.output_dim = check_positive_int(output_dim, "output_dim", "MaxoutDense")
        self.nb_feature = check_positive_int(nb_feature, "nb_feature", "MaxoutDense")
        self.input_spec = [InputSpec(ndim=2)]
        kwargs = self._setup(init, weights, W_regularizer, b_regularizer, activity_regularizer,
                             W_constraint, b_constraint, bias, input_dim, kwargs)
        super().__init__(**kwargs)

    def build(self, input_shape) -> None:
        self.input_dim = input_shape[1]
        self.input_spec = [InputSpec(dtype=K.floatx(), shape=(None, self.input_dim))]
        self.W = self.add_weight((self.nb_feature, self.input_dim, self.output_dim), self.init,
                                 name=f"{self.name}_W", regularizer=self.W_regularizer,
                                 constraint=self.W_constraint)
        if self.bias:
            self.b = self.add_weight((self.nb_feature, self.output_dim), "zero",
                                     name=f"{self.name}_b", regularizer=self.b_regularizer,
                                     constraint=self.b_constraint)

    def call(self, x, mask=None):
        # (B, in) @ (F, in, out) broadcasts to (F, B, out); the bias is per feature map
        y = x @ self.W
        if self.bias:
            y = y + self.b.reshape(self.nb_feature, 1, self.output_dim)
        return y.max(axis=0)

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], self.output_dim)

    def get_config(self) -> dict:
        return {**super().get_config(), "output_dim": self.output_dim,
                "nb_feature": self.nb_feature, **self._weight_config()}


class Highway(_WeightedLayer):
    """Highway layer: ``t = sigmoid(x . W_carry + b_carry)``,
    ``y = t * activation(x . W + b) + (1 - t) * x``.

    Input and output ``(None, input_dim)``.  Weights in 1.2.2 order: ``W``,
    ``W_carry`` (both ``(input_dim, input_dim)``), then ``b`` (zeros) and
    ``b_carry`` (ones), both ``(input_dim,)``.
    """

    def __init__(self, init="glorot_uniform", activation=None, weights=None,
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, input_dim=None, **kwargs):
        self.activation = get_activation(activation)
        self.input_spec = [InputSpec(ndim=2)]
        kwargs = self._setup(init, weights, W_regularizer, b_regularizer, activity_regularizer,
                             W_constraint, b_constraint, bias, input_dim, kwargs)
        super().__init__(**kwargs)

    def build(self, input_shape) -> None:
        dim = self.input_dim = input_shape[1]
        self.input_spec = [InputSpec(dtype=K.floatx(), shape=(None, dim))]
        self.W = self.add_weight((dim, dim), self.init, name=f"{self.name}_W",
                                 regularizer=self.W_regularizer, constraint=self.W_constraint)
        self.W_carry = self.add_weight((dim, dim), self.init, name=f"{self.name}_W_carry")
        if self.bias:
            self.b = self.add_weight((dim,), "zero", name=f"{self.name}_b",
                                     regularizer=self.b_regularizer,
                                     constraint=self.b_constraint)
            self.b_carry = self.add_weight((dim,), "one", name=f"{self.name}_b_carry")

    def call(self, x, mask=None):
        gate = x @ self.W_carry
        transform = x @ self.W
        if self.bias:
            gate, transform = gate + self.b_carry, transform + self.b
        gate = gate.sigmoid()
        return self.activation(transform) * gate + (1.0 - gate) * x

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": name_of(self.activation),
                **self._weight_config()}


class TimeDistributedDense(Dense):
    """Deprecated Keras 1 layer: the same Dense applied at every timestep.

    Input ``(None, timesteps, input_dim)``; output ``(None, timesteps, output_dim)``;
    weights as Dense.  Masks pass through.
    """

    def __init__(self, output_dim, init="glorot_uniform", activation=None, weights=None,
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, input_dim=None,
                 input_length=None, **kwargs):
        self.input_length = input_length
        if input_dim:
            kwargs["input_shape"] = (input_length, input_dim)
        self.supports_masking = True
        super().__init__(output_dim, init=init, activation=activation, weights=weights,
                         W_regularizer=W_regularizer, b_regularizer=b_regularizer,
                         activity_regularizer=activity_regularizer, W_constraint=W_constraint,
                         b_constraint=b_constraint, bias=bias, **kwargs)
        self.input_dim = input_dim

    def build(self, input_shape) -> None:
        if len(input_shape) != 3:
            raise ValueError(f"Input is incompatible with layer {self.name}: expected ndim=3 "
                             f"(None, timesteps, input_dim), found shape {tuple(input_shape)}")
        super().build(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "input_length": self.input_length}


__all__ = ["Highway", "MaxoutDense", "TimeDistributedDense"]
