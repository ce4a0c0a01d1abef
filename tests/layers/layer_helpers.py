"""Helpers for layer tests: gradient checks through a layer's inputs and weights."""
from __future__ import annotations

import numpy as np

from tinygrad_keras import backend as K
from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.autodiff.gradcheck import gradcheck


def to_float64(layer) -> None:
    """Switch a built layer's weights to float64 (gradchecks run in float64)."""
    for w in layer.weights:
        w.data = w.data.astype(np.float64)


def _weight_attributes(layer) -> list:
    """For each trainable weight, the attribute names of ``layer`` that hold it."""
    return [[k for k, v in vars(layer).items() if v is w] for w in layer.trainable_weights]


def layer_gradcheck(layer, *inputs, phase: int = 0, check_weights: bool = True,
                    reseed: int | None = None) -> bool:
    """gradcheck of ``layer.call`` with respect to its inputs and trainable weights.

    ``inputs`` are float64 arrays (several for a Merge).  The layer is built on
    them first; during the check its weight attributes point at gradcheck's copies.
    ``reseed`` reseeds numpy's generator before every call, so that layers drawing
    noise (dropout in training) compute the same function each time.
    """
    arrays = [np.asarray(x, dtype=np.float64) for x in inputs]
    tensors = [Tensor(a) for a in arrays]
    layer(tensors if len(tensors) > 1 else tensors[0])
    to_float64(layer)
    attrs = _weight_attributes(layer) if check_weights else []
    params = [Tensor(w.data, requires_grad=True) for w in layer.trainable_weights][:len(attrs)]
    n = len(arrays)

    def fn(*ts):
        xs, ps = list(ts[:n]), ts[n:]
        saved = {k: getattr(layer, k) for names in attrs for k in names}
        for names, p in zip(attrs, ps):
            for k in names:
                setattr(layer, k, p)
        previous = K.learning_phase()
        K.set_learning_phase(phase)
        if reseed is not None:
            np.random.seed(reseed)
        try:
            return layer.call(xs if n > 1 else xs[0])
        finally:
            K.set_learning_phase(previous)
            for k, v in saved.items():
                setattr(layer, k, v)

    return gradcheck(fn, *[Tensor(a, requires_grad=True) for a in arrays], *params)
