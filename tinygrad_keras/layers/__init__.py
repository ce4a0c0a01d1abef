"""Keras 1 layers (``from keras.layers import Dense, Merge, LSTM``).

The names are gathered in the order of Keras 1.2.2's ``keras/layers/__init__.py``:
the engine's own layers first, then each submodule's public names.  Submodules
written by other parts of the project are optional here, so that one missing
file never breaks ``import tinygrad_keras.layers``.
"""
import importlib as _importlib

from ..engine.topology import Input, InputLayer, InputSpec, Layer
from .core import *


def _star_import(submodule: str) -> None:
    """``from .<submodule> import *`` if that file exists; real import errors propagate."""
    full_name = f"{__name__}.{submodule}"
    try:
        module = _importlib.import_module(full_name)
    except ModuleNotFoundError as err:
        if err.name != full_name:
            raise
        return
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    globals().update({n: getattr(module, n) for n in names})


for _name in ("merge", "convolutional", "pooling", "local", "recurrent", "normalization",
              "embeddings", "noise", "advanced_activations", "wrappers",
              "convolutional_recurrent"):
    _star_import(_name)

_ = (Input, InputLayer, InputSpec, Layer)  # re-exported names
