"""Embedding: turn integer indices into dense vectors (Keras 1.2.2 ``Embedding``)."""
from __future__ import annotations

import numpy as np

from .. import backend as K
from ..autodiff import Tensor
from ..engine.topology import Layer
from .core import (
    check_positive_int,
    config_of,
    get_constraint,
    get_initializer,
    get_regularizer,
    name_of,
)

__all__ = ["Embedding"]


class Embedding(Layer):
    """Look up row ``x[b, t]`` of the weight matrix ``W (input_dim, output_dim)``.

    Input shape ``(None, input_length)`` of integer indices (cast to int);
    output shape ``(None, input_length, output_dim)``.  The lookup is Tensor indexing,
    whose backward scatter-adds, so a word used twice gets both gradients.

    * ``mask_zero=True``: index 0 is padding; the output mask is ``x != 0``.
    * ``dropout=p`` (training only): whole rows of ``W`` are dropped (one keep/drop
      decision per word of the vocabulary, survivors scaled by ``1 / (1 - p)``).

    >>> import numpy as np
    >>> emb = Embedding(10, 3, input_length=4)
    >>> emb(Tensor(np.array([[1, 2, 2, 0]]))).shape
    (1, 4, 3)
    """

    def __init__(self, input_dim, output_dim, init="uniform", input_length=None,
                 W_regularizer=None, activity_regularizer=None, W_constraint=None,
                 mask_zero=False, weights=None, dropout=0.0, **kwargs):
        self.input_dim = check_positive_int(input_dim, "input_dim", "Embedding")
        self.output_dim = check_positive_int(output_dim, "output_dim", "Embedding")
        self.init = get_initializer(init)
        self.input_length = input_length
        self.mask_zero = mask_zero
        self.dropout = dropout
        self.W_constraint = get_constraint(W_constraint)
        self.W_regularizer = get_regularizer(W_regularizer)
        self.activity_regularizer = get_regularizer(activity_regularizer)
        if 0.0 < self.dropout < 1.0:
            self.uses_learning_phase = True
        self.initial_weights = weights
        # 1.2.2 always declares the input; a user batch_input_shape still wins
        kwargs["input_shape"] = (self.input_length,)
        kwargs["input_dtype"] = "int32"
        super().__init__(**kwargs)

    def build(self, input_shape) -> None:
        self.W = self.add_weight((self.input_dim, self.output_dim), self.init,
                                 name=f"{self.name}_W", regularizer=self.W_regularizer,
                                 constraint=self.W_constraint)

    def get_output_shape_for(self, input_shape):
        length = self.input_length or input_shape[1]
        return (input_shape[0], length, self.output_dim)

    def compute_mask(self, x, mask=None):
        if not self.mask_zero:
            return None
        data = x.data if isinstance(x, Tensor) else np.asarray(x)
        return Tensor(data != 0)

    def _indices(self, x) -> np.ndarray:
        data = x.data if isinstance(x, Tensor) else np.asarray(x)
        idx = data.astype(np.int64, copy=False) if data.dtype.kind != "i" else data
        if idx.size and (idx.min() < 0 or idx.max() >= self.input_dim):
            bad = idx.max() if idx.max() >= self.input_dim else idx.min()
            raise ValueError(f"{self.name}: index {int(bad)} is out of range for an Embedding "
                             f"with input_dim={self.input_dim} (valid: 0..{self.input_dim - 1})")
        return idx

    def call(self, x, mask=None):
        idx = self._indices(x)
        out = self.W[idx]
        if 0.0 < self.dropout < 1.0 and K.learning_phase() == 1:
            # Dropping row w of W for every occurrence == scaling the gathered rows by
            # the keep mask gathered the same way (cheaper than touching all of W).
            keep = np.random.random_sample(self.input_dim) >= self.dropout
            scale = (keep / (1.0 - self.dropout)).astype(out.dtype)
            out = out * scale[idx][..., None]
        return out

    def get_config(self) -> dict:
        config = {"input_dim": self.input_dim, "output_dim": self.output_dim,
                  "init": name_of(self.init), "input_length": self.input_length,
                  "mask_zero": self.mask_zero,
                  "activity_regularizer": config_of(self.activity_regularizer),
                  "W_regularizer": config_of(self.W_regularizer),
                  "W_constraint": config_of(self.W_constraint), "dropout": self.dropout}
        return {**super().get_config(), **config}
