"""Layer wrappers of Keras 1.2.2: TimeDistributed and Bidirectional."""
from __future__ import annotations

import copy

from ..autodiff import functional as F
from ..engine.topology import InputSpec, Layer

__all__ = ["Bidirectional", "TimeDistributed", "Wrapper"]


class Wrapper(Layer):
    """A layer that runs another layer (``self.layer``) and owns no weights of its own:
    its weights, losses and constraints are the wrapped layer's."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise TypeError(f"{type(self).__name__} wraps a layer instance, got "
                            f"{type(layer).__name__}: {layer!r}")
        self.layer = layer
        self.uses_learning_phase = getattr(layer, "uses_learning_phase", False)
        super().__init__(**kwargs)

    def inner_layers(self) -> list:
        return [self.layer]

    @property
    def trainable_weights(self) -> list:
        if not self.trainable:
            return []
        return [w for la in self.inner_layers() for w in la.trainable_weights]

    @trainable_weights.setter
    def trainable_weights(self, weights) -> None:  # the base __init__ assigns []; ignore
        pass

    @property
    def non_trainable_weights(self) -> list:
        weights = [w for la in self.inner_layers() for w in la.non_trainable_weights]
        if self.trainable:
            return weights
        return [w for la in self.inner_layers() for w in la.trainable_weights] + weights

    @non_trainable_weights.setter
    def non_trainable_weights(self, weights) -> None:
        pass

    @property
    def constraints(self) -> dict:
        merged = {}
        for la in self.inner_layers():
            merged.update(la.constraints)
        return merged

    @constraints.setter
    def constraints(self, value) -> None:
        pass

    @property
    def losses(self) -> list:
        inner = [loss for la in self.inner_layers() for loss in la.losses]
        return inner + list(self._activity_losses)

    @property
    def updates(self) -> list:
        """The wrapped layers' ``add_update`` pairs (and the wrapper's own)."""
        return [u for la in self.inner_layers() for u in la.updates] + \
            list(self.__dict__.get("_pass_updates", []))

    @updates.setter
    def updates(self, value) -> None:
        self._assigned_updates = list(value)

    def reset_activity_losses(self) -> None:
        super().reset_activity_losses()
        for la in self.inner_layers():
            la.reset_activity_losses()

    def get_weights(self) -> list:
        return [w for la in self.inner_layers() for w in la.get_weights()]

    def get_config(self) -> dict:
        config = {"layer": {"class_name": type(self.layer).__name__,
                            "config": self.layer.get_config()}}
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from ..utils.layer_utils import layer_from_config
        config = dict(config)
        layer = layer_from_config(config.pop("layer"), custom_objects)
        return cls(layer, **config)


class TimeDistributed(Wrapper):
    """Apply ``layer`` to every timestep (axis 1) of the input independently.

    Input ``(None, T, ...)`` (at least 3D); the wrapped layer sees ``(None, ...)``;
    output ``(None, T) + inner_output_shape[1:]``.  The steps run as one batch of
    ``B * T`` samples (one reshape each way); as in 1.2.2, a fixed batch size
    (``batch_input_shape``) runs a loop over time instead.

    >>> import numpy as np
    >>> from tinygrad_keras import Tensor
    >>> from tinygrad_keras.layers import Dense
    >>> TimeDistributed(Dense(8))(Tensor(np.ones((2, 10, 16), 'float32'))).shape
    (2, 10, 8)
    """

    def __init__(self, layer, **kwargs):
        self.supports_masking = True
        super().__init__(layer, **kwargs)

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        if len(input_shape) < 3:
            raise ValueError(f"{self.name}: TimeDistributed needs an input of at least 3 "
                             f"dimensions (batch, timesteps, ...), got shape {input_shape}")
        self.input_spec = [InputSpec(shape=input_shape)]
        if not self.layer.built:
            self.layer._ensure_built((input_shape[0],) + input_shape[2:])

    def get_output_shape_for(self, input_shape):
        inner = self.layer.get_output_shape_for((input_shape[0],) + tuple(input_shape[2:]))
        return (inner[0], input_shape[1]) + tuple(inner[1:])

    def call(self, x, mask=None):
        """``x``: ``(B, T, ...)`` -> ``(B, T, ...inner output)``."""
        fixed_batch = self.input_spec[0].shape[0] if self.input_spec[0].shape else None
        if fixed_batch:
            y = F.stack([self.layer.call(x[:, t]) for t in range(x.shape[1])], axis=1)
        else:
            batch, steps = x.shape[:2]
            flat = self.layer.call(F.reshape(x, (batch * steps,) + x.shape[2:]))
            y = F.reshape(flat, (batch, steps) + flat.shape[1:])
        regularizer = getattr(self.layer, "activity_regularizer", None)
        if regularizer is not None:
            self.add_loss(regularizer(y))
        return y


class Bidirectional(Wrapper):
    """Run a recurrent layer forwards and a copy of it backwards, then merge.

    ``merge_mode``: 'concat' (default, last axis doubles), 'sum', 'mul', 'ave', or
    None (a list of the two outputs).  With ``return_sequences`` the backward
    output is flipped in time first, so step ``t`` of both lines up.  The copies
    are named ``forward_<name>`` and ``backward_<name>``; weights are the forward
    layer's then the backward layer's (``weights=`` is split in halves).
    """

    MERGE_MODES = ("sum", "mul", "ave", "concat", None)

    def __init__(self, layer, merge_mode="concat", weights=None, **kwargs):
        if merge_mode not in self.MERGE_MODES:
            raise ValueError(f"Bidirectional: invalid merge_mode {merge_mode!r}; it should be "
                             f'one of {{"sum", "mul", "ave", "concat", None}}')
        self.forward_layer = copy.copy(layer)
        if not layer.built:  # the shallow copy must not share weight lists with `layer`
            self.forward_layer._trainable_weights = []
            self.forward_layer._non_trainable_weights = []
            self.forward_layer._regularized = []
            self.forward_layer.constraints = {}
        config = layer.get_config()
        config["go_backwards"] = not config["go_backwards"]
        self.backward_layer = type(layer).from_config(config)
        self.forward_layer.name = "forward_" + layer.name
        self.backward_layer.name = "backward_" + layer.name
        self.merge_mode = merge_mode
        if weights:
            half = len(weights) // 2
            self.forward_layer.initial_weights = weights[:half]
            self.backward_layer.initial_weights = weights[half:]
        self.stateful = getattr(layer, "stateful", False)
        self.return_sequences = getattr(layer, "return_sequences", False)
        self.supports_masking = True
        super().__init__(layer, **kwargs)

    def inner_layers(self) -> list:
        return [self.forward_layer, self.backward_layer]

    def set_weights(self, weights) -> None:
        half = len(weights) // 2
        self.forward_layer.set_weights(weights[:half])
        self.backward_layer.set_weights(weights[half:])

    def build(self, input_shape) -> None:
        for la in self.inner_layers():
            la._ensure_built(input_shape)

    def get_output_shape_for(self, input_shape):
        shape = tuple(self.forward_layer.get_output_shape_for(input_shape))
        if self.merge_mode == "concat":
            return shape[:-1] + (shape[-1] * 2,)
        if self.merge_mode is None:
            return [shape, shape]
        return shape

    def compute_mask(self, x, mask=None):
        if not self.return_sequences:
            return None
        return [mask, mask] if self.merge_mode is None else mask

    def call(self, x, mask=None):
        y = self.forward_layer.call(x, mask)
        y_rev = self.backward_layer.call(x, mask)
        if self.return_sequences:
            y_rev = F.flip(y_rev, axis=1)
        if self.merge_mode == "concat":
            return F.concatenate([y, y_rev], axis=-1)
        if self.merge_mode == "sum":
            return y + y_rev
        if self.merge_mode == "ave":
            return (y + y_rev) * 0.5
        if self.merge_mode == "mul":
            return y * y_rev
        return [y, y_rev]

    def reset_states(self) -> None:
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    def get_config(self) -> dict:
        return {**super().get_config(), "merge_mode": self.merge_mode}
