"""``Sequential`` (a linear stack of layers) and the model (de)serialisation helpers.

A Sequential is a :class:`~tinygrad_keras.engine.training.Model` whose graph
grows with each ``add``: the first layer gets an InputLayer named
``<class>_input_<n>`` (``dense_input_1``) and every later layer is called on
the current output.  A first ``Merge`` of models is already connected; its
source inputs (each once, in graph order) become the model's inputs.

>>> from tinygrad_keras.models import Sequential
>>> from tinygrad_keras.layers import Dense
>>> model = Sequential([Dense(3, input_dim=4)])
>>> model.output_shape
(None, 3)
"""
from __future__ import annotations

import copy
import json
import warnings

from . import backend as K
from .engine.container import get_source_inputs
from .engine.saving import load_model, save_model
from .engine.topology import InputLayer, Layer, Node
from .engine.training import Model

__all__ = ["Model", "Sequential", "load_model", "model_from_config", "model_from_json",
           "model_from_yaml", "save_model"]


class Sequential(Model):
    """A linear stack of layers: ``Sequential([Dense(32, input_dim=784), Activation('relu')])``."""

    def __init__(self, layers=None, name=None):
        Layer.__init__(self, name=name)
        self._layers, self._layer_outputs = [], []
        self.inputs, self.outputs = [], []
        self._nodes, self._graph_layers = [], []
        self.input_layers, self.output_layers = [], []
        self.input_names, self.output_names = [], []
        self.built = False
        for layer in layers or []:
            self.add(layer)

    # ---- structure ---------------------------------------------------------------------
    def add(self, layer: Layer) -> None:
        """Append ``layer``; the first one must know its input shape."""
        if not isinstance(layer, Layer):
            raise TypeError(f"The added layer must be an instance of class Layer. Found: "
                            f"{layer!r}")
        if not self.outputs:
            self._add_first(layer)
        else:
            output = layer(self.outputs[0])
            if isinstance(output, list):
                raise TypeError(f"All layers in a Sequential model should have a single output "
                                f"tensor; layer {layer.name} has {len(output)}. For multi-output "
                                f"layers, use the functional API.")
            self.outputs = [output]
            node = self.inbound_nodes[0]
            node.output_tensors, node.output_shapes = self.outputs, [output._keras_shape]
        self._layers.append(layer)
        self._layer_outputs.append(self.outputs[0])
        self.built = False

    def _add_first(self, layer: Layer) -> None:
        if not layer.inbound_nodes:
            if not hasattr(layer, "batch_input_shape"):
                raise ValueError(f"The first layer in a Sequential model must get an "
                                 f"`input_shape` or `batch_input_shape` argument; layer "
                                 f"{layer.name} ({type(layer).__name__}) has neither. Example: "
                                 f"{type(layer).__name__}(..., input_shape=(784,)) or "
                                 f"input_dim=784.")
            prefix = f"{type(layer).__name__.lower()}_input_"
            input_layer = InputLayer(batch_input_shape=layer.batch_input_shape,
                                     input_dtype=getattr(layer, "input_dtype", None),
                                     name=f"{prefix}{K.get_uid(prefix)}")
            layer(input_layer.inbound_nodes[0].output_tensors[0])
        if len(layer.inbound_nodes) != 1:
            raise ValueError(f"A layer added to a Sequential model must not already be "
                             f"connected somewhere else. Model received layer {layer.name} "
                             f"which has {len(layer.inbound_nodes)} pre-existing inbound "
                             f"connections.")
        outputs = layer.inbound_nodes[0].output_tensors
        if len(outputs) != 1:
            raise TypeError(f"All layers in a Sequential model should have a single output "
                            f"tensor; layer {layer.name} has {len(outputs)}.")
        self.outputs = [outputs[0]]
        self.inputs = get_source_inputs(self.outputs[0])
        self.inbound_nodes, self.outbound_nodes = [], []
        # node 0 stands for the whole model, so `model.output`/`get_output_at(0)` work
        Node(self, [], [], [], self.inputs, self.outputs,
             [t._keras_shape for t in self.inputs], [self.outputs[0]._keras_shape])

    def pop(self) -> None:
        """Remove the last layer (re-compile afterwards)."""
        if not self._layers:
            raise TypeError("There are no layers in the model.")
        self._layers.pop()
        self._layer_outputs.pop()
        if not self._layers:
            self.inputs, self.outputs = [], []
            self.inbound_nodes, self.outbound_nodes = [], []
        else:
            self._layers[-1].outbound_nodes = []
            self.outputs = [self._layer_outputs[-1]]
            node = self.inbound_nodes[0]
            node.output_tensors, node.output_shapes = self.outputs, [self.outputs[0]._keras_shape]
        self.built = False
        self._compiled = False

    def build(self, input_shape=None) -> None:
        """Collect the graph from the inputs to the current output."""
        if not self.outputs:
            raise TypeError("Sequential model cannot be built: model is empty. Add some layers "
                            "first.")
        self._init_graph(self.inputs, self.outputs, make_node=False)
        self.built = True

    def _ensure_graph(self) -> None:
        if not self.built:
            self.build()

    @property
    def layers(self) -> list:
        """The added layers (no InputLayer)."""
        return list(self._layers)

    @property
    def flattened_layers(self) -> list:
        """``layers``, with a first Merge replaced by the layers of the models it merges."""
        # asked for several times per training step (weights, losses, updates, ...): kept
        # while the added layers are the same ones (a merge of models is walked each time,
        # since its branches can still grow)
        key = tuple(self._layers)
        cached = self.__dict__.get("_flattened_cache")
        if cached is not None and cached[0] == key:
            return list(cached[1])
        result = self._flatten_layers()
        if not (self._layers and _is_merge_of_models(self._layers[0])):
            self._flattened_cache = (key, result)
        return list(result)

    def _flatten_layers(self) -> list:
        result = []
        if self._layers and _is_merge_of_models(self._layers[0]):
            for branch in self._layers[0].layers:
                sub = getattr(branch, "flattened_layers", None) or getattr(branch, "layers",
                                                                          None) or [branch]
                result += [s for s in sub if not any(s is r for r in result)]
        elif self._layers:
            result.append(self._layers[0])
        return result + [la for la in self._layers[1:] if not any(la is r for r in result)]

    def _unique_layers(self) -> list:
        return self.flattened_layers

    def get_layer(self, name=None, index=None) -> Layer:
        self._ensure_graph()
        return Model.get_layer(self, name, index)

    @property
    def model(self):
        """Keras 1 kept an inner functional model here; this Sequential is that model."""
        return self

    # ---- running, as a layer or as a model ------------------------------------------
    def run_graph(self, input_tensors, masks=None):
        self._ensure_graph()
        return Model.run_graph(self, input_tensors, masks)

    def get_output_shape_for(self, input_shape):
        self._ensure_graph()
        return Model.get_output_shape_for(self, input_shape)

    def compile(self, optimizer, loss, metrics=None, sample_weight_mode=None, **kwargs):
        if "class_mode" in kwargs:
            kwargs.pop("class_mode")
            warnings.warn("\"class_mode\" argument is deprecated, please remove it.")
        self._ensure_graph()
        Model.compile(self, optimizer, loss, metrics=metrics,
                      sample_weight_mode=sample_weight_mode, **kwargs)

    def predict(self, x, batch_size=32, verbose=0):
        self._ensure_graph()
        return Model.predict(self, x, batch_size, verbose)

    def predict_on_batch(self, x):
        self._ensure_graph()
        return Model.predict_on_batch(self, x)

    def predict_proba(self, x, batch_size=32, verbose=1):
        """Same as ``predict``; warns when the outputs are not probabilities."""
        preds = self.predict(x, batch_size, verbose)
        if preds.min() < 0. or preds.max() > 1.:
            warnings.warn("Network returning invalid probability values. The last layer might "
                          "not normalize predictions into probabilities (like softmax or "
                          "sigmoid would).")
        return preds

    def predict_classes(self, x, batch_size=32, verbose=1):
        """Argmax of the predictions, or ``(p > 0.5)`` as int32 for a single output unit."""
        proba = self.predict(x, batch_size, verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def summary(self, line_length: int = 100, positions=(.33, .55, .67, 1.)) -> None:
        from .utils.layer_utils import print_summary
        self._ensure_graph()
        print_summary(self.flattened_layers, {id(n) for n in self._nodes}, line_length,
                      positions)

    # ---- config ----------------------------------------------------------------------
    def get_config(self) -> list:
        """``[{'class_name', 'config'}, ...]``; a first Merge also lists its models."""
        config = []
        for i, layer in enumerate(self._layers):
            entry = {"class_name": type(layer).__name__, "config": layer.get_config()}
            if i == 0 and _is_merge_of_models(layer):
                entry["config"]["layers"] = [{"class_name": type(b).__name__,
                                              "config": b.get_config()} for b in layer.layers]
            config.append(entry)
        return copy.deepcopy(config)

    @classmethod
    def from_config(cls, config, custom_objects=None, layer_cache=None):
        """Rebuild by ``add``-ing each layer (also reads the pre-1.0 entry format)."""
        from .utils.layer_utils import layer_from_config
        cache = {} if layer_cache is None else layer_cache
        model = cls()

        def get_or_create(entry):
            if entry["class_name"] == "Sequential":
                return cls.from_config(entry["config"], custom_objects, cache)
            name = entry["config"].get("name")
            if name and name in cache:
                return cache[name]
            layer = layer_from_config(entry, custom_objects)
            if name:
                cache[name] = layer
            return layer

        for i, entry in enumerate(_legacy_entry(e) for e in config):
            if i == 0 and entry["class_name"] == "Merge" and "layers" in entry["config"]:
                merge_config = dict(entry["config"])
                merge_config["layers"] = [layer_from_config(c, custom_objects)
                                          for c in merge_config["layers"]]
                model.add(layer_from_config({"class_name": "Merge", "config": merge_config},
                                            custom_objects))
            else:
                model.add(get_or_create(entry))
        return model


def _is_merge_of_models(layer) -> bool:
    return type(layer).__name__ == "Merge" and bool(getattr(layer, "layers", None))


def _legacy_entry(entry: dict) -> dict:
    """Pre-1.0 configs name the class in ``name`` and the layer in ``custom_name``."""
    if "class_name" in entry:
        return entry
    conf = dict(entry)
    class_name = conf.pop("name")
    conf["name"] = conf.pop("custom_name", None)
    return {"class_name": class_name, "config": conf}


def model_from_config(config: dict, custom_objects=None):
    """A model (or layer) from ``{'class_name': ..., 'config': ...}``."""
    from .utils.layer_utils import layer_from_config
    if isinstance(config, list):
        raise TypeError("`model_from_config` expects a dictionary, not a list. Maybe you meant "
                        "to use `Sequential.from_config(config)`?")
    return layer_from_config(config, custom_objects=custom_objects)


def model_from_json(json_string: str, custom_objects=None):
    """Parse a JSON model description (``model.to_json()``); no code is executed."""
    return model_from_config(json.loads(json_string), custom_objects=custom_objects)


def model_from_yaml(yaml_string: str, custom_objects=None):
    import yaml  # optional dependency
    return model_from_config(yaml.safe_load(yaml_string), custom_objects=custom_objects)

