"""Noise layers (regularization): active only in training steps, identity at test time.
Shapes unchanged; masks pass through.  Noise comes from numpy's global generator,
so ``np.random.seed`` makes it reproducible."""
from __future__ import annotations

import numpy as np

from .. import backend as K
from ..engine.topology import Layer


class GaussianNoise(Layer):
    """Add zero-mean Gaussian noise of standard deviation ``sigma`` while training."""

    def __init__(self, sigma, **kwargs):
        if sigma < 0:
            raise ValueError(f"GaussianNoise: `sigma` must be >= 0, got {sigma!r}")
        self.sigma = sigma
        self.supports_masking = True
        self.uses_learning_phase = True
        super().__init__(**kwargs)

    def call(self, x, mask=None):
        def noisy():
            return x + np.random.normal(0.0, self.sigma, size=x.shape).astype(x.dtype)
        return K.in_train_phase(noisy, x)

    def get_config(self) -> dict:
        return {**super().get_config(), "sigma": self.sigma}


class GaussianDropout(Layer):
    """Multiply by Gaussian noise of mean 1 and standard deviation ``sqrt(p / (1 - p))``
    while training (only when ``0 < p < 1``)."""

    def __init__(self, p, **kwargs):
        if not 0.0 <= p < 1.0:
            raise ValueError(f"GaussianDropout: `p` must be in [0, 1), got {p!r}")
        self.p = p
        self.supports_masking = True
        self.uses_learning_phase = 0.0 < p < 1.0
        super().__init__(**kwargs)

    def call(self, x, mask=None):
        if not 0.0 < self.p < 1.0:
            return x
        std = np.sqrt(self.p / (1.0 - self.p))

        def noisy():
            return x * np.random.normal(1.0, std, size=x.shape).astype(x.dtype)
        return K.in_train_phase(noisy, x)

    def get_config(self) -> dict:
        return {**super().get_config(), "p": self.p}


__all__ = ["GaussianDropout", "GaussianNoise"]
