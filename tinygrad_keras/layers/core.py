"""The core Keras 1 layers: Dense, Activation, Dropout, Flatten, Reshape, Permute, ...

Each layer composes Tensor operations only; gradients come from the autodiff
engine.  Shapes in docstrings show the batch axis as ``None``.
"""
from __future__ import annotations

import numpy as np

from .. import backend as K
from ..engine.topology import InputSpec, Layer


# ---- helpers shared by the layer modules ---------------------------------------------
def check_positive_int(value, arg: str, layer: str) -> int:
    """``value`` as an int, or a ValueError naming ``layer`` and ``arg``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{layer}: `{arg}` must be a positive integer, got {value!r}")
    return int(value)


def get_regularizer(identifier):
    """``regularizers.get`` that keeps ``None`` as ``None``."""
    from .. import regularizers
    return None if identifier is None else regularizers.get(identifier)


def get_constraint(identifier):
    """``constraints.get`` that keeps ``None`` as ``None``."""
    from .. import constraints
    return None if identifier is None else constraints.get(identifier)


def get_initializer(identifier):
    from .. import initializations
    return initializations.get(identifier)


def get_activation(identifier):
    from .. import activations
    return activations.get(identifier)


def config_of(obj):
    """A regularizer/constraint as its config dict (None stays None)."""
    return None if obj is None else obj.get_config()


def name_of(fn) -> str:
    """The name Keras 1 stores for an init or activation function."""
    return getattr(fn, "__name__", type(fn).__name__)


def check_min_ndim(layer: Layer, input_shape, min_ndim: int) -> None:
    if len(input_shape) < min_ndim:
        raise ValueError(f"Input is incompatible with layer {layer.name}: expected "
                         f"ndim>={min_ndim}, found ndim={len(input_shape)} "
                         f"(shape {tuple(input_shape)})")


# ---- Dense -----------------------------------------------------------------------
class Dense(Layer):
    """A fully connected layer: ``activation(x . W + b)``.

    Input shape ``(None, ..., input_dim)``; output shape ``(None, ..., output_dim)``
    (only the last axis changes).  Weights: ``W`` ``(input_dim, output_dim)``,
    then ``b`` ``(output_dim,)`` when ``bias=True``.

    >>> from tinygrad_keras.layers import Dense
    >>> Dense(3, input_dim=4).get_output_shape_for((None, 4))
    (None, 3)
    """

    def __init__(self, output_dim, init="glorot_uniform", activation=None, weights=None,
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, input_dim=None, **kwargs):
        self.output_dim = check_positive_int(output_dim, "output_dim", type(self).__name__)
        self.init = get_initializer(init)
        self.activation = get_activation(activation)
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
        super().__init__(**kwargs)

    def build(self, input_shape) -> None:
        check_min_ndim(self, input_shape, 2)
        self.input_dim = input_shape[-1]
        if self.input_dim is None:
            raise ValueError(f"{self.name}: the last axis of the input must be known, got "
                             f"shape {tuple(input_shape)}")
        self.input_spec = [InputSpec(dtype=K.floatx(), shape=(None,) * (len(input_shape) - 1)
                                     + (self.input_dim,))]
        self.W = self.add_weight((self.input_dim, self.output_dim), self.init,
                                 name=f"{self.name}_W", regularizer=self.W_regularizer,
                                 constraint=self.W_constraint)
        self.b = None
        if self.bias:
            self.b = self.add_weight((self.output_dim,), "zero", name=f"{self.name}_b",
                                     regularizer=self.b_regularizer,
                                     constraint=self.b_constraint)

    def call(self, x, mask=None):
        y = x @ self.W
        if self.bias:
            y = y + self.b
        return self.activation(y)

    def get_output_shape_for(self, input_shape):
        return tuple(input_shape[:-1]) + (self.output_dim,)

    def get_config(self) -> dict:
        config = {"output_dim": self.output_dim, "init": name_of(self.init),
                  "activation": name_of(self.activation),
                  "W_regularizer": config_of(self.W_regularizer),
                  "b_regularizer": config_of(self.b_regularizer),
                  "activity_regularizer": config_of(self.activity_regularizer),
                  "W_constraint": config_of(self.W_constraint),
                  "b_constraint": config_of(self.b_constraint),
                  "bias": self.bias, "input_dim": self.input_dim}
        return {**super().get_config(), **config}


# ---- Activation, Dropout, Flatten ---------------------------------------------------
class Activation(Layer):
    """Apply an activation function elementwise; shape unchanged; masks pass through.

    >>> from tinygrad_keras import Tensor
    >>> Activation('relu')(Tensor([[-1.0, 2.0]])).tolist()
    [[0.0, 2.0]]
    """

    def __init__(self, activation, **kwargs):
        self.supports_masking = True
        self.activation = get_activation(activation)
        super().__init__(**kwargs)

    def call(self, x, mask=None):
        return self.activation(x)

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": name_of(self.activation)}


class Dropout(Layer):
    """Inverted dropout: while training, zero each unit with probability ``p`` and
    scale the survivors by ``1 / (1 - p)``; identity at test time.

    ``noise_shape`` (optional, may contain ``None`` for "as the input") shares one
    keep/drop decision along axes of size 1.  Shape unchanged; masks pass through.
    """

    def __init__(self, p, noise_shape=None, seed=None, **kwargs):
        if not 0.0 <= p < 1.0:
            raise ValueError(f"Dropout: `p` must be in [0, 1), got {p!r}")
        self.p = p
        self.noise_shape = noise_shape
        self.seed = seed
        # a private generator only when a seed is given; else np.random.seed governs
        self._rng = np.random.RandomState(seed) if seed is not None else np.random
        if 0.0 < p < 1.0:
            self.uses_learning_phase = True
        self.supports_masking = True
        super().__init__(**kwargs)

    def _noise_shape(self, x) -> tuple:
        if self.noise_shape is None:
            return x.shape
        return tuple(x.shape[i] if d is None else d for i, d in enumerate(self.noise_shape))

    def call(self, x, mask=None):
        if not 0.0 < self.p < 1.0:
            return x
        return K.in_train_phase(lambda: self._dropped(x), x)

    def _dropped(self, x):
        keep = self._rng.random_sample(self._noise_shape(x)) >= self.p
        return x * (keep.astype(x.dtype) / (1.0 - self.p)).astype(x.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "p": self.p}


class Flatten(Layer):
    """Flatten all non-batch axes, row-major: ``(None, d1, d2, ...)`` -> ``(None, d1*d2*...)``.

    >>> Flatten().get_output_shape_for((None, 2, 3, 4))
    (None, 24)
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        check_min_ndim(self, input_shape, 3)
        rest = tuple(input_shape[1:])
        if any(d is None for d in rest):
            raise ValueError(f"The shape of the input to \"{self.name}\" is not fully defined "
                             f"(got {rest}). Make sure to pass a complete \"input_shape\" or "
                             f"\"batch_input_shape\" argument to the first layer in your model.")
        return (input_shape[0], int(np.prod(rest)))

    def call(self, x, mask=None):
        return x.reshape(x.shape[0], -1)


__all__ = ["Dense", "Activation", "Dropout", "Flatten"]
