"""The core Keras 1 layers: Dense, Activation, Dropout, Flatten, Reshape, Permute, ...

Each layer composes Tensor operations only; gradients come from the autodiff
engine.  Shapes in docstrings show the batch axis as ``None``.
"""
from __future__ import annotations

import numpy as np

from .. import activations
from .. import backend as K
from ..autodiff import functional as F
from ..engine.topology import InputSpec, Layer
from ._common import (
    check_min_ndim,
    check_positive_int,
    config_of,
    get_activation,
    get_constraint,
    get_initializer,
    get_regularizer,
    name_of,
)


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
        # x . W + b as one op (F.linear); relu, the commonest hidden activation, goes in it
        # too, and so does a classifier's softmax (2-D: what activations.softmax accepts)
        relu = self.activation is activations.relu
        softmax = self.activation is activations.softmax and np.ndim(x) == 2
        y = F.linear(x, self.W, self.b if self.bias else None, relu=relu, softmax=softmax)
        return y if relu or softmax else self.activation(y)

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


# ---- shape layers -----------------------------------------------------------------
class Reshape(Layer):
    """Reshape the non-batch axes to ``target_shape``; one entry may be ``-1``
    (inferred from the input size).

    >>> Reshape((-1, 2)).get_output_shape_for((None, 3, 4))
    (None, 6, 2)
    """

    def __init__(self, target_shape, **kwargs):
        self.target_shape = tuple(target_shape)
        if sum(1 for d in self.target_shape if d == -1) > 1:
            raise ValueError(f"Reshape: can only specify one unknown dimension (-1), got "
                             f"target_shape={self.target_shape}")
        super().__init__(**kwargs)

    def _resolved_target(self, input_shape) -> tuple:
        """``target_shape`` with -1 replaced (None when the input size is unknown)."""
        rest = tuple(input_shape[1:])
        known = [d for d in self.target_shape if d != -1]
        if any(d is None for d in rest):
            return tuple(None if d == -1 else d for d in self.target_shape)
        size, target_size = int(np.prod(rest)), int(np.prod(known))
        if (-1 in self.target_shape and (target_size == 0 or size % target_size)) or \
                (-1 not in self.target_shape and size != target_size):
            raise ValueError(f"{self.name}: total size of new array must be unchanged; cannot "
                             f"reshape input {rest} ({size} values) to {self.target_shape}")
        return tuple(size // target_size if d == -1 else d for d in self.target_shape)

    def get_output_shape_for(self, input_shape):
        return (input_shape[0],) + self._resolved_target(input_shape)

    def call(self, x, mask=None):
        return x.reshape((x.shape[0],) + self._resolved_target(x.shape))

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(Layer):
    """Permute the non-batch axes; ``dims`` is 1-indexed (the batch axis is 0).

    >>> Permute((2, 1)).get_output_shape_for((None, 10, 64))
    (None, 64, 10)
    """

    def __init__(self, dims, **kwargs):
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Permute: `dims` must be a permutation of 1..{len(self.dims)} "
                             f"(the batch axis is not included), got {self.dims}")
        self.input_spec = [InputSpec(ndim=len(self.dims) + 1)]
        super().__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def call(self, x, mask=None):
        return x.transpose((0,) + self.dims)

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """Repeat a vector ``n`` times: ``(None, d)`` -> ``(None, n, d)``."""

    def __init__(self, n, **kwargs):
        self.n = check_positive_int(n, "n", "RepeatVector")
        self.input_spec = [InputSpec(ndim=2)]
        super().__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def call(self, x, mask=None):
        batch, dim = x.shape
        return x.reshape(batch, 1, dim).broadcast_to((batch, self.n, dim))

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}


# ---- masks and penalties ------------------------------------------------------------
class Masking(Layer):
    """Mask the timesteps whose features all equal ``mask_value``.

    Input ``(None, timesteps, features)``; output the same, with masked steps set
    to 0; output mask ``(None, timesteps)`` = any feature differs from ``mask_value``.
    """

    def __init__(self, mask_value=0.0, **kwargs):
        self.supports_masking = True
        self.mask_value = mask_value
        super().__init__(**kwargs)

    def _keep(self, x) -> np.ndarray:
        data = x.data if hasattr(x, "data") else np.asarray(x)
        return np.any(data != self.mask_value, axis=-1)

    def compute_mask(self, x, input_mask=None):
        from ..autodiff import Tensor
        return Tensor(self._keep(x))

    def call(self, x, mask=None):
        return x * self._keep(x)[..., None].astype(x.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}


class ActivityRegularization(Layer):
    """Identity that adds ``l1 * sum|y| + l2 * sum y**2`` of its output to the losses."""

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        from .. import regularizers
        self.supports_masking = True
        self.l1, self.l2 = l1, l2
        self.activity_regularizer = regularizers.L1L2Regularizer(l1=l1, l2=l2)
        super().__init__(**kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}


from .dense_variants import Highway, MaxoutDense, TimeDistributedDense
from .lambda_layer import Lambda
from .merge import Merge, merge  # Keras 1.2.2 scripts import Merge from keras.layers.core

__all__ = [
    "Activation",
    "ActivityRegularization",
    "Dense",
    "Dropout",
    "Flatten",
    "Highway",
    "Lambda",
    "Masking",
    "MaxoutDense",
    "Merge",
    "Permute",
    "RepeatVector",
    "Reshape",
    "TimeDistributedDense",
    "merge",
]

_SPATIAL_DROPOUT = {"SpatialDropout1D": "_resize", "SpatialDropout2D": "_resize",
                    "SpatialDropout3D": "_volumetric"}


def __getattr__(name: str):
    """Keras 1.2.2 defined the SpatialDropout layers in ``core``; they live beside the
    other resizing layers here (which import ``Dropout`` from this module, so they are
    looked up on first use rather than imported at the top)."""
    if name in _SPATIAL_DROPOUT:
        import importlib
        return getattr(importlib.import_module(f"{__package__}.{_SPATIAL_DROPOUT[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
