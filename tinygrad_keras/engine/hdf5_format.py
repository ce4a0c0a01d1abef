"""Weights in HDF5 files, in the Keras 1.2.2 layout (and Keras 2 / Keras 0.x files, read-only).

Layout written (spec 17.1)::

    /                       attrs: layer_names = [b'dense_1', b'activation_1', ...]
    /dense_1                attrs: weight_names = [b'dense_1_W:0', b'dense_1_b:0']
    /dense_1/dense_1_W:0    float32 (784, 512)

Weight names carry the TensorFlow-style ``:0`` suffix (project decision 3: our
kernels are correlation kernels, like TF's).  A Keras 1.2.2 file written on
Theano has names without ``:0`` and true-convolution kernels: those kernels are
flipped on load.  Files use the HDF5 1.8 format (checksummed metadata) and
every dataset carries a SHA-256 attribute (other readers ignore it), so a
flipped byte is an error, not a silently wrong value.

Two safety rules shape this module:

* **all or nothing** - every array is read and checked into temporaries first
  (:func:`stage_weights`); weights are assigned (:func:`assign`) only when the
  whole file matched the model;
* **no half-written files** - saving writes a temporary file in the same folder
  and renames it over the target only once it is complete.
"""
from __future__ import annotations

import hashlib
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
    if isinstance(names, (bytes, str, np.bytes_, np.str_)):
        names = [names]
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


def unique_names(names: list) -> list:
    """``names`` with repeats renamed ``<stem>_1:0``, ``<stem>_2:0`` (one group cannot hold two
    datasets of the same name; Keras 2.2 did the same)."""
    seen, out = set(), []
    for name in names:
        stem, tail = (name[:-2], ":0") if name.endswith(":0") else (name, "")
        candidate, k = name, 0
        while candidate in seen:
            k += 1
            candidate = f"{stem}_{k}{tail}"
        seen.add(candidate)
        out.append(candidate)
    return out


# ---- saving -----------------------------------------------------------------------------
DIGEST_ATTR = "sha256"  # per-dataset checksum; readers that do not know it ignore it


def digest(value: np.ndarray) -> str:
    """SHA-256 of an array's dtype, shape and bytes."""
    h = hashlib.sha256(f"{value.dtype.str}{value.shape}".encode())
    h.update(np.ascontiguousarray(value).tobytes())
    return h.hexdigest()


def write_arrays(group, names: list, arrays: list) -> None:
    """One dataset per array, ``weight_names`` attribute in order, each with its digest."""
    group.attrs["weight_names"] = bytes_attr(names)
    for name, value in zip(names, arrays):
        value = np.asarray(value)
        dataset = group.create_dataset(name, data=value)
        dataset.attrs[DIGEST_ATTR] = np.bytes_(digest(value).encode())


def save_weights_to_group(group, layers) -> None:
    """Write ``layers``' weights into an open HDF5 group (1.2.2 layout)."""
    group.attrs["layer_names"] = bytes_attr([layer.name for layer in layers])
    for layer in layers:
        weights = layer.weights
        names = unique_names([weight_file_name(w, i) for i, w in enumerate(weights)])
        write_arrays(group.create_group(layer.name), names, [w.data for w in weights])


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
        # the HDF5 1.8 file format: checksummed metadata, still readable by Keras 1.2.2's h5py
        with h5py.File(tmp, "w", libver=("v108", "v108")) as f:
            write(f)
        os.chmod(tmp, _file_mode(filepath))  # mkstemp made it private (0600)
        _fsync(tmp)  # the bytes reach the disk before the name points at them
        os.replace(tmp, filepath)
        _fsync(folder)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _fsync(path: str) -> None:
    """Flush a file (or a folder's entries) to disk; folders cannot be opened everywhere."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _file_mode(filepath: str) -> int:
    """The permissions a plain ``open(filepath, 'w')`` would give (or the old file's)."""
    if os.path.exists(filepath):
        return os.stat(filepath).st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def save_weights(filepath: str, layers) -> None:
    atomic_write(filepath, lambda f: save_weights_to_group(f, layers))


# ---- reading ------------------------------------------------------------------------------
def open_weight_file(filepath: str):
    """Open ``filepath`` read-only, turning h5py's errors into a readable one."""
    _require_h5py()
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"Weight file {filepath!r} does not exist")
    try:
        return h5py.File(filepath, "r")
    except Exception as exc:  # noqa: BLE001 - h5py raises OSError, ValueError, ...
        raise WeightFileError(f"{filepath!r} is not a readable HDF5 weight file ({exc})") from None


def read_dataset(ds, source: str, what: str, limit: int | None = None) -> np.ndarray:
    """The whole array of dataset ``ds``; ``limit`` (bytes) refuses damaged size headers."""
    if not isinstance(ds, h5py.Dataset):
        raise WeightFileError(f"{source}: {what} is not a dataset")
    if limit is not None and ds.compression is None and ds.nbytes > limit:
        raise WeightFileError(f"{source}: {what} claims {ds.nbytes} bytes, more than the file "
                              f"holds: the file is damaged")
    value = np.array(ds[()])
    stored = ds.attrs.get(DIGEST_ATTR)
    if stored is not None and _decode(stored)[0] != digest(value):
        raise WeightFileError(f"{source}: {what} is damaged (its checksum does not match)")
    return value


def read_arrays(group, source: str, owner: str, limit=None) -> tuple:
    """``(names, arrays)`` of a group written by :func:`write_arrays`."""
    names = read_attr_list(group, "weight_names")
    arrays = []
    for name in names:
        if name not in group:
            raise WeightFileError(f"{source}: weight {name!r} of {owner} is listed but missing")
        arrays.append(read_dataset(group[name], source, f"weight {name!r} of {owner}", limit))
    return names, arrays


def _legacy_layers(group, source: str, limit) -> list:
    """Keras 0.x files: ``nb_layers``, groups ``layer_<k>`` holding ``param_<p>``."""
    out = []
    for k in range(int(np.asarray(group.attrs["nb_layers"]).ravel()[0])):
        g = group[f"layer_{k}"]
        names = [f"param_{p}" for p in range(int(np.asarray(g.attrs["nb_params"]).ravel()[0]))]
        out.append((f"layer_{k}", names, [read_dataset(g[n], source, f"{n} of layer_{k}", limit)
                                          for n in names]))
    return out


def _file_layers(group, source: str, limit) -> list:
    """``[(layer_name, weight_names, arrays)]`` for every layer in the group, read eagerly."""
    if "layer_names" not in group.attrs and "layer_names0" not in group.attrs:
        if "model_weights" in group:
            return _file_layers(group["model_weights"], source, limit)
        if "nb_layers" in group.attrs:
            return _legacy_layers(group, source, limit)
        raise WeightFileError(f"{source} has no 'layer_names' attribute: it is not a Keras "
                              f"weight file")
    out = []
    for lname in read_attr_list(group, "layer_names"):
        if lname not in group:
            raise WeightFileError(f"{source}: layer {lname!r} is listed but its group is missing")
        names, arrays = read_arrays(group[lname], source, f"layer {lname!r}", limit)
        out.append((lname, names, arrays))
    return out


def _text_attr(group, name: str, default: str = "") -> str:
    value = group.attrs.get(name, default)
    return value.decode("utf8") if isinstance(value, (bytes, np.bytes_)) else str(value)


def file_style(group) -> dict:
    """What wrote the file: Keras 2 (``keras_version`` 2.x), Keras 1 TF/Theano, Keras 0.x."""
    return {"keras2": _text_attr(group, "keras_version", "1").startswith("2"),
            "backend": _text_attr(group, "backend"),
            "legacy": "nb_layers" in group.attrs}


def read_weight_group(group, source: str, limit: int | None = None) -> tuple:
    """``(file_layers, style)`` from an open file or group; any damage -> WeightFileError."""
    try:
        style = file_style(group)
        if "model_weights" in group and "layer_names" not in group.attrs:
            style.update({k: v for k, v in file_style(group["model_weights"]).items() if v})
        return _file_layers(group, source, limit), style
    except WeightFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - reading is pure data: any failure means damage
        raise WeightFileError(f"{source} is damaged or not a Keras weight file "
                              f"({type(exc).__name__}: {exc})") from None


def size_limit(filepath: str) -> int:
    """The most bytes an uncompressed dataset of ``filepath`` can really hold."""
    return os.path.getsize(filepath) + 1024


def read_weight_file(filepath: str):
    """``(file_layers, style)`` read completely into memory; any damage -> WeightFileError."""
    with open_weight_file(filepath) as f:
        return read_weight_group(f, repr(filepath), size_limit(filepath))


# ---- matching and assigning ------------------------------------------------------------
def match_layers(layers, file_layers, by_name: bool, style: dict, source: str) -> list:
    """Pairs ``(model_layer, file_entry)`` per the 1.2.2 matching rules."""
    if style.get("legacy"):
        if by_name:
            raise WeightFileError(f"{source} is a legacy (Keras 0.x) weight file: it has no layer "
                                  f"names, so by_name=True cannot be used")
        if len(layers) != len(file_layers):
            raise WeightFileError(f"You are trying to load a weight file containing "
                                  f"{len(file_layers)} layers into a model with {len(layers)} "
                                  f"layers. (file: {source})")
        return list(zip(layers, file_layers))
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
                              f"(file: {source})")
    return list(zip(model_layers, saved))


def _stage_layer(k: int, layer, entry, style: dict, source: str) -> list:
    lname, wnames, arrays = entry
    try:
        arrays = convert_layer_arrays(layer, wnames, arrays, style)
    except (ValueError, IndexError) as exc:
        raise WeightFileError(f"{source}: the weights of layer {lname!r} cannot be converted "
                              f"for layer {layer.name!r}: {exc}") from None
    weights = layer.weights
    if len(arrays) != len(weights):
        raise WeightFileError(
            f"Layer #{k} (named \"{layer.name}\" in the current model) was found to correspond "
            f"to layer {lname} in the save file. However the new layer {layer.name} expects "
            f"{len(weights)} weights, but the saved weights have {len(arrays)} elements. "
            f"(file: {source})")
    for w, arr, wn in zip(weights, arrays, wnames):
        if tuple(arr.shape) != tuple(w.shape):
            raise WeightFileError(f"{source}: weight {wn!r} of layer {lname!r} has shape "
                                  f"{arr.shape}, but layer {layer.name!r} expects {w.shape}")
        if not np.issubdtype(np.asarray(arr).dtype, np.number):
            raise WeightFileError(f"{source}: weight {wn!r} of layer {lname!r} holds "
                                  f"{arr.dtype} data, not numbers")
    return [(w, np.array(arr, dtype=w.dtype)) for w, arr in zip(weights, arrays)]


def stage_weights(layers, file_layers, style: dict, by_name: bool, source: str) -> list:
    """``[(weight Tensor, new value)]`` for every matched layer; raises on any mismatch."""
    staged = []
    for k, (layer, entry) in enumerate(match_layers(layers, file_layers, by_name, style, source)):
        staged += _stage_layer(k, layer, entry, style, source)
    return staged


def assign(staged) -> None:
    """Give each weight its staged value (only called once everything matched)."""
    for weight, value in staged:
        weight.data = value


def load_weights(filepath: str, layers, by_name: bool = False) -> None:
    """Load ``filepath`` into ``layers``; on any mismatch raise and change nothing."""
    file_layers, style = read_weight_file(filepath)
    assign(stage_weights(layers, file_layers, style, by_name, repr(filepath)))
