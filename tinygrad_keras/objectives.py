"""Loss functions (Keras 1 ``keras.objectives``): ``loss(y_true, y_pred)``.

Each returns one value per sample (per timestep for 3D outputs): it reduces the
last axis only; the training loop applies sample weights and averages.  Losses
never give NaN or inf for finite inputs (project decision 4): probabilities
are clipped to ``[eps, 1 - eps]`` with ``eps = K.epsilon()`` = 1e-7, and where
the Keras 1.2.2 formula is finite the value is the same.

>>> import numpy as np
>>> from tinygrad_keras import Tensor, objectives
>>> y_true = np.array([[0.0, 1.0], [1.0, 0.0]])
>>> y_pred = Tensor(np.array([[0.2, 0.8], [0.6, 0.4]]))
>>> np.round(objectives.get('mse')(y_true, y_pred).data, 4).tolist()
[0.04, 0.16]
"""
from __future__ import annotations

import numpy as np

from . import backend as K
from ._backend import nn as _nn
from ._lookup import get_function
from .autodiff import Tensor


def _pair(y_true, y_pred) -> tuple:
    """``y_pred`` as a Tensor, ``y_true`` as a constant of its dtype (so float32
    predictions keep a float32 loss even when the targets arrive as float64)."""
    y_pred = y_pred if isinstance(y_pred, Tensor) else Tensor(y_pred)
    if isinstance(y_true, Tensor):
        if y_true.dtype == y_pred.dtype or y_true.requires_grad:
            return y_true, y_pred
        y_true = y_true.data
    return y_pred._lift(y_true), y_pred


def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    return K.mean(K.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    return K.mean(K.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """``100 * mean(|(t - p) / max(|t|, eps)|)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    diff = K.abs((y_true - y_pred) / K.clip(K.abs(y_true), K.epsilon(), None))
    return K.mean(diff, axis=-1) * 100.0


def mean_squared_logarithmic_error(y_true, y_pred):
    """``mean((log(max(p, eps) + 1) - log(max(t, eps) + 1))**2)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    first = K.log(K.clip(y_pred, K.epsilon(), None) + 1.0)
    second = K.log(K.clip(y_true, K.epsilon(), None) + 1.0)
    return K.mean(K.square(first - second), axis=-1)


def squared_hinge(y_true, y_pred):
    """``mean(max(1 - t p, 0)**2)`` for labels in {-1, 1}."""
    y_true, y_pred = _pair(y_true, y_pred)
    return K.mean(K.square(K.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def hinge(y_true, y_pred):
    """``mean(max(1 - t p, 0))`` for labels in {-1, 1}."""
    y_true, y_pred = _pair(y_true, y_pred)
    return K.mean(K.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def categorical_crossentropy(y_true, y_pred):
    """``-sum(t log p)`` with ``p`` renormalised and clipped; needs one-hot targets."""
    y_true, y_pred = _pair(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(_one_hot_hint(y_true.shape, y_pred.shape))
    return K.categorical_crossentropy(y_pred, y_true)


def _mean_categorical_crossentropy(y_true: Tensor, y_pred: Tensor):
    """``mean(categorical_crossentropy(y_true, y_pred))`` in one node, or None where that
    does not apply: the training loop's loss with default sample weights
    (``engine/compile_utils.weighted_loss``), one node fewer per step."""
    y_true, y_pred = _pair(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        return None  # categorical_crossentropy explains the mismatch
    return _nn.mean_categorical_crossentropy(y_pred, y_true)


def _one_hot_hint(true_shape, pred_shape) -> str:
    message = (f"categorical_crossentropy expects targets of the output's shape {pred_shape} "
               f"(one-hot), got {true_shape}.")
    if true_shape[-1:] == (1,) or len(true_shape) == len(pred_shape) - 1:
        message += (" These look like integer class ids: convert them with "
                    "keras.utils.np_utils.to_categorical(y, nb_classes), or use the loss "
                    "'sparse_categorical_crossentropy'.")
    return message


def sparse_categorical_crossentropy(y_true, y_pred):
    """Crossentropy against integer class ids of shape ``(None, 1)`` (or ``(None, T, 1)``)."""
    y_pred = y_pred if isinstance(y_pred, Tensor) else Tensor(y_pred)
    return K.sparse_categorical_crossentropy(y_pred, y_true)


def binary_crossentropy(y_true, y_pred):
    """``mean(-(t log p + (1 - t) log(1 - p)))`` with ``p`` clipped to ``[eps, 1 - eps]``."""
    y_true, y_pred = _pair(y_true, y_pred)
    return K.mean(K.binary_crossentropy(y_pred, y_true), axis=-1)


def kullback_leibler_divergence(y_true, y_pred):
    """``sum(t log(t / p))`` with both clipped to ``[eps, 1]``."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = K.clip(y_true, K.epsilon(), 1.0)
    y_pred = K.clip(y_pred, K.epsilon(), 1.0)
    return K.sum(y_true * K.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """``mean(p - t log(p + eps))``.

    The log's argument is kept at or above the smallest normal float so that a
    negative prediction (outside Poisson's domain) cannot produce NaN.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    tiny = float(np.finfo(y_pred.dtype).tiny)
    return K.mean(y_pred - y_true * K.log(K.maximum(y_pred + K.epsilon(), tiny)), axis=-1)


def cosine_proximity(y_true, y_pred):
    """``-mean(l2_normalize(t) * l2_normalize(p))`` over the last axis (note: mean, so it
    is ``-cos / dim``, as in Keras 1.2.2)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return -K.mean(K.l2_normalize(y_true, axis=-1) * K.l2_normalize(y_pred, axis=-1), axis=-1)


# Keras 1 aliases.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence
cosine = cosine_proximity

_LOSSES = {f.__name__: f for f in (
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, squared_hinge, hinge, categorical_crossentropy,
    sparse_categorical_crossentropy, binary_crossentropy, kullback_leibler_divergence,
    poisson, cosine_proximity)}
_LOSSES.update(mse=mse, MSE=MSE, mae=mae, MAE=MAE, mape=mape, MAPE=MAPE, msle=msle, MSLE=MSLE,
               kld=kld, KLD=KLD, cosine=cosine)


def get(identifier):
    """A loss by name (aliases included); callables ``f(y_true, y_pred)`` pass through."""
    return get_function(identifier, _LOSSES, "objective", " f(y_true, y_pred)")
