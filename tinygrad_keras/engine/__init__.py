"""The Keras engine: layers, symbolic tensors, models and the training loop."""
from . import bound_values  # noqa: F401  (gives KerasTensors their operators)
from .container import Container, get_source_inputs
from .topology import Input, InputLayer, InputSpec, KerasTensor, Layer, Node
from .training import Model

__all__ = [
    "Container",
    "Input",
    "InputLayer",
    "InputSpec",
    "KerasTensor",
    "Layer",
    "Merge",
    "Model",
    "Node",
    "get_source_inputs",
    "merge",
]


def __getattr__(name: str):
    # Merge lives with the layers (layers import the engine, so import it lazily here)
    if name in ("Merge", "merge"):
        import importlib
        return getattr(importlib.import_module("tinygrad_keras.layers.merge"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
