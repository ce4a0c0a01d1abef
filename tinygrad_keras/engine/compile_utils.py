"""What ``compile`` works out: per-output losses, loss weights and metrics.

Keras 1.2.2 rules (spec 4.1-4.2): ``loss``/``loss_weights``/``metrics`` may be
one value for every output, a list in output order, or a dict keyed by output
layer name; ``'accuracy'``/``'acc'`` picks binary, sparse or categorical
accuracy from the output's last dimension and its loss, and is reported as
``acc``; other metrics are reported under their function's ``__name__``; a
metric returning a dict contributes one entry per key.
"""
from __future__ import annotations

import numpy as np

from .. import backend as K
from .. import objectives
from ..autodiff import Tensor, no_grad
from .training_utils import slice_X


def per_output_values(value, output_names: list, what: str, default=None) -> list:
    """``value`` spread over the outputs (dict by name / list / one shared value)."""
    if isinstance(value, dict):
        unknown = [k for k in value if k not in output_names]
        if unknown:
            raise ValueError(f"Unknown entry in {what} dictionary: {unknown[0]!r}. Only "
                             f"expected the following keys: {output_names}")
        if default is None and what == "loss":
            missing = [n for n in output_names if n not in value]
            if missing:
                raise ValueError(f"Output {missing[0]!r} missing from loss dictionary "
                                 f"{sorted(value)}")
        return [value.get(n, default) for n in output_names]
    if isinstance(value, (list, tuple)) and what != "metrics":
        if len(value) != len(output_names):
            raise ValueError(f"When passing a list as {what}, it should have one entry per "
                             f"model output. The model has {len(output_names)} outputs "
                             f"({output_names}), but you passed {what}={list(value)!r}")
        return list(value)
    return [value if value is not None else default for _ in output_names]


def resolve_losses(loss, output_names: list) -> list:
    return [objectives.get(v) for v in per_output_values(loss, output_names, "loss")]


def is_library_loss(fn) -> bool:
    """True for the functions of ``objectives`` (their targets are shape-checked)."""
    return getattr(objectives, getattr(fn, "__name__", ""), None) is fn


def accuracy_for(loss_fn, output_shape) -> callable:
    """The accuracy function Keras 1.2.2 pairs with ``loss_fn`` on this output."""
    from .. import metrics
    if output_shape[-1] == 1 or loss_fn is objectives.binary_crossentropy:
        return metrics.binary_accuracy
    if loss_fn is objectives.sparse_categorical_crossentropy:
        return metrics.sparse_categorical_accuracy
    return metrics.categorical_accuracy


def _probe_dict_keys(fn, output_shape) -> list | None:
    """Keys of a metric that returns a dict, found by one call on dummy data (else None)."""
    shape = tuple(2 if d is None else d for d in output_shape)
    y_true = Tensor(np.zeros(shape, dtype=K.floatx()))
    y_pred = Tensor(np.full(shape, 0.5, dtype=K.floatx()))
    try:
        with no_grad(), np.errstate(all="ignore"):
            result = fn(y_true, y_pred)
    except Exception:  # noqa: BLE001 - any metric failing on dummy data is single-valued
        return None
    return list(result) if isinstance(result, dict) else None


def resolve_metrics(metrics, output_names: list, output_shapes: list, loss_fns: list) -> list:
    """Per output, a list of ``(fn, names)``: names has one entry, or the dict's keys."""
    from .. import metrics as metrics_module
    if metrics is None:
        metrics = []
    if not isinstance(metrics, (list, tuple, dict)):
        raise TypeError(f"`metrics` should be a list or a dict keyed by output name, got "
                        f"{metrics!r}")
    nested = per_output_values(metrics, output_names, "metrics", default=[])
    result = []
    for output_metrics, shape, loss_fn in zip(nested, output_shapes, loss_fns):
        entries = []
        for m in (output_metrics if isinstance(output_metrics, (list, tuple))
                  else [output_metrics]):
            if m in ("accuracy", "acc"):
                entries.append((accuracy_for(loss_fn, shape), ["acc"]))
                continue
            fn = metrics_module.get(m)
            keys = _probe_dict_keys(fn, shape)
            entries.append((fn, keys if keys is not None else [fn.__name__]))
        result.append(entries)
    return result


def metrics_names(output_names: list, resolved_metrics: list) -> list:
    """``['loss', <out>_loss ..., metric labels ...]`` as in Keras 1.2.2."""
    names = ["loss"]
    multi = len(output_names) > 1
    if multi:
        names += [f"{n}_loss" for n in output_names]
    for out_name, entries in zip(output_names, resolved_metrics):
        for _, labels in entries:
            names += [f"{out_name}_{label}" if multi else label for label in labels]
    return names


def deduplicate(labels: list) -> list:
    """Labels repeated k > 1 times get ``_1`` ... ``_k`` (all occurrences), as ``fit`` logs."""
    counts = {label: labels.count(label) for label in labels}
    seen: dict = {}
    result = []
    for label in labels:
        if counts[label] > 1:
            seen[label] = seen.get(label, 0) + 1
            result.append(f"{label}_{seen[label]}")
        else:
            result.append(label)
    return result


_UNIT_WEIGHTS: dict = {}


def unit_weights(shape: tuple) -> np.ndarray:
    """Read-only float64 ones of ``shape``: a batch's default sample weights, the same array
    from batch to batch, so that :func:`weighted_loss` knows them without reading them."""
    w = _UNIT_WEIGHTS.get(shape)
    if w is None:
        if len(_UNIT_WEIGHTS) >= 64:  # many batch shapes: start again, never grow
            _UNIT_WEIGHTS.clear()
        w = _UNIT_WEIGHTS[shape] = np.ones(shape)
        w.flags.writeable = False
    return w


def is_unit_weights(weights) -> bool:
    """Whether ``weights`` is an array made by :func:`unit_weights` (all ones, read-only)."""
    return type(weights) is np.ndarray and weights is _UNIT_WEIGHTS.get(weights.shape)


def slice_weights(weights: list, start, stop=None) -> list:
    """``training_utils.slice_X`` of sample weights (a batch of ``fit``/``evaluate``, a
    validation split): default weights stay default (:func:`unit_weights` of the new shape)."""
    result = []
    for w in weights:
        if is_unit_weights(w):
            n = len(start) if hasattr(start, "__len__") else len(range(len(w))[start:stop])
            result.append(unit_weights((n,) + w.shape[1:]))
        else:
            result.append(slice_X(w, start, stop))
    return result


def weighted_loss(fn, y_true: Tensor, y_pred: Tensor, weights: np.ndarray, mask=None) -> Tensor:
    """Scalar loss of one output: masked, averaged to the weights' rank, weighted.

    ``fn(y_true, y_pred)`` gives per-sample (or per-timestep) values; a mask
    rescales by its mean; ``weights`` (``(B,)`` or ``(B, T)``) multiply and the
    result is divided by the fraction of non-zero weights, then averaged.  With the
    default weights (:func:`unit_weights`) and no mask, the library's
    ``categorical_crossentropy`` and its mean are one node (the same numbers).
    """
    unit = is_unit_weights(weights)
    if (unit and mask is None and type(y_true) is Tensor and type(y_pred) is Tensor
            and y_pred.ndim == weights.ndim + 1 and fn is objectives.categorical_crossentropy):
        # the commonest loss with default weights: its mean over the batch is one node
        fused = objectives._mean_categorical_crossentropy(y_true, y_pred)
        if fused is not None:
            return fused
    score = fn(y_true, y_pred)
    if not isinstance(score, Tensor):
        score = Tensor(np.asarray(score, dtype=y_pred.dtype))
    if mask is not None:
        m = np.asarray(mask.data if isinstance(mask, Tensor) else mask).astype(y_pred.dtype)
        score = score * m
        score = score / float(m.mean())
    w = weights if unit else np.asarray(weights, dtype=y_pred.dtype)
    if score.ndim > w.ndim:
        score = score.mean(axis=tuple(range(w.ndim, score.ndim)))
    if w.ndim == score.ndim and (unit or bool((w == 1).all())):
        # the default weights: multiplying and dividing by 1 changes no bit, and skipping
        # them saves two recorded ops per batch (a tenth of a small model's step)
        return score.mean()
    if unit:
        w = np.asarray(weights, dtype=y_pred.dtype)
    score = score * w
    nonzero = float(np.mean(w != 0))
    return (score / nonzero).mean() if nonzero > 0 else score.mean()


def metric_values(entries: list, y_true: Tensor, y_pred: Tensor) -> list:
    """Float value of each metric label of one output (dict metrics in key order)."""
    values = []
    for fn, labels in entries:
        out = fn(y_true, y_pred)
        if isinstance(out, dict):
            values += [_as_float(out[label]) for label in labels]
        else:
            values.append(_as_float(out))
    return values


def _as_float(value) -> float:
    if isinstance(value, Tensor):
        value = value.data
    try:
        return float(np.mean(value))
    except (TypeError, ValueError):
        return float("nan")  # a placeholder value (the guide's `...`) has no number
