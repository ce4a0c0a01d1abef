"""The Keras engine: layers, symbolic tensors, models and the training loop."""
from .topology import Input, InputLayer, InputSpec, KerasTensor, Layer, Node

__all__ = ["Layer", "InputSpec", "Input", "InputLayer", "KerasTensor", "Node"]
