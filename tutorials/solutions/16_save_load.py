"""Exercise 16 (reference answer): load the layers whose names and shapes match.

Checked by: python -m tinygrad_keras.exercises check 16 --solution
"""
import h5py
import numpy as np


def load_matching_weights(filepath: str, model) -> list:
    """Copy each layer of the weight file into the model layer of the same name when every
    array has the shape that layer expects; return the names of the layers loaded.

    Works on ``save_weights`` and on ``save`` files (their ``model_weights`` group).
    """
    loaded = []
    with h5py.File(filepath, "r") as f:
        group = f.get("model_weights", f)
        layers = {layer.name: layer for layer in model.layers}
        for name in (n.decode("utf8") for n in group.attrs["layer_names"]):
            layer = layers.get(name)
            names = group[name].attrs["weight_names"]
            if layer is None or not layer.weights or len(names) != len(layer.weights):
                continue
            arrays = [np.array(group[name][n.decode("utf8")]) for n in names]
            if all(a.shape == w.shape for a, w in zip(arrays, layer.weights)):
                layer.set_weights(arrays)
                loaded.append(name)
    return loaded
