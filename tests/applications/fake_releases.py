"""Stand-ins for the weight files and the class index Keras 1.2.2 downloads into
``~/.keras/models``: same layout, names and shapes, random values.

The released files hold one group per layer (``layer_names`` at the root, then
``weight_names`` per group, no ``keras_version``); files written on Theano name
their weights without the ``:0`` suffix (``block1_conv1_W``).
"""
from __future__ import annotations

import json
import os

import h5py
import numpy as np


def models_dir(home) -> str:
    """``<home>/.keras/models`` (created)."""
    folder = os.path.join(str(home), ".keras", "models")
    os.makedirs(folder, exist_ok=True)
    return folder


def release_arrays(model, seed: int = 0) -> dict:
    """``{layer_name: [arrays]}``: random values shaped like ``model``'s weights."""
    rng = np.random.default_rng(seed)
    return {layer.name: [rng.standard_normal(w.shape).astype("float32") * 0.05
                         for w in layer.weights] for layer in model.layers}


def write_release(model, path: str, arrays: dict | None = None, theano_names: bool = False,
                  rename: dict | None = None) -> dict:
    """Write a 1.2.2-layout weight file for ``model``'s layers; returns the arrays written.

    ``rename`` maps model layer names to the names written in the file."""
    arrays = release_arrays(model) if arrays is None else arrays
    rename = rename or {}
    suffix = "" if theano_names else ":0"
    with h5py.File(path, "w") as f:
        names = [rename.get(layer.name, layer.name) for layer in model.layers]
        f.attrs["layer_names"] = np.array([n.encode() for n in names])
        for layer, name in zip(model.layers, names):
            group = f.create_group(name)
            wnames = [f"{name}_param_{i}{suffix}" for i in range(len(layer.weights))]
            group.attrs["weight_names"] = np.array([n.encode() for n in wnames])
            for wname, value in zip(wnames, arrays[layer.name] if layer.weights else []):
                group.create_dataset(wname, data=value)
    return arrays


def write_class_index(folder: str) -> str:
    """``imagenet_class_index.json`` with made-up names ``class_<i>``."""
    path = os.path.join(folder, "imagenet_class_index.json")
    with open(path, "w") as f:
        json.dump({str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}, f)
    return path
