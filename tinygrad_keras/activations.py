"""Activation functions (Keras 1 ``keras.activations``): ``f(Tensor) -> Tensor``.

Layers take them by name (``Dense(64, activation='relu')``); ``get(None)`` is
``linear``.  A layer's config stores ``fn.__name__``.

>>> from tinygrad_keras import Tensor, activations
>>> activations.get('relu')(Tensor([-1.0, 2.0])).tolist()
[0.0, 2.0]
>>> activations.get('softmax')(Tensor([[0.0, 0.0]])).tolist()
[[0.5, 0.5]]
"""
from __future__ import annotations

from . import backend as K
from ._lookup import get_function


def softmax(x):
    """Softmax over the last axis, for 2D ``(None, classes)`` and 3D
    ``(None, timesteps, classes)`` inputs only (as in Keras 1.2.2)."""
    ndim = K.ndim(x)
    if ndim not in (2, 3):
        raise ValueError(f"Cannot apply softmax to a tensor that is not 2D or 3D. "
                         f"Here, ndim={ndim} (shape {K.int_shape(x)})")
    return K.softmax(x, axis=-1)


def elu(x, alpha=1.0):
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``."""
    return K.elu(x, alpha)


def softplus(x):
    """``log(1 + exp(x))``."""
    return K.softplus(x)


def softsign(x):
    """``x / (1 + |x|)``."""
    return K.softsign(x)


def relu(x, alpha=0.0, max_value=None):
    """``max(x, 0)``; leaky below 0 with slope ``alpha``; capped at ``max_value``."""
    return K.relu(x, alpha=alpha, max_value=max_value)


def tanh(x):
    return K.tanh(x)


def sigmoid(x):
    return K.sigmoid(x)


def hard_sigmoid(x):
    """``clip(0.2 x + 0.5, 0, 1)``, a cheap piecewise-linear sigmoid (GRU/LSTM default)."""
    return K.hard_sigmoid(x)


def linear(x):
    """The identity (what ``activation=None`` means)."""
    return x


_ACTIVATIONS = {f.__name__: f for f in (
    softmax, elu, softplus, softsign, relu, tanh, sigmoid, hard_sigmoid, linear)}


def get(identifier):
    """An activation by name; None -> ``linear``; callables pass through."""
    if identifier is None:
        return linear
    return get_function(identifier, _ACTIVATIONS, "activation function")
