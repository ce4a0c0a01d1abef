"""``BatchNormalization`` (Keras 1.2.2: modes 0, 1 and 2, four weights)."""
from __future__ import annotations

from .. import backend as K
from ..autodiff import no_grad
from ..engine.topology import InputSpec, Layer
from ._common import config_of, get_regularizer


class BatchNormalization(Layer):
    """Normalize activations, then scale by ``gamma`` and shift by ``beta``.

    Input: any shape; ``axis`` is the feature axis (``-1``; use ``axis=1`` for
    'th' image feature maps).  Output: the same shape.  Masks pass through.

    * ``mode=0``: training steps use the batch mean and (biased) variance over all
      axes but ``axis`` and move the running statistics toward them
      (``running = momentum * running + (1 - momentum) * batch``); other passes use
      the running statistics.
    * ``mode=1``: per sample over the last axis,
      ``gamma * (x - m) / (sqrt(var + epsilon) + epsilon) + beta``.
    * ``mode=2``: batch statistics always; the running statistics are not used.

    Weights, in order: ``gamma``, ``beta`` (trainable), ``running_mean``,
    ``running_std`` (not trainable), each ``(input_shape[axis],)``.  As in 1.2.2,
    ``running_std`` holds a moving average of the batch *variance*.

    >>> import numpy as np
    >>> from tinygrad_keras import Tensor
    >>> from tinygrad_keras import backend as K
    >>> bn = BatchNormalization(momentum=0.5)
    >>> K.set_learning_phase(1)
    >>> y = bn(Tensor(np.array([[1.0], [3.0]], dtype='float32')))
    >>> K.set_learning_phase(0)
    >>> [round(float(v), 4) for v in y.data.ravel()], bn.get_weights()[2:]
    ([-0.9995, 0.9995], [array([1.], dtype=float32), array([1.], dtype=float32)])
    """

    def __init__(self, epsilon=1e-3, mode=0, axis=-1, momentum=0.99, weights=None,
                 beta_init="zero", gamma_init="one", gamma_regularizer=None,
                 beta_regularizer=None, **kwargs):
        if mode not in (0, 1, 2):
            raise ValueError(f"BatchNormalization: `mode` must be 0, 1 or 2, got {mode!r}")
        self.supports_masking = True
        self.beta_init, self.gamma_init = beta_init, gamma_init
        self.epsilon, self.mode, self.axis, self.momentum = epsilon, mode, axis, momentum
        self.gamma_regularizer = get_regularizer(gamma_regularizer)
        self.beta_regularizer = get_regularizer(beta_regularizer)
        self.initial_weights = weights
        self.uses_learning_phase = mode == 0
        super().__init__(**kwargs)

    def build(self, input_shape) -> None:
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError(f"{self.name}: axis={self.axis} is out of range for input shape "
                             f"{tuple(input_shape)}")
        size = input_shape[self.axis]
        if size is None:
            raise ValueError(f"{self.name}: the size of axis {self.axis} must be known, got "
                             f"input shape {tuple(input_shape)}")
        self.input_spec = [InputSpec(shape=tuple(input_shape))]
        shape = (size,)
        self.gamma = self.add_weight(shape, self.gamma_init, name=f"{self.name}_gamma",
                                     regularizer=self.gamma_regularizer)
        self.beta = self.add_weight(shape, self.beta_init, name=f"{self.name}_beta",
                                    regularizer=self.beta_regularizer)
        self.running_mean = self.add_weight(shape, "zero", name=f"{self.name}_running_mean",
                                            trainable=False)
        self.running_std = self.add_weight(shape, "one", name=f"{self.name}_running_std",
                                           trainable=False)

    def _param_shape(self, ndim: int) -> tuple:
        """Shape that broadcasts a ``(features,)`` vector along ``axis``."""
        shape = [1] * ndim
        shape[self.axis] = -1
        return tuple(shape)

    def call(self, x, mask=None):
        if self.mode == 1:
            return self._per_sample(x)
        axes = tuple(i for i in range(x.ndim) if i != self.axis % x.ndim)
        if self.mode == 2:
            return self._with_batch_stats(x, axes)
        return K.in_train_phase(lambda: self._train_step(x, axes), lambda: self._inference(x))

    def _per_sample(self, x):
        mean = x.mean(axis=-1, keepdims=True)
        centred = x - mean
        std = ((centred * centred).mean(axis=-1, keepdims=True) + self.epsilon).sqrt()
        return self.gamma * (centred / (std + self.epsilon)) + self.beta

    def _batch_moments(self, x, axes):
        mean = x.mean(axis=axes, keepdims=True)
        centred = x - mean
        return centred, mean, (centred * centred).mean(axis=axes, keepdims=True)

    def _scale_shift(self, normed, ndim):
        shape = self._param_shape(ndim)
        return normed * self.gamma.reshape(shape) + self.beta.reshape(shape)

    def _with_batch_stats(self, x, axes):
        centred, _, var = self._batch_moments(x, axes)
        return self._scale_shift(centred / (var + self.epsilon).sqrt(), x.ndim)

    def _train_step(self, x, axes):
        centred, mean, var = self._batch_moments(x, axes)
        self._update_running(mean, var)
        return self._scale_shift(centred / (var + self.epsilon).sqrt(), x.ndim)

    def _update_running(self, mean, var) -> None:
        """Move the running statistics toward this batch's (a state update, no gradient)."""
        with no_grad():
            m = self.momentum
            new_mean = self.running_mean * m + mean.detach().reshape(-1) * (1.0 - m)
            new_var = self.running_std * m + var.detach().reshape(-1) * (1.0 - m)
        K.set_value(self.running_mean, new_mean.data)
        K.set_value(self.running_std, new_var.data)

    def _inference(self, x):
        # gamma * (x - mean) / sqrt(var + eps) + beta, folded into one scale and one shift
        # per feature: two passes over x instead of four (a third of ResNet50's inference)
        shape = self._param_shape(x.ndim)
        scale = self.gamma / (self.running_std.detach() + self.epsilon).sqrt()
        shift = self.beta - self.running_mean.detach() * scale
        return x * scale.reshape(shape) + shift.reshape(shape)

    def get_config(self) -> dict:
        config = {"epsilon": self.epsilon, "mode": self.mode, "axis": self.axis,
                  "gamma_regularizer": config_of(self.gamma_regularizer),
                  "beta_regularizer": config_of(self.beta_regularizer),
                  "momentum": self.momentum}
        return {**super().get_config(), **config}


__all__ = ["BatchNormalization"]
