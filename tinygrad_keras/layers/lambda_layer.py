"""``Lambda``: wrap any function of Tensors as a layer (``keras.layers.core.Lambda``)."""
from __future__ import annotations

from ..engine.topology import Layer
from ._common import (
    accepts_mask,
    deserialize_function,
    infer_output_shape,
    serialize_function,
)


class Lambda(Layer):
    """``y = function(x, **arguments)`` (plus ``mask=`` if the function takes one).

    ``x`` is a list when the layer is called on a list.  ``output_shape``:

    * ``None``: worked out by running ``function`` on small dummy inputs (an axis
      whose size changes with an unknown input axis is reported as ``None``);
    * a tuple: the shape without the batch axis;
    * a callable: ``input_shape -> output_shape``, batch axis included.

    >>> from tinygrad_keras import Tensor
    >>> Lambda(lambda x: x * 2, output_shape=(3,))(Tensor([[1.0, 2.0, 3.0]])).tolist()
    [[2.0, 4.0, 6.0]]

    Config: functions are stored by name only (never as code) and are rebuilt
    from ``custom_objects``; a lambda cannot be rebuilt (the error says so).
    """

    def __init__(self, function, output_shape=None, arguments=None, **kwargs):
        if not callable(function):
            raise TypeError(f"Lambda: `function` must be callable, got {function!r}")
        self.function = function
        self.arguments = dict(arguments or {})
        self.supports_masking = False
        if output_shape is not None and not callable(output_shape):
            output_shape = tuple(output_shape)
        self._output_shape = output_shape
        super().__init__(**kwargs)

    def call(self, x, mask=None):
        arguments = dict(self.arguments)
        if accepts_mask(self.function):
            arguments["mask"] = mask
        return self.function(x, **arguments)

    def get_output_shape_for(self, input_shape):
        if self._output_shape is None:
            return infer_output_shape(self.call, input_shape, f"Lambda layer {self.name}")
        if callable(self._output_shape):
            shape = self._output_shape(input_shape)
            if not isinstance(shape, (tuple, list)):
                raise TypeError(f"{self.name}: the `output_shape` function must return a tuple "
                                f"or list, got {shape!r}")
            return tuple(shape) if not isinstance(shape[0], (tuple, list)) else \
                [tuple(s) for s in shape]
        batch = input_shape[0][0] if isinstance(input_shape, list) else input_shape[0]
        return (batch,) + self._output_shape

    def get_config(self) -> dict:
        function, function_type = serialize_function(self.function)
        output_shape, output_shape_type = serialize_function(self._output_shape)
        config = {"function": function, "function_type": function_type,
                  "output_shape": output_shape, "output_shape_type": output_shape_type,
                  "arguments": self.arguments}
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        name = config.get("name", "lambda")
        config["function"] = deserialize_function(
            config["function"], config.pop("function_type", "function"), custom_objects,
            f"Lambda layer {name} `function`")
        config["output_shape"] = deserialize_function(
            config.get("output_shape"), config.pop("output_shape_type", "raw"), custom_objects,
            f"Lambda layer {name} `output_shape`")
        return cls(**config)


__all__ = ["Lambda"]
