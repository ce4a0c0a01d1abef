"""Metrics (Keras 1 ``keras.metrics``): ``metric(y_true, y_pred)`` -> scalar Tensor.

Each returns the mean over the batch (over all elements for the elementwise
ones).  They are reported, never differentiated, so the training loop may run
them under ``no_grad``.  ``'acc'``/``'accuracy'`` are not names here: compile
resolves them to ``binary_accuracy``/``categorical_accuracy``/
``sparse_categorical_accuracy`` from the loss and the output shape.

>>> import numpy as np
>>> from tinygrad_keras import metrics
>>> y_pred = np.array([[.8, .1, .1], [.3, .3, .4], [0, 0, 1.]])
>>> round(float(metrics.categorical_accuracy(np.eye(3), y_pred)), 4)
0.6667
"""
from __future__ import annotations

import numpy as np

from . import backend as K
from . import objectives
from ._lookup import get_function
from .autodiff import Tensor
from .objectives import _pair


# ---- accuracies ---------------------------------------------------------------------------
def binary_accuracy(y_true, y_pred):
    """Fraction of elements where ``round(p)`` (half to even) equals the target."""
    y_true, y_pred = _pair(y_true, y_pred)
    return K.mean(K.equal(y_true, K.round(y_pred)))


def categorical_accuracy(y_true, y_pred):
    """Fraction of samples (x timesteps) whose arg-max class is the target's."""
    y_true, y_pred = _pair(y_true, y_pred)
    return K.mean(K.equal(K.argmax(y_true, axis=-1), K.argmax(y_pred, axis=-1)))


def sparse_categorical_accuracy(y_true, y_pred):
    """As ``categorical_accuracy`` with integer class ids of shape ``(None, 1)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    predicted = K.cast(K.argmax(y_pred, axis=-1), y_true.dtype)
    return K.mean(K.equal(K.max(y_true, axis=-1), predicted))


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Fraction of samples whose target class is among the ``k`` highest predictions."""
    y_true, y_pred = _pair(y_true, y_pred)
    return K.mean(K.in_top_k(y_pred, K.argmax(y_true, axis=-1), k))


# ---- the losses, averaged over everything ------------------------------------------------
def _batch_mean(loss):
    def metric(y_true, y_pred):
        return K.mean(loss(y_true, y_pred))
    metric.__name__ = loss.__name__
    metric.__doc__ = f"The batch mean of ``objectives.{loss.__name__}``."
    return metric


mean_squared_error = _batch_mean(objectives.mean_squared_error)
mean_absolute_error = _batch_mean(objectives.mean_absolute_error)
mean_absolute_percentage_error = _batch_mean(objectives.mean_absolute_percentage_error)
mean_squared_logarithmic_error = _batch_mean(objectives.mean_squared_logarithmic_error)
hinge = _batch_mean(objectives.hinge)
squared_hinge = _batch_mean(objectives.squared_hinge)
categorical_crossentropy = _batch_mean(objectives.categorical_crossentropy)
sparse_categorical_crossentropy = _batch_mean(objectives.sparse_categorical_crossentropy)
binary_crossentropy = _batch_mean(objectives.binary_crossentropy)
kullback_leibler_divergence = _batch_mean(objectives.kullback_leibler_divergence)
poisson = _batch_mean(objectives.poisson)
cosine_proximity = _batch_mean(objectives.cosine_proximity)


# ---- batch-wise classification statistics -------------------------------------------------
def _counts(y_true, y_pred) -> dict:
    """True/false positives/negatives after rounding both to {0, 1}."""
    y_true, y_pred = _pair(y_true, y_pred)
    pred_pos = K.round(K.clip(y_pred, 0.0, 1.0))
    pos = K.round(K.clip(y_true, 0.0, 1.0))
    return {"tp": K.sum(pos * pred_pos), "tn": K.sum((1.0 - pos) * (1.0 - pred_pos)),
            "fp": K.sum((1.0 - pos) * pred_pos), "fn": K.sum(pos * (1.0 - pred_pos))}


def matthews_correlation(y_true, y_pred):
    """``(tp tn - fp fn) / sqrt((tp+fp)(tp+fn)(tn+fp)(tn+fn))`` for this batch."""
    c = _counts(y_true, y_pred)
    numerator = c["tp"] * c["tn"] - c["fp"] * c["fn"]
    denominator = K.sqrt((c["tp"] + c["fp"]) * (c["tp"] + c["fn"])
                         * (c["tn"] + c["fp"]) * (c["tn"] + c["fn"]))
    return numerator / (denominator + K.epsilon())


def precision(y_true, y_pred):
    """``TP / (predicted positives + eps)`` for this batch."""
    y_true, y_pred = _pair(y_true, y_pred)
    true_pos = K.sum(K.round(K.clip(y_true * y_pred, 0.0, 1.0)))
    predicted_pos = K.sum(K.round(K.clip(y_pred, 0.0, 1.0)))
    return true_pos / (predicted_pos + K.epsilon())


def recall(y_true, y_pred):
    """``TP / (actual positives + eps)`` for this batch."""
    y_true, y_pred = _pair(y_true, y_pred)
    true_pos = K.sum(K.round(K.clip(y_true * y_pred, 0.0, 1.0)))
    possible_pos = K.sum(K.round(K.clip(y_true, 0.0, 1.0)))
    return true_pos / (possible_pos + K.epsilon())


def fbeta_score(y_true, y_pred, beta=1):
    """``(1 + b^2) P R / (b^2 P + R + eps)``; 0 when the batch has no positives."""
    if beta < 0:
        raise ValueError(f"fbeta_score: beta must be >= 0 (0 means precision only), got {beta}")
    y_true, y_pred = _pair(y_true, y_pred)
    if float(K.sum(K.round(K.clip(y_true, 0.0, 1.0)))) == 0:
        return Tensor(np.zeros((), dtype=y_pred.dtype))
    p, r = precision(y_true, y_pred), recall(y_true, y_pred)
    bb = beta ** 2
    return (p * r) * (1.0 + bb) / (p * bb + r + K.epsilon())


def fmeasure(y_true, y_pred):
    """The F1 score (``fbeta_score`` with beta 1)."""
    return fbeta_score(y_true, y_pred, beta=1)


# Keras 1 aliases (no 'acc'/'accuracy'/'kld' here: see the module docstring).
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
cosine = cosine_proximity
fscore = f1score = fmeasure

_METRICS = {f.__name__: f for f in (
    binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, mean_squared_error, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_logarithmic_error, hinge, squared_hinge,
    categorical_crossentropy, sparse_categorical_crossentropy, binary_crossentropy,
    kullback_leibler_divergence, poisson, cosine_proximity, matthews_correlation, precision,
    recall, fbeta_score, fmeasure)}
_METRICS.update(mse=mse, MSE=MSE, mae=mae, MAE=MAE, mape=mape, MAPE=MAPE, msle=msle, MSLE=MSLE,
                cosine=cosine, fscore=fscore, f1score=f1score)


def get(identifier):
    """A metric by name (aliases included); callables pass through."""
    return get_function(identifier, _METRICS, "metric", " f(y_true, y_pred)")
