"""``Merge``: combine several tensors into one (sum, mul, concat, ave, max, dot, cos,
or a function), and its functional form ``merge``.

Shapes of the modes (batch axis shown as ``None``):

========  ==========================================  ===============================
mode      inputs                                      output
========  ==========================================  ===============================
sum/mul/  identical shapes                            that shape
ave/max
concat    equal except on ``concat_axis``             sizes added on that axis
dot       two; equal size on the two ``dot_axes``     ``a`` without its dot axis, then
                                                      ``b[1:]`` without its dot axis;
                                                      ``(None, 1)`` if nothing is left
cos       two, identical shapes                       as ``dot``
callable  anything                                    ``output_shape``, or inferred
========  ==========================================  ===============================

Departure from 1.2.2, on purpose: for ``'cos'`` Keras 1.2.2 declares the dot
shape (``(None, 1)`` for 2-D inputs) but computes one more axis (``(None, 1, 1)``).
Here the computed tensor has the declared shape, so the next layer gets what the
model summary says.  For 2-D inputs the values are those of 1.2.2; for 3-D
inputs ``cos`` is the true cosine of every pair of rows (1.2.2's formula there is
not a cosine).

Also beyond 1.2.2: a callable mode without ``output_shape`` gets its shape by a
trial run on dummy inputs (1.2.2 raised), so the quick-start guide's
``Merge([left, right], mode=lambda x: x[0] - x[1])`` works.
"""
from __future__ import annotations

import numpy as np

from .. import backend as K
from ..autodiff import Tensor
from ..autodiff import functional as F
from ..engine.topology import Layer
from ._common import (
    accepts_mask,
    deserialize_function,
    infer_output_shape,
    serialize_function,
)

_MODES = ("sum", "mul", "concat", "ave", "cos", "dot", "max")
_SAME_SHAPE_MODES = ("sum", "mul", "ave", "cos", "max")


def _norm_along(x, axis) -> Tensor:
    """Euclidean norm of ``x`` along ``axis`` (that axis removed)."""
    return (x * x).sum(axis=axis).sqrt()


class Merge(Layer):
    """Merge a list of tensors (or the outputs of layers/models) into one.

    ``Merge([model_a, model_b], mode='concat')`` as the first layer of a Sequential
    merges two branches; ``Merge(mode='sum')([t1, t2])`` works on Keras tensors
    (or, eagerly, on Tensors).  See the module docstring for the shapes.
    ``concat_axis`` and ``dot_axes`` count the batch axis as 0.
    """

    def __init__(self, layers=None, mode="sum", concat_axis=-1, dot_axes=-1, output_shape=None,
                 output_mask=None, arguments=None, node_indices=None, tensor_indices=None,
                 name=None):
        self.layers = layers
        self.mode = mode
        self.concat_axis = concat_axis
        self.dot_axes = dot_axes
        self._output_shape = tuple(output_shape) if isinstance(output_shape, list) \
            else output_shape
        self._output_mask = output_mask
        self.arguments = dict(arguments or {})
        self.supports_masking = True
        super().__init__(name=name)
        if not callable(mode) and mode not in _MODES:
            raise ValueError(f"{self.name}: invalid merge mode {mode!r}; expected one of "
                             f"{', '.join(_MODES)} or a callable")
        if layers is not None:
            self._merge_sources(layers, node_indices, tensor_indices)

    # ---- building on layers/models -------------------------------------------------
    def _merge_sources(self, layers, node_indices, tensor_indices) -> None:
        """Call this Merge on the outputs of ``layers`` (layers or Sequential models)."""
        if not isinstance(layers, (list, tuple)) or len(layers) < 2:
            raise TypeError(f"{self.name}: a Merge needs a list of at least 2 layers or "
                            f"models, got {layers!r}")
        node_indices = node_indices or [0] * len(layers)
        tensor_indices = tensor_indices or [0] * len(layers)
        self(self.source_tensors(layers, node_indices, tensor_indices))

    @staticmethod
    def source_tensors(layers, node_indices, tensor_indices) -> list:
        tensors = []
        for layer, node, index in zip(layers, node_indices, tensor_indices):
            outputs = getattr(layer, "outputs", None)
            if outputs and node == 0:  # a model: its own output tensors
                tensors.append(outputs[index])
            elif layer.inbound_nodes:
                tensors.append(layer.inbound_nodes[node].output_tensors[index])
            else:
                raise ValueError(f"Merge: {layer.name} has no output yet; give the first "
                                 f"layer of a model an input_shape before merging it")
        return tensors

    # ---- validation ---------------------------------------------------------------
    def build(self, input_shape) -> None:
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        if len(shapes) < 2:
            raise TypeError(f"{self.name}: a Merge needs at least 2 inputs, got {len(shapes)}")
        if callable(self.mode):
            return
        shapes = [tuple(s) for s in shapes]
        if self.mode in _SAME_SHAPE_MODES and len(set(shapes)) > 1:
            raise ValueError(f"{self.name}: only inputs of the same shape can be merged with "
                             f"mode '{self.mode}', got shapes {shapes}")
        if self.mode in ("dot", "cos"):
            self._check_dot(shapes)
        if self.mode == "concat":
            self._check_concat(shapes)

    def _check_dot(self, shapes) -> None:
        if len(shapes) != 2:
            raise ValueError(f"{self.name}: mode '{self.mode}' merges exactly 2 inputs, got "
                             f"{len(shapes)} (shapes {shapes})")
        a, b = shapes
        axes = self.dot_axes
        if isinstance(axes, (int, np.integer)):
            axes = [axes % len(a), axes % len(b)] if axes < 0 else [axes, axes]
        axes = [int(d) for d in axes]
        if len(axes) != 2 or not (0 < axes[0] < len(a) and 0 < axes[1] < len(b)):
            raise ValueError(f"{self.name}: dot_axes must name one non-batch axis of each "
                             f"input, got {self.dot_axes} for shapes {shapes}")
        if a[axes[0]] != b[axes[1]]:
            raise ValueError(f"{self.name}: dimension incompatibility using dot mode: "
                             f"{a[axes[0]]} != {b[axes[1]]} (layer shapes {a}, {b}, "
                             f"dot_axes {axes})")
        self.dot_axes = axes

    def _check_concat(self, shapes) -> None:
        ndim = len(shapes[0])
        axis = self.concat_axis % ndim if -ndim <= self.concat_axis < ndim else None
        if axis is None or any(len(s) != ndim for s in shapes):
            raise ValueError(f"{self.name}: concat_axis={self.concat_axis} does not fit the "
                             f"input shapes {shapes}")
        rest = {s[:axis] + s[axis + 1:] for s in shapes}
        if len(rest) > 1:
            raise ValueError(f"{self.name}: 'concat' mode can only merge inputs with matching "
                             f"shapes except for the concat axis {self.concat_axis}, got "
                             f"shapes {shapes}")

    # ---- forward ------------------------------------------------------------------
    def call(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise TypeError(f"{self.name}: a Merge must be called on a list of at least 2 "
                            f"tensors, got {inputs!r}")
        if callable(self.mode):
            arguments = dict(self.arguments)
            if accepts_mask(self.mode):
                arguments["mask"] = mask
            return self.mode(inputs, **arguments)
        return getattr(self, f"_merge_{self.mode}")(list(inputs))

    def _merge_sum(self, xs):
        total = xs[0]
        for x in xs[1:]:
            total = total + x  # a new Tensor each time: inputs are never mutated
        return total

    def _merge_ave(self, xs):
        return self._merge_sum(xs) * (1.0 / len(xs))

    def _merge_mul(self, xs):
        product = xs[0]
        for x in xs[1:]:
            product = product * x
        return product

    def _merge_max(self, xs):
        top = xs[0]
        for x in xs[1:]:
            top = F.maximum(top, x)
        return top

    def _merge_concat(self, xs):
        return F.concatenate(xs, axis=self.concat_axis)

    def _merge_dot(self, xs):
        return K.batch_dot(xs[0], xs[1], self.dot_axes)

    def _merge_cos(self, xs):
        a, b = xs
        norm_a, norm_b = _norm_along(a, self.dot_axes[0]), _norm_along(b, self.dot_axes[1])
        # outer product of the per-row norms, laid out like batch_dot's output
        norms = K.batch_dot(norm_a.reshape(norm_a.shape + (1,)),
                          norm_b.reshape(norm_b.shape + (1,)), [norm_a.ndim, norm_b.ndim])
        return K.batch_dot(a, b, self.dot_axes) / F.maximum(norms, K.epsilon())

    # ---- shapes and masks --------------------------------------------------------------
    def get_output_shape_for(self, input_shape):
        shapes = [tuple(s) for s in input_shape]
        if callable(self.mode):
            return self._callable_output_shape(shapes)
        if self.mode in ("sum", "mul", "ave", "max"):
            return shapes[0]
        if self.mode == "concat":
            axis = self.concat_axis % len(shapes[0])
            sizes = [s[axis] for s in shapes]
            total = None if any(d is None for d in sizes) else sum(sizes)
            return shapes[0][:axis] + (total,) + shapes[0][axis + 1:]
        a, b = list(shapes[0]), list(shapes[1])
        a.pop(self.dot_axes[0])
        b.pop(self.dot_axes[1])
        out = tuple(a) + tuple(b[1:])
        return out if len(out) > 1 else out + (1,)

    def _callable_output_shape(self, shapes):
        if callable(self._output_shape):
            shape = self._output_shape(shapes)
            return tuple(shape) if not isinstance(shape, list) else shape
        if self._output_shape is None:
            # 1.2.2 raised here; the quick-start guide's `mode=lambda x: x[0] - x[1]` needs it
            return infer_output_shape(self.call, shapes, f"Merge layer {self.name}")
        return (shapes[0][0],) + tuple(self._output_shape)

    def compute_mask(self, inputs, mask=None):
        masks = mask if isinstance(mask, (list, tuple)) else [mask] * len(inputs)
        if all(m is None for m in masks):
            return None
        if callable(self.mode):
            return self._output_mask(masks) if callable(self._output_mask) else self._output_mask
        if self.mode in ("sum", "mul", "ave"):
            given = [np.asarray(_array(m), dtype=bool) for m in masks if m is not None]
            return Tensor(np.logical_and.reduce(given))
        if self.mode == "concat":
            return Tensor(self._concat_mask(inputs, masks))
        if self.mode in ("dot", "cos"):
            return None
        raise ValueError(f"{self.name}: merge mode {self.mode!r} does not support masked "
                         f"inputs (as in Keras 1.2.2)")

    def _concat_mask(self, inputs, masks) -> np.ndarray:
        """Each mask broadcast to its input's shape (missing: all true), joined on the
        concat axis, then reduced over the last axis (Keras 1.2.2's rule)."""
        full = []
        for x, m in zip(inputs, masks):
            shape = tuple(x.shape)
            if m is None:
                full.append(np.ones(shape, dtype=bool))
                continue
            m = np.asarray(_array(m), dtype=bool)
            m = m.reshape(m.shape + (1,) * (len(shape) - m.ndim))
            full.append(np.broadcast_to(m, shape))
        return np.concatenate(full, axis=self.concat_axis).all(axis=-1)

    # ---- config -----------------------------------------------------------------------
    def get_config(self) -> dict:
        mode, mode_type = serialize_function(self.mode)
        output_shape, output_shape_type = serialize_function(self._output_shape)
        output_mask, output_mask_type = serialize_function(self._output_mask)
        return {"name": self.name, "mode": mode, "mode_type": mode_type,
                "concat_axis": self.concat_axis, "dot_axes": self.dot_axes,
                "output_shape": output_shape, "output_shape_type": output_shape_type,
                "output_mask": output_mask, "output_mask_type": output_mask_type,
                "arguments": self.arguments}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        name = config.get("name", "merge")
        for key in ("mode", "output_shape", "output_mask"):
            kind = config.pop(f"{key}_type", "raw")
            config[key] = deserialize_function(config.get(key), kind, custom_objects,
                                               f"Merge layer {name} `{key}`")
        return cls(**config)


def _array(mask):
    return mask.data if isinstance(mask, Tensor) else mask


def merge(inputs, mode="sum", concat_axis=-1, dot_axes=-1, output_shape=None, output_mask=None,
          arguments=None, name=None):
    """Functional merge: ``merge([t1, t2], mode='concat')`` -> one tensor.

    Works on Keras tensors (records a node) and, eagerly, on Tensors.

    >>> from tinygrad_keras.engine.topology import Input
    >>> merge([Input(shape=(3,)), Input(shape=(5,))], mode='concat').shape
    (None, 8)
    >>> from tinygrad_keras import Tensor
    >>> merge([Tensor([[1.0, 2.0]]), Tensor([[3.0, 4.0]])], mode='dot', dot_axes=1).tolist()
    [[11.0]]
    """
    layer = Merge(mode=mode, concat_axis=concat_axis, dot_axes=dot_axes,
                  output_shape=output_shape, output_mask=output_mask, arguments=arguments,
                  name=name)
    return layer(inputs)


__all__ = ["Merge", "merge"]
