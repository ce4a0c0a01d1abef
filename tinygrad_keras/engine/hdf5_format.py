"""Weights in HDF5 files, in the Keras 1.2.2 layout (and Keras 2 files, read-only).

Layout written (spec 17.1)::

    /                       attrs: layer_names = [b'dense_1', b'activation_1', ...]
    /dense_1                attrs: weight_names = [b'dense_1_W:0', b'dense_1_b:0']
    /dense_1/dense_1_W:0    float32 (784, 512)

Weight names carry the TensorFlow-style ``:0`` suffix (project decision 3: our
kernels are correlation kernels, like TF's).  A Keras 1.2.2 file written on
Theano has names without ``:0`` and true-convolution kernels: those kernels are
flipped on load.

Two safety rules shape this module:

* **all or nothing** - every array is read and checked into temporaries first;
  weights are assigned only when the whole file matched the model;
* **no half-written files** - saving writes a temporary file in the same folder
  and renames it over the target only once it is complete.
"""
from __future__ import annotations

import os
import tempfile

import numpy as np

from .hdf5_convert import convert_layer_arrays

try:  # h5py is a runtime dependency; a clear message if the install is broken
    import h5py
except ImportError:  # pragma: no cover
    h5py = None


class WeightFileError(ValueError):
    """A weight file that cannot be loaded into this model (nothing was changed)."""


def _require_h5py():
    if h5py is None:  # pragma: no cover
        raise ImportError("Saving and loading weights needs h5py: pip install h5py")


def _decode(names) -> list:
    return [n.decode("utf8") if isinstance(n, (bytes, np.bytes_)) else str(n) for n in names]


def read_attr_list(group, name: str) -> list:
    """A list attribute, also when Keras 2.2+ split it into ``name0``, ``name1``, ..."""
    if name in group.attrs:
        return _decode(group.attrs[name])
    chunks, k = [], 0
    while f"{name}{k}" in group.attrs:
        chunks.extend(_decode(group.attrs[f"{name}{k}"]))
        k += 1
    return chunks


def bytes_attr(names) -> np.ndarray:
    """A list of names as Keras 1.2.2 stored it: fixed-length bytes (``|S<n>``); an empty
    list becomes the empty float64 array that h5py made of ``[]``."""
    if not names:
        return np.zeros((0,))
    return np.array([n.encode("utf8") for n in names], dtype="S")


def weight_file_name(weight, index: int) -> str:
    """The dataset name of a weight: ``dense_1_W:0`` (TF style), ``param_<i>`` when unnamed."""
    name = weight.name or f"param_{index}"
    return name if name.endswith(":0") else name + ":0"


# ---- saving -----------------------------------------------------------------------------
def save_weights_to_group(group, layers) -> None:
    """Write ``layers``' weights into an open HDF5 group (1.2.2 layout)."""
    group.attrs["layer_names"] = bytes_attr([layer.name for layer in layers])
    for layer in layers:
        g = group.create_group(layer.name)
        weights = layer.weights
        names = [weight_file_name(w, i) for i, w in enumerate(weights)]
        g.attrs["weight_names"] = bytes_attr(names)
        for name, w in zip(names, weights):
            g.create_dataset(name, data=w.data)


def atomic_write(filepath: str, write) -> None:
    """Call ``write(h5file)`` on a temporary file next to ``filepath``, then rename it.

    A crash, a full disk or an exception inside ``write`` leaves any existing
    ``filepath`` exactly as it was.
    """
    _require_h5py()
    folder = os.path.dirname(os.path.abspath(filepath))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".h5", dir=folder)
    os.close(fd)
    try:
        with h5py.File(tmp, "w") as f:
            write(f)
        os.replace(tmp, filepath)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def save_weights(filepath: str, layers) -> None:
    atomic_write(filepath, lambda f: save_weights_to_group(f, layers))


# ---- loading ------------------------------------------------------------------------------
def open_weight_file(filepath: str):
    """Open ``filepath`` read-only, turning h5py's errors into a readable one."""
    _require_h5py()
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"Weight file {filepath!r} does not exist")
    try:
        return h5py.File(filepath, "r")
    except (OSError, ValueError) as exc:
        raise WeightFileError(f"{filepath!r} is not a readable HDF5 weight file ({exc})") from None


def _file_layers(group, filepath: str) -> list:
    """``[(layer_name, weight_names, arrays)]`` for every layer in the file, read eagerly."""
    if "layer_names" not in group.attrs and "layer_names0" not in group.attrs:
        if "model_weights" in group:
            return _file_layers(group["model_weights"], filepath)
        raise WeightFileError(f"{filepath!r} has no 'layer_names' attribute: it is not a Keras "
                              f"weight file")
    out = []
    for lname in read_attr_list(group, "layer_names"):
        if lname not in group:
            raise WeightFileError(f"{filepath!r}: layer {lname!r} is listed but its group is missing")
        g = group[lname]
        wnames = read_attr_list(g, "weight_names")
        arrays = []
        for wn in wnames:
            try:
                arrays.append(np.array(g[wn]))
            except (KeyError, OSError, ValueError) as exc:
                raise WeightFileError(f"{filepath!r}: cannot read weight {wn!r} of layer "
                                      f"{lname!r} ({exc})") from None
        out.append((lname, wnames, arrays))
    return out


def _file_style(group) -> dict:
    """What wrote the file: Keras 2 (``keras_version`` 2.x) or Keras 1 TF/Theano."""
    version = group.attrs.get("keras_version", b"1")
    version = version.decode() if isinstance(version, bytes) else str(version)
    backend = group.attrs.get("backend", b"")
    backend = backend.decode() if isinstance(backend, bytes) else str(backend)
    return {"keras2": version.startswith("2"), "backend": backend}


def read_weight_file(filepath: str):
    """``(file_layers, style)`` read completely into memory; any damage -> WeightFileError."""
    with open_weight_file(filepath) as f:
        try:
            root = f
            if "layer_names" not in f.attrs and "model_weights" in f:
                root = f["model_weights"]
            style = _file_style(f)
            return _file_layers(root, filepath), style
        except WeightFileError:
            raise
        except (OSError, RuntimeError, KeyError, ValueError, TypeError) as exc:
            # h5py reports a damaged structure with any of these
            raise WeightFileError(f"{filepath!r} is damaged or not a Keras weight file "
                                  f"({type(exc).__name__}: {exc})") from None


def _match(layers, file_layers, by_name: bool, filepath: str) -> list:
    """Pairs ``(model_layer, file_entry)`` per the 1.2.2 matching rules."""
    if by_name:
        index = {}
        for layer in layers:
            index.setdefault(layer.name, []).append(layer)
        return [(layer, entry) for entry in file_layers for layer in index.get(entry[0], [])]
    model_layers = [layer for layer in layers if layer.weights]
    saved = [entry for entry in file_layers if entry[1]]
    if len(model_layers) != len(saved):
        raise WeightFileError(f"You are trying to load a weight file containing {len(saved)} "
                              f"layers into a model with {len(model_layers)} layers. "
                              f"(file: {filepath!r})")
    return list(zip(model_layers, saved))


def load_weights(filepath: str, layers, by_name: bool = False) -> None:
    """Load ``filepath`` into ``layers``; on any mismatch raise and change nothing."""
    file_layers, style = read_weight_file(filepath)
    staged = []
    for k, (layer, (lname, wnames, arrays)) in enumerate(_match(layers, file_layers, by_name,
                                                                filepath)):
        arrays = convert_layer_arrays(layer, wnames, arrays, style)
        expected = [w.shape for w in layer.weights]
        if len(arrays) != len(expected):
            raise WeightFileError(
                f"Layer #{k} (named \"{layer.name}\" in the current model) was found to correspond "
                f"to layer {lname} in the save file. However the new layer {layer.name} expects "
                f"{len(expected)} weights, but the saved weights have {len(arrays)} elements. "
                f"(file: {filepath!r})")
        for w, arr, wn in zip(layer.weights, arrays, wnames):
            if tuple(arr.shape) != tuple(w.shape):
                raise WeightFileError(f"{filepath!r}: weight {wn!r} of layer {lname!r} has shape "
                                      f"{arr.shape}, but layer {layer.name!r} expects {w.shape}")
        staged.append((layer, arrays))
    for layer, arrays in staged:  # everything matched: now assign
        for w, arr in zip(layer.weights, arrays):
            w.data = np.array(arr, dtype=w.dtype)
