"""The Keras 3 ``.keras`` file: write one from a model, read one into Keras 1 layers.

A ``.keras`` file is a zip archive of three members::

    metadata.json      {"keras_version": ..., "date_saved": ...}
    config.json        {"class_name": "Functional", "config": {layers, input_layers,
                        output_layers}, "compile_config": {optimizer, loss, metrics}}
    model.weights.h5   layers/<group>/vars/0, 1, ...   (groups named after the Keras 3
                       class, in Keras 3's layer order: dense, dense_1, lstm/cell/vars ...)

Neither direction needs Keras 3 installed, and reading runs no code from the file:
layers are looked up by name in ``keras3_mapping``.  Every layer, argument and
weight is converted exactly or refused with a ``Keras3MappingError`` naming it.
The optimizer's state (moments) is not carried over: Keras 3 starts it afresh
(and warns that it skipped the optimizer's variables).
"""
from __future__ import annotations

import datetime
import io
import json
import os
import tempfile
import zipfile

import numpy as np

from .keras3_compile import compile_config_to_keras3
from .keras3_convert import config_to_keras3
from .keras3_graph import graph_of, group_names, keras3_layer_order
from .keras3_weights import weights_to_keras3

KERAS3_VERSION = "3.15.1"  # the format version we write


def _tensor(ref) -> dict:
    name, node, index, shape = ref
    return {"class_name": "__keras_tensor__",
            "config": {"shape": list(shape), "dtype": "float32",
                       "keras_history": [name, node, index]}}


def _inbound(calls: list) -> list:
    return [{"args": [_tensor(c[0]) if len(c) == 1 else [_tensor(r) for r in c]],
             "kwargs": {}} for c in calls]


def _layer_entries(entries: list) -> tuple:
    """Keras 3 layer dicts and ``{name: [(path, arrays)]}`` for every entry."""
    layers, weights = [], {}
    for e in entries:
        layer = e["layer"]
        cls, config = type(layer).__name__, layer.get_config()
        k3, folds = config_to_keras3(cls, config)
        weights[e["name"]] = weights_to_keras3(cls, config, layer.get_weights(), folds)
        layers.append({**k3, "name": e["name"], "inbound_nodes": _inbound(e["calls"])})
    return layers, weights


def model_to_keras3(model, include_optimizer: bool = True) -> tuple:
    """``(config dict, {group path: (layer name, arrays)}, model name)``: what
    ``config.json`` and ``model.weights.h5`` hold."""
    entries, inputs, outputs = graph_of(model)
    layers, weights = _layer_entries(entries)
    order = keras3_layer_order(entries, inputs, outputs)
    by_name = {layer["name"]: layer for layer in layers}
    groups = {}
    for name, group in zip(order, group_names([by_name[n]["class_name"] for n in order])):
        for path, arrays in weights[name]:
            groups[f"layers/{group}/{path}"] = (name, arrays)
    config = {"module": "keras.src.models.functional", "class_name": "Functional",
              "config": {"name": model.name, "trainable": True,
                         "layers": [by_name[n] for n in order],
                         "input_layers": [list(r[:3]) for r in inputs],
                         "output_layers": [list(r[:3]) for r in outputs]},
              "registered_name": "Functional", "build_config": {"input_shape": None}}
    compile_config = compile_config_to_keras3(model, include_optimizer)
    if compile_config is not None:
        config["compile_config"] = compile_config
    return config, groups, model.name


def _weights_h5(groups: dict, model_name: str) -> bytes:
    import h5py
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f.create_group("layers")
        f.create_group("vars").attrs["name"] = model_name
        for path, (name, arrays) in groups.items():
            group = f.require_group(path)
            group.attrs["name"] = name
            for i, a in enumerate(arrays):
                group.create_dataset(str(i), data=np.asarray(a, dtype=np.float32))
    return buffer.getvalue()


def save_keras3(model, filepath: str, include_optimizer: bool = True) -> None:
    """Write ``model`` as a Keras 3 ``.keras`` archive (atomically: temp file, rename);
    ``include_optimizer=False`` leaves out the compile configuration."""
    config, groups, name = model_to_keras3(model, include_optimizer)
    members = {"metadata.json": json.dumps({"keras_version": KERAS3_VERSION, "date_saved":
                                            datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}),
               "config.json": json.dumps(config), "model.weights.h5": _weights_h5(groups, name)}
    folder = os.path.dirname(os.path.abspath(filepath))
    fd, tmp = tempfile.mkstemp(suffix=".keras.tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out, zipfile.ZipFile(out, "w") as archive:
            for member, data in members.items():
                archive.writestr(member, data)
        os.replace(tmp, filepath)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
