"""The Layer base class, the symbolic Keras tensor and the nodes that join them.

A layer can be used two ways:

* **eagerly**: ``Dense(3)(Tensor(x))`` builds the layer from the input's shape
  and returns a Tensor at once (handy for learning and for tests);
* **symbolically**: called on a :class:`KerasTensor` (what ``Input`` returns and
  what ``Sequential.add`` passes along), it only works out shapes, records a
  :class:`Node` and returns a new KerasTensor.  A model later runs those nodes
  eagerly, in order, on real Tensors (``engine/container.py``).

Weights are Tensors with ``requires_grad=True`` named ``<layer>_<suffix>``
(``dense_1_W``), created in ``build`` with :meth:`Layer.add_weight`.
"""
from __future__ import annotations

import numpy as np

from .. import backend as K
from .._backend.deferred import is_deferred
from .._backend.symbolic import KerasTensor, Node, SymbolicInput, register_input_maker
from ..autodiff import Tensor
from .layer_extras import LayerExtras, object_list_uid, to_list  # noqa: F401 (1.2.2 names)

_BASE_KWARGS = {"input_shape", "batch_input_shape", "input_dtype", "name", "trainable"}


def to_snake_prefix(cls_name: str) -> str:
    """Keras 1 default-name prefix: the class name lowercased (``Convolution2D`` -> ``convolution2d``)."""
    return cls_name.lower()


class InputSpec:
    """What a layer accepts: ``ndim`` and/or a (partial) ``shape`` and ``dtype``."""

    def __init__(self, dtype=None, shape=None, ndim=None):
        self.dtype = dtype
        self.shape = shape
        self.ndim = len(shape) if shape is not None else ndim


def _as_list(x) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _unlist(x):
    return x[0] if isinstance(x, list) and len(x) == 1 else x


class Layer(LayerExtras):
    """Base class of every Keras layer (see ``docs/`` for writing your own).

    Subclasses override ``build(input_shape)`` (create weights with
    ``add_weight``), ``call(x, mask=None)`` (Tensor in, Tensor out, composed of
    Tensor operations only), ``get_output_shape_for(input_shape)`` when the
    shape changes, ``compute_mask`` when masks change, and ``get_config``.
    """

    def __init__(self, **kwargs):
        unknown = set(kwargs) - _BASE_KWARGS
        if unknown:
            raise TypeError(f"Keyword argument not understood by {type(self).__name__}: "
                            f"{sorted(unknown)}; accepted here: {sorted(_BASE_KWARGS)}")
        self.input_spec = getattr(self, "input_spec", None)
        self.supports_masking = getattr(self, "supports_masking", False)
        self.uses_learning_phase = getattr(self, "uses_learning_phase", False)
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._regularized = []          # (weight, regularizer) pairs
        self._activity_losses = []      # penalties of the latest forward pass
        self.activity_regularizer = getattr(self, "activity_regularizer", None)
        self.constraints = {}
        self.inbound_nodes = []
        self.outbound_nodes = []
        self.built = False
        self.trainable = kwargs.get("trainable", True)
        name = kwargs.get("name")
        if not name:
            prefix = to_snake_prefix(type(self).__name__)
            name = f"{prefix}_{K.get_uid(prefix)}"
        self.name = name
        if "batch_input_shape" in kwargs or "input_shape" in kwargs:
            if kwargs.get("batch_input_shape") is not None:
                batch_shape = tuple(kwargs["batch_input_shape"])
            else:
                batch_shape = (None,) + tuple(kwargs["input_shape"])
            self.batch_input_shape = batch_shape
            self.input_dtype = kwargs.get("input_dtype") or K.floatx()

    # ---- weights ---------------------------------------------------------------------
    @property
    def trainable_weights(self) -> list:
        return list(self._trainable_weights) if self.trainable else []

    @trainable_weights.setter
    def trainable_weights(self, weights) -> None:
        self._trainable_weights = list(weights)

    @property
    def non_trainable_weights(self) -> list:
        if self.trainable:
            return list(self._non_trainable_weights)
        return list(self._trainable_weights) + list(self._non_trainable_weights)

    @non_trainable_weights.setter
    def non_trainable_weights(self, weights) -> None:
        self._non_trainable_weights = list(weights)

    @property
    def weights(self) -> list:
        return self.trainable_weights + self.non_trainable_weights

    def add_weight(self, shape, initializer, name=None, trainable=True, regularizer=None,
                   constraint=None) -> Tensor:
        """Create a weight Tensor, register its regularizer and constraint."""
        from .. import constraints, initializations, regularizers
        from .weight_budget import charge
        init = initializations.get(initializer)
        charge(shape, self.name)  # a file being loaded must hold this many values
        weight = init(tuple(shape), name=name)
        if not isinstance(weight, Tensor):
            weight = K.variable(weight, name=name)
        weight.requires_grad = True
        weight.name = weight.name or name
        if regularizer is not None:
            self._regularized.append((weight, regularizers.get(regularizer)))
        if constraint is not None:
            self.constraints[weight] = constraints.get(constraint)
        (self._trainable_weights if trainable else self._non_trainable_weights).append(weight)
        return weight

    def get_weights(self) -> list:
        """Copies of the weight values, in Keras 1.2.2 order."""
        return [w.data.copy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Assign values (same count and shapes as ``get_weights()``); all or nothing."""
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(f"You called `set_weights(weights)` on layer \"{self.name}\" with a "
                             f"weight list of length {len(weights)}, but the layer was expecting "
                             f"{len(params)} weights.")
        arrays = []
        for p, w in zip(params, weights):
            w = np.asarray(w)
            if w.shape != p.shape:
                raise ValueError(f"Layer \"{self.name}\" weight \"{p.name}\" has shape {p.shape}, "
                                 f"the provided value has shape {w.shape}")
            arrays.append(w.astype(p.dtype))
        for p, w in zip(params, arrays):
            p.data = w.copy()

    def count_params(self) -> int:
        if not self.built:
            raise RuntimeError(f"You tried to call `count_params` on {self.name}, but the layer "
                               f"isn't built. Add it to a model or call it on an input first.")
        return int(sum(w.size for w in self.weights))

    # ---- losses (regularization penalties) ---------------------------------------------
    @property
    def losses(self) -> list:
        """Penalty Tensors: weight regularizers (fresh from the current weights) and the
        activity regularizers of the latest forward pass."""
        return [reg(w) for w, reg in self._regularized] + list(self._activity_losses)

    # ---- the user-facing hooks ---------------------------------------------------------
    def build(self, input_shape) -> None:
        self.built = True

    def call(self, x, mask=None):
        return x

    def get_output_shape_for(self, input_shape):
        return input_shape

    def compute_mask(self, x, mask=None):
        if not self.supports_masking:
            if mask is not None and any(m is not None for m in _as_list(mask)):
                raise ValueError(f"Layer {self.name} does not support masking, but was passed "
                                 f"an input_mask: {mask}")
            return None
        return mask

    def get_config(self) -> dict:
        config = {"name": self.name, "trainable": self.trainable}
        if hasattr(self, "batch_input_shape"):
            config["batch_input_shape"] = self.batch_input_shape
        if hasattr(self, "input_dtype"):
            config["input_dtype"] = self.input_dtype
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    # ---- calling ---------------------------------------------------------------------
    def __call__(self, x, mask=None):
        inputs = _as_list(x)
        if all(isinstance(t, KerasTensor) for t in inputs):
            return self._call_symbolic(inputs)
        return self._call_eager(x, mask)

    def _ensure_built(self, input_shape) -> None:
        if not self.built:
            self.assert_input_compatibility(input_shape)
            self.build(input_shape)
            self.built = True
            initial = getattr(self, "initial_weights", None)
            if initial is not None:
                self.set_weights(initial)
                self.initial_weights = None

    def assert_input_compatibility(self, input_shape) -> None:
        """Check ``input_shape`` against ``self.input_spec`` with a readable error."""
        specs = _as_list(self.input_spec) if self.input_spec is not None else []
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        for spec, shape in zip(specs, shapes):
            if spec is None:
                continue
            if spec.ndim is not None and len(shape) != spec.ndim:
                raise ValueError(f"Input 0 is incompatible with layer {self.name}: expected "
                                 f"ndim={spec.ndim}, found ndim={len(shape)} (shape {shape})")
            if spec.shape is not None:
                for want, got in zip(spec.shape, shape):
                    if want is not None and got is not None and want != got:
                        raise ValueError(f"Input is incompatible with layer {self.name}: "
                                         f"expected shape {spec.shape}, found {shape}")

    def _call_symbolic(self, inputs: list):
        for t in inputs:  # a K.placeholder made before the engine was loaded
            if isinstance(t._keras_history[0], SymbolicInput):
                InputLayer(input_tensor=t)
        # a tensor from K.* outside a model enters the layer graph as Input(tensor=t)
        inputs = [_input_for(t) if is_deferred(t) else t for t in inputs]
        shapes = [t._keras_shape for t in inputs]
        input_shape = _unlist(shapes)
        self._ensure_built(input_shape)
        self.assert_input_compatibility(input_shape)
        output_shape = self.get_output_shape_for(input_shape)
        out_shapes = output_shape if isinstance(output_shape, list) else [output_shape]
        node_index = len(self.inbound_nodes)
        outputs = [KerasTensor(s, name=f"{self.name}_out_{node_index}_{i}",
                               history=(self, node_index, i)) for i, s in enumerate(out_shapes)]
        Node(self, [t._keras_history[0] for t in inputs], [t._keras_history[1] for t in inputs],
             [t._keras_history[2] for t in inputs], inputs, outputs, shapes, out_shapes)
        self._record_symbolic_masks(inputs, outputs)
        return _unlist(outputs)

    def _call_eager(self, x, mask=None):
        xs = [t if isinstance(t, Tensor) else Tensor(np.asarray(t)) for t in _as_list(x)]
        shapes = [(None,) + tuple(t.shape[1:]) for t in xs]
        self._ensure_built(_unlist(shapes))
        output, _ = self.run(xs if isinstance(x, (list, tuple)) else xs[0], mask)
        return output

    def run(self, x, mask=None):
        """Compute ``(output, output_mask)`` on real Tensors; used by models.

        Applies the activity regularizer (its penalty goes to ``self.losses``).
        """
        output = self.call(x, mask) if mask is not None else self.call(x)
        if self.activity_regularizer is not None:
            for out in _as_list(output):
                self._activity_losses.append(self.activity_regularizer(out))
        return output, self.compute_mask(x, mask)

    # ---- shapes of the recorded calls -------------------------------------------------
    def _node_attr(self, index: int, attr: str, what: str):
        if not self.inbound_nodes:
            raise RuntimeError(f"The layer {self.name} has never been called and thus has no "
                               f"defined {what}.")
        if index >= len(self.inbound_nodes):
            raise ValueError(f"Asked to get {what} at node {index}, but the layer "
                             f"{self.name} has only {len(self.inbound_nodes)} inbound nodes.")
        return _unlist(getattr(self.inbound_nodes[index], attr))

    def _single_node_attr(self, attr: str, what: str):
        values = {repr(getattr(n, attr)) for n in self.inbound_nodes}
        if len(values) > 1:
            raise RuntimeError(f"The layer {self.name} has multiple inbound nodes with different "
                               f"{what}s; use get_{what.replace(' ', '_')}_at(node_index).")
        return self._node_attr(0, attr, what)

    input_shape = property(lambda self: self._single_node_attr("input_shapes", "input shape"))
    output_shape = property(lambda self: self._single_node_attr("output_shapes", "output shape"))
    input = property(lambda self: self._single_node_attr("input_tensors", "input"))
    output = property(lambda self: self._single_node_attr("output_tensors", "output"))

    def get_input_shape_at(self, node_index: int):
        return self._node_attr(node_index, "input_shapes", "input shape")

    def get_output_shape_at(self, node_index: int):
        return self._node_attr(node_index, "output_shapes", "output shape")

    def get_input_at(self, node_index: int):
        return self._node_attr(node_index, "input_tensors", "input")

    def get_output_at(self, node_index: int):
        return self._node_attr(node_index, "output_tensors", "output")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def _input_for(t: KerasTensor) -> KerasTensor:
    """The ``Input(tensor=t)`` standing for the recorded tensor ``t`` (one per tensor)."""
    wrapper = getattr(t, "_input_wrapper", None)
    if wrapper is None:
        wrapper = t._input_wrapper = Input(tensor=t)
    return wrapper


class InputLayer(Layer):
    """The layer behind ``Input``: it has no weights and makes the first KerasTensor.

    ``input_tensor`` may be an Input's KerasTensor (it becomes this layer's output),
    or a value this input stands for when it is not fed: a KerasTensor computed by
    ``K.*`` outside a model (``K.concatenate([K.variable(a), placeholder])``) or a
    constant Tensor/array.  Such a value is ``input_source``: ``K.function``
    computes it, then runs the layers on it (Keras 1.2.2's ``Input(tensor=t)``).
    """

    def __init__(self, input_shape=None, batch_input_shape=None, input_dtype=None,
                 input_tensor=None, sparse=False, name=None):
        self.input_source = None
        if input_tensor is not None and (is_deferred(input_tensor) or
                                         not isinstance(input_tensor, KerasTensor)):
            self.input_source = _checked_source(input_tensor)
            input_tensor = None
            if batch_input_shape is None and input_shape is None:
                batch_input_shape = tuple(self.input_source.shape)
        if isinstance(input_tensor, KerasTensor) and batch_input_shape is None and \
                input_shape is None:  # wrapping a tensor: its shape, dtype, name, sparsity
            source = input_tensor._keras_history[0] if input_tensor._keras_history else None
            batch_input_shape, input_dtype = input_tensor.shape, input_tensor.dtype
            name, sparse = name or input_tensor.name, sparse or getattr(source, "sparse", False)
        if not name:
            name = f"input_{K.get_uid('input')}"
        if batch_input_shape is None:
            if input_shape is None:
                raise ValueError("An Input needs a `shape` or a `batch_shape`.")
            batch_input_shape = (None,) + tuple(input_shape)
        if self.input_source is not None:
            _check_source_shape(name, tuple(batch_input_shape), tuple(self.input_source.shape))
        super().__init__(name=name, batch_input_shape=tuple(batch_input_shape),
                         input_dtype=input_dtype or K.floatx())
        self.sparse = sparse
        self.built = True
        if isinstance(input_tensor, KerasTensor):  # wrap it: it becomes this layer's output
            tensor = input_tensor
            tensor._keras_history = (self, 0, 0)
        else:
            tensor = KerasTensor(self.batch_input_shape, dtype=self.input_dtype, name=name,
                                 history=(self, 0, 0))
        Node(self, [], [], [], [tensor], [tensor], [self.batch_input_shape],
             [self.batch_input_shape])

    def get_config(self) -> dict:
        return {"batch_input_shape": self.batch_input_shape, "input_dtype": self.input_dtype,
                "sparse": self.sparse, "name": self.name}


def _check_source_shape(name: str, shape: tuple, got: tuple) -> None:
    if len(shape) != len(got) or any(a is not None and b is not None and a != b
                                     for a, b in zip(shape, got)):
        raise ValueError(f"Input {name!r}: the shape {shape} does not fit the tensor it is "
                         f"made from, of shape {got}")


def _checked_source(value):
    """A recorded KerasTensor, or a constant as a Tensor; anything else is refused."""
    if isinstance(value, KerasTensor):
        return value
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return Tensor(value.copy())
    raise TypeError(f"Input(tensor=...) expects a Keras tensor, a Tensor or a numpy array, "
                    f"got {type(value).__name__}")


def Input(shape=None, batch_shape=None, name=None, dtype=None, sparse=False, tensor=None):
    """A symbolic input: ``Input(shape=(784,))`` -> KerasTensor of shape ``(None, 784)``.

    ``tensor``: the value the input stands for (see :class:`InputLayer`)."""
    if shape is None and batch_shape is None and tensor is not None and \
            (is_deferred(tensor) or not isinstance(tensor, KerasTensor)):
        batch_shape = tuple(np.shape(tensor) if not isinstance(tensor, KerasTensor)
                            else tensor.shape)
    if shape is None and batch_shape is None:
        raise ValueError("Please provide to Input either a `shape` or a `batch_shape` argument. "
                         "Note that `shape` does not include the batch dimension.")
    if batch_shape is None:
        batch_shape = (None,) + tuple(shape)
    layer = InputLayer(batch_input_shape=batch_shape, name=name, input_dtype=dtype or K.floatx(),
                       sparse=sparse, input_tensor=tensor)
    return layer.inbound_nodes[0].output_tensors[0]


register_input_maker(Input)  # K.placeholder now makes Input Keras tensors


def __getattr__(name: str):
    # Keras 1.2.2 defined Merge/merge and get_source_inputs in topology.py; scripts may
    # still import them from here (resolved lazily: the layers import this module)
    import importlib
    if name in ("Merge", "merge"):
        return getattr(importlib.import_module("tinygrad_keras.layers.merge"), name)
    if name == "Container":
        return importlib.import_module("tinygrad_keras.engine.container").Container
    if name == "get_source_inputs":
        return importlib.import_module("tinygrad_keras.engine.container").get_source_inputs
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
