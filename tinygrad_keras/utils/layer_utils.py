"""Layer helpers: rebuilding a layer from its config, and ``model.summary()``.

``print_summary`` prints the Keras 1.2.2 table: columns end at characters 33,
55, 67 and 100 of a 100-character line; "Connected to" names each inbound
connection as ``<layer>[<node index>][<tensor index>]``.
"""
from __future__ import annotations

import numpy as np


def _layer_classes() -> dict:
    """Every class a config may name: engine layers, ``layers.*``, the model classes."""
    from .. import engine, layers, models
    table = {}
    for module in (engine, layers):
        table.update({k: v for k, v in vars(module).items() if isinstance(v, type)})
    table.update({"Sequential": models.Sequential, "Model": models.Model,
                  "Container": models.Model})
    return table


def layer_from_config(config: dict, custom_objects: dict | None = None):
    """A new layer (or model) from ``{'class_name': ..., 'config': ...}``.

    Classes are found by name among the known layers and ``custom_objects``
    (which win); nothing in the config is executed.
    """
    from .._lookup import custom_objects as global_custom_objects
    class_name = config["class_name"]
    table = _layer_classes()
    extra = dict(global_custom_objects())
    extra.update(custom_objects or {})
    layer_class = extra.get(class_name) or table.get(class_name)
    if layer_class is None:
        raise ValueError(f"Invalid layer: {class_name!r}. It is neither a tinygrad_keras layer "
                         f"nor in custom_objects (known: {sorted(extra) or 'none'}).")
    from ..engine.container import Container
    if isinstance(layer_class, type) and issubclass(layer_class, Container) or \
            class_name == "Sequential":
        return layer_class.from_config(config["config"], custom_objects=custom_objects)
    from_config = layer_class.from_config
    try:
        return from_config(config["config"], custom_objects=custom_objects)
    except TypeError as err:
        if "custom_objects" not in str(err):
            raise
        return from_config(config["config"])


def count_total_params(layers, layer_set=None) -> tuple:
    """``(trainable, non_trainable)`` element counts; nested models recursed, shared layers
    counted once."""
    from ..engine.container import Container
    seen = set() if layer_set is None else layer_set
    trainable = non_trainable = 0
    for layer in layers:
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        if isinstance(layer, Container):
            t, n = count_total_params(layer.layers, seen)
        else:
            t = sum(int(np.prod(w.shape)) for w in layer.trainable_weights)
            n = sum(int(np.prod(w.shape)) for w in layer.non_trainable_weights)
        trainable += t
        non_trainable += n
    return trainable, non_trainable


def _row(fields, positions) -> str:
    line = ""
    for i, field in enumerate(fields):
        if i > 0:
            line = line[:-1] + " "  # keep one blank before every column
        line += str(field)
        line = line[:positions[i]]
        line += " " * (positions[i] - len(line))
    return line


def _connections(layer, relevant_nodes) -> list:
    result = []
    for node in layer.inbound_nodes:
        if relevant_nodes is not None and id(node) not in relevant_nodes:
            continue
        for inbound, ni, ti in zip(node.inbound_layers, node.node_indices, node.tensor_indices):
            result.append(f"{inbound.name}[{ni}][{ti}]")
    return result


def _layer_rows(layer, relevant_nodes, positions) -> list:
    try:
        output_shape = layer.output_shape
    except (RuntimeError, ValueError, AttributeError):
        output_shape = "multiple"
    connections = _connections(layer, relevant_nodes)
    first = connections[0] if connections else ""
    name = f"{layer.name} ({type(layer).__name__})"
    rows = [_row([name, output_shape, layer.count_params(), first], positions)]
    rows += [_row(["", "", "", c], positions) for c in connections[1:]]
    return rows


def summary_lines(layers, relevant_nodes=None, line_length: int = 100,
                  positions=(.33, .55, .67, 1.)) -> list:
    """The lines of the summary table of ``layers`` (see ``print_summary``)."""
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    lines = ["_" * line_length,
             _row(["Layer (type)", "Output Shape", "Param #", "Connected to"], positions),
             "=" * line_length]
    for i, layer in enumerate(layers):
        lines += _layer_rows(layer, relevant_nodes, positions)
        lines.append(("=" if i == len(layers) - 1 else "_") * line_length)
    trainable, non_trainable = count_total_params(layers)
    lines += [f"Total params: {trainable + non_trainable:,}",
              f"Trainable params: {trainable:,}",
              f"Non-trainable params: {non_trainable:,}",
              "_" * line_length]
    return lines


def print_summary(layers, relevant_nodes=None, line_length: int = 100,
                  positions=(.33, .55, .67, 1.)) -> None:
    """Print the 1.2.2 summary table; ``relevant_nodes`` (ids of Nodes) limits "Connected
    to" to one model's calls of shared layers."""
    for line in summary_lines(layers, relevant_nodes, line_length, positions):
        print(line)


def convert_all_kernels_in_model(model) -> None:
    """Flip every convolution kernel of ``model`` (Theano <-> TensorFlow convention)."""
    from .np_utils import convert_kernel
    for layer in model.layers:
        if type(layer).__name__ in {"Convolution1D", "Convolution2D", "Convolution3D",
                                    "AtrousConvolution2D", "Deconvolution2D"}:
            weights = layer.get_weights()
            weights[0] = convert_kernel(weights[0])
            layer.set_weights(weights)
