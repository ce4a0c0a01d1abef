"""Backend neural-network functions: activations, dropout, normalisation, crossentropies.

All compose Tensor operations (no gradient code here).  Numerically delicate
ones are written so that they never overflow: softplus and the logit
crossentropies use ``max(x, 0) + log(1 + exp(-|x|))``, softmax and log-softmax
are the max-shifted primitives, and probability crossentropies clip to
``[eps, 1 - eps]``.
The crossentropies take ``(output, target)``, the Keras 1 order.
"""
from __future__ import annotations

import numpy as np

from .. import backend as K
from ..autodiff import Tensor
from ..autodiff import functional as F
from ..autodiff.ops import fused as FU
from . import to_tensor

__all__ = [
    "batch_normalization",
    "binary_crossentropy",
    "categorical_crossentropy",
    "dropout",
    "elu",
    "hard_sigmoid",
    "in_top_k",
    "l2_normalize",
    "log_softmax",
    "normalize_batch_in_training",
    "relu",
    "sigmoid",
    "softmax",
    "softplus",
    "softsign",
    "sparse_categorical_crossentropy",
    "tanh",
]


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else to_tensor(x)  # to_tensor: KerasTensors in losses


# ---- activations ---------------------------------------------------------------------
def relu(x, alpha=0.0, max_value=None) -> Tensor:
    """``max(x, 0)``, capped at ``max_value`` if given, minus ``alpha * max(-x, 0)`` (leaky)."""
    x = _t(x)
    out = F.relu(x)
    if max_value is not None:
        out = F.clip(out, 0.0, max_value)
    if alpha:
        out = out - alpha * F.relu(-x)
    return out


def elu(x, alpha=1.0) -> Tensor:
    """``x`` for ``x > 0`` else ``alpha * (exp(x) - 1)``.

    ``exp`` sees ``min(x, 0)``, so large positive inputs never overflow in the
    branch that is thrown away (an inf there would turn its zero gradient into NaN).
    """
    x = _t(x)
    negative = alpha * (F.exp(F.minimum(x, 0.0)) - 1.0)
    return F.where(x.data > 0, x, negative)


def softmax(x, axis: int = -1) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis`` (max-shifted, so it never overflows)."""
    return F.softmax(_t(x), axis=axis)


def log_softmax(x, axis: int = -1) -> Tensor:
    """``log(softmax(x))`` along ``axis``, max-shifted (never ``log(0)``)."""
    return F.log_softmax(_t(x), axis=axis)


def softplus(x) -> Tensor:
    """``log(1 + exp(x))`` as ``max(x, 0) + log(1 + exp(-|x|))`` (no overflow).

    ``maximum`` splits the gradient at a tie, so softplus'(0) is the correct 0.5.
    """
    x = _t(x)
    return F.maximum(x, 0.0) + F.log(1.0 + F.exp(-F.abs(x)))


def softsign(x) -> Tensor:
    """``x / (1 + |x|)``."""
    x = _t(x)
    return x / (1.0 + F.abs(x))


def sigmoid(x) -> Tensor:
    """``1 / (1 + exp(-x))`` (a primitive that never overflows)."""
    return F.sigmoid(_t(x))


def hard_sigmoid(x) -> Tensor:
    """``clip(0.2 x + 0.5, 0, 1)``: 0 below -2.5, 1 above 2.5."""
    return F.clip(_t(x) * 0.2 + 0.5, 0.0, 1.0)


def tanh(x) -> Tensor:
    return F.tanh(_t(x))


# ---- regularisation and normalisation -------------------------------------------------
def dropout(x, level: float, noise_shape=None, seed=None) -> Tensor:
    """Inverted dropout: zero each entry with probability ``level``, scale the rest by
    ``1 / (1 - level)`` so the expected value is unchanged.  ``noise_shape`` (broadcastable
    to ``x.shape``) shares one draw along its size-1 axes."""
    if not 0.0 <= level < 1.0:
        raise ValueError(f"dropout level must be in [0, 1), got {level}")
    x = _t(x)
    rng = np.random if seed is None else np.random.RandomState(seed)
    shape = x.shape if noise_shape is None else tuple(noise_shape)
    keep = rng.uniform(0.0, 1.0, size=shape) < 1.0 - level
    return x * (keep / (1.0 - level)).astype(x.dtype)


def batch_normalization(x, mean, var, beta, gamma, epsilon: float = 1e-3) -> Tensor:
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta`` (all broadcast against ``x``)."""
    x = _t(x)
    return (x - mean) / F.sqrt(var + epsilon) * gamma + beta


def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon: float = 1e-3):
    """Normalise ``x`` by its own mean and (population) variance over ``reduction_axes``;
    returns ``(normed, mean, var)``, the statistics with the reduced axes removed."""
    x = _t(x)
    axes = tuple(reduction_axes)
    mean = x.mean(axis=axes, keepdims=True)
    var = F.square(x - mean).mean(axis=axes, keepdims=True)
    normed = batch_normalization(x, mean, var, beta, gamma, epsilon)
    kept = tuple(n for i, n in enumerate(x.shape) if i not in {a % x.ndim for a in axes})
    return normed, F.reshape(mean, kept), F.reshape(var, kept)


def l2_normalize(x, axis: int) -> Tensor:
    """``x / sqrt(max(sum(x**2, axis), 1e-12))``."""
    x = _t(x)
    return x / F.sqrt(F.maximum(F.square(x).sum(axis=axis, keepdims=True), 1e-12))


def in_top_k(predictions, targets, k: int) -> Tensor:
    """Boolean ``(B,)``: is each target class among the ``k`` highest predictions?

    Ties count in the target's favour (as TensorFlow's ``in_top_k``): a class is
    in the top k when fewer than k classes score strictly higher.
    """
    p = _t(predictions).data
    t = np.asarray(_t(targets).data).astype(np.int64).reshape(-1)
    target_score = p[np.arange(len(t)), t]
    return Tensor((p > target_score[:, None]).sum(axis=-1) < k)


# ---- crossentropies (output, target) -----------------------------------------------------
def binary_crossentropy(output, target, from_logits: bool = False) -> Tensor:
    """Elementwise ``-(t log p + (1 - t) log(1 - p))``.

    Probabilities are clipped to ``[eps, 1 - eps]``; logits use the overflow-free
    ``max(x, 0) - x t + log(1 + exp(-|x|))``.
    """
    output = _t(output)
    target = output._lift(target.data if isinstance(target, Tensor) else target)
    if from_logits:
        return F.maximum(output, 0.0) - output * target + F.log(1.0 + F.exp(-F.abs(output)))
    eps = K.epsilon()
    p = F.clip(output, eps, 1.0 - eps)
    return -(target * F.log(p) + (1.0 - target) * F.log(1.0 - p))


def categorical_crossentropy(output, target, from_logits: bool = False) -> Tensor:
    """``-sum(target * log p)`` over the last axis; shape ``output.shape[:-1]``.

    Without logits the output is renormalised to sum to 1 and clipped to
    ``[eps, 1 - eps]`` (a row summing to exactly 0 is left unscaled so it cannot
    divide 0 by 0); with logits ``log p`` is a max-shifted log-softmax.  The
    probability path is one fused op when output and target have one shape and
    float dtype (the same numbers as :func:`categorical_crossentropy_composite`).
    """
    output = _t(output)
    target = output._lift(target.data if isinstance(target, Tensor) else target)
    if from_logits:
        return -(target * log_softmax(output, axis=-1)).sum(axis=-1)
    if (output.ndim >= 1 and target.shape == output.shape and output.dtype.kind == "f"
            and target.dtype == output.dtype):
        return FU.CategoricalCrossentropy.apply(output, target, eps=K.epsilon())
    return categorical_crossentropy_composite(output, target)


def mean_categorical_crossentropy(output: Tensor, target: Tensor) -> Tensor | None:
    """``mean(categorical_crossentropy(output, target))`` over every sample as one fused
    node (``CategoricalCrossentropy(mean=True)``, the same numbers), or None where the
    fused op does not apply (the caller then takes the mean itself).  The training
    loop's loss with default sample weights (``engine/compile_utils.weighted_loss``)."""
    if (isinstance(output, Tensor) and isinstance(target, Tensor) and output.ndim >= 1
            and target.shape == output.shape and output.dtype.kind == "f"
            and target.dtype == output.dtype):
        return FU.CategoricalCrossentropy.apply(output, target, eps=K.epsilon(), mean=True)
    return None


def categorical_crossentropy_composite(output: Tensor, target: Tensor) -> Tensor:
    """The readable probability path of :func:`categorical_crossentropy` (any shapes that
    broadcast): renormalise, clip, log, weight by the target, sum."""
    total = output.sum(axis=-1, keepdims=True)
    zero_rows = total.data == 0
    if zero_rows.any():  # recorded only when needed: one op fewer per batch otherwise
        total = F.where(zero_rows, 1.0, total)
    eps = K.epsilon()
    p = F.clip(output / total, eps, 1.0 - eps)
    return -(target * F.log(p)).sum(axis=-1)


def sparse_categorical_crossentropy(output, target, from_logits: bool = False) -> Tensor:
    """Crossentropy against integer class ids; shape ``output.shape[:-1]``.

    ``target`` holds one class id per sample (per timestep), as
    ``output.shape[:-1]`` or with a trailing axis of 1.  Without logits the
    clipped probabilities' logs act as logits (Keras 1.2.2 on TensorFlow).
    """
    output = _t(output)
    classes = output.shape[-1]
    ids = _class_ids(target, output.shape, classes)
    logits = output if from_logits else F.log(F.clip(output, K.epsilon(), 1.0 - K.epsilon()))
    onehot = (ids[..., None] == np.arange(classes)).astype(output.dtype)
    return -(log_softmax(logits, axis=-1) * onehot).sum(axis=-1)


def _class_ids(target, output_shape: tuple, classes: int) -> np.ndarray:
    """Integer ids of shape ``output_shape[:-1]``, checked against the class count."""
    ids = np.asarray(target.data if isinstance(target, Tensor) else target)
    batch_shape = tuple(output_shape[:-1])
    if ids.size != int(np.prod(batch_shape)):
        raise ValueError(f"sparse_categorical_crossentropy expects one integer class id per "
                         f"sample, i.e. targets of shape {batch_shape + (1,)}, got {ids.shape}")
    ids = ids.reshape(batch_shape)
    if ids.dtype.kind == "f" and not np.all(ids == np.round(ids)):
        raise ValueError("sparse_categorical_crossentropy expects integer class ids, got "
                         "non-integer values (one-hot targets need categorical_crossentropy)")
    ids = ids.astype(np.int64)
    if ids.size and (ids.min() < 0 or ids.max() >= classes):
        raise ValueError(f"sparse_categorical_crossentropy: class ids must be in [0, {classes}), "
                         f"got values from {ids.min()} to {ids.max()}")
    return ids
