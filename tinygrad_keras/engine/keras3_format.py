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

from . import hdf5_format as H
from .keras3_compile import compile_config_from_keras3, compile_config_to_keras3
from .keras3_convert import config_from_keras3, config_to_keras3, warn_inexact
from .keras3_graph import graph_of, group_names, implied_mask, keras3_layer_order
from .keras3_mapping import Keras3MappingError, masks_differ_message
from .keras3_weights import keras3_paths, weights_from_keras3, weights_to_keras3

KERAS3_VERSION = "3.15.1"  # the format version we write


def _tensor(ref) -> dict:
    name, node, index, shape = ref
    return {"class_name": "__keras_tensor__",
            "config": {"shape": list(shape), "dtype": "float32",
                       "keras_history": [name, node, index]}}


def _inbound(calls: list) -> list:
    return [{"args": [_tensor(c[0]) if len(c) == 1 else [_tensor(r) for r in c]],
             "kwargs": {}} for c in calls]


def _masks(classes_and_configs) -> bool:
    """Does the model make masks (a Masking layer, an Embedding with mask_zero)?"""
    return any(cls == "Masking" or (cls == "Embedding" and config.get("mask_zero"))
               for cls, config in classes_and_configs)


def _check_bidirectional_masks(entries: list) -> None:
    pairs = [(type(e["layer"]).__name__, e["layer"].get_config()) for e in entries]
    if not _masks(pairs):
        return
    for cls, config in pairs:
        if cls == "Bidirectional" and config["layer"]["config"].get("return_sequences"):
            raise Keras3MappingError(masks_differ_message(f"layer {config['name']!r}"))


def _layer_entries(entries: list) -> tuple:
    """Keras 3 layer dicts and ``{name: [(path, arrays)]}`` for every entry."""
    _check_bidirectional_masks(entries)
    layers, weights = [], {}
    for e in entries:
        layer = e["layer"]
        cls, config = type(layer).__name__, layer.get_config()
        k3, folds = config_to_keras3(cls, config)
        weights[e["name"]] = weights_to_keras3(cls, config, layer.get_weights(), folds)
        layers.append({**k3, "name": e["name"], "inbound_nodes": _inbound(e["calls"])})
    return layers, weights


def _endpoints(refs: list) -> list:
    """Keras 3 writes one endpoint as ``[name, 0, 0]``, several as a list of them."""
    listed = [list(r[:3]) for r in refs]
    return listed[0] if len(listed) == 1 else listed


def _endpoints_from3(value) -> list:
    value = value or []
    return [tuple(value) + ((),)] if value and isinstance(value[0], str) else \
        [tuple(r) + ((),) for r in value]


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
                         "input_layers": _endpoints(inputs),
                         "output_layers": _endpoints(outputs)},
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


# ---- reading ------------------------------------------------------------------------------------
_MEMBERS = ("config.json", "model.weights.h5")


def _read_members(filepath: str, source: str) -> dict:
    """The archive's members, each checked against a size bound before it is read."""
    bound = 64 * os.path.getsize(filepath) + (1 << 20)  # no zip bombs
    try:
        with zipfile.ZipFile(filepath) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            missing = [m for m in _MEMBERS if m not in infos]
            if missing:
                raise H.WeightFileError(f"{source} is not a Keras 3 archive: it lacks {missing}")
            for name in _MEMBERS:
                if infos[name].file_size > bound:
                    raise H.WeightFileError(f"{source}: member {name} claims "
                                            f"{infos[name].file_size} bytes: the file is damaged")
            return {name: archive.read(name) for name in _MEMBERS}
    except (zipfile.BadZipFile, OSError) as exc:
        raise H.WeightFileError(f"{source} is not a readable .keras archive ({exc})") from None


def _read_groups(data: bytes, source: str) -> dict:
    """``{group path: [arrays]}`` of every ``vars`` group of ``model.weights.h5``."""
    import h5py
    groups = {}
    try:
        with h5py.File(io.BytesIO(data), "r") as f:
            def visit(path, obj):
                if isinstance(obj, h5py.Group) and path.endswith("vars"):
                    keys = sorted(obj.keys(), key=lambda k: int(k) if k.isdigit() else -1)
                    groups[path] = [H.read_dataset(obj[k], source, f"{path}/{k}", len(data))
                                    for k in keys]
            f.visititems(visit)
    except H.WeightFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - reading is pure data: any failure is damage
        raise H.WeightFileError(f"{source}: model.weights.h5 is damaged ({type(exc).__name__}: "
                                f"{exc})") from None
    return groups


def _ref(tensor: dict, where: str) -> tuple:
    if not isinstance(tensor, dict) or tensor.get("class_name") != "__keras_tensor__":
        raise Keras3MappingError(f"{where}: a layer call takes {tensor!r}, not a tensor; only "
                                 f"layer-to-layer graphs are read")
    config = tensor["config"]
    name, node, index = config["keras_history"]
    return (name, node, index, tuple(config.get("shape") or ()))


def _calls(entry: dict, entries: dict) -> list:
    where = f"layer {entry.get('name')!r}"
    calls = []
    for node in entry.get("inbound_nodes", []):
        args, kwargs = node.get("args", []), dict(node.get("kwargs", {}))
        kwargs.pop("training", None)  # Keras 3 itself overrides it with the model's phase
        if args and kwargs.get("mask") is not None and implied_mask(entries, args[0],
                                                                     kwargs["mask"]):
            kwargs.pop("mask")  # Keras 1 propagates this very mask by itself
        if len(args) != 1 or any(v is not None for v in kwargs.values()):
            raise Keras3MappingError(f"{where}: a call with arguments {kwargs or args!r} has no "
                                     f"Keras 1 equivalent")
        tensors = args[0] if isinstance(args[0], list) else [args[0]]
        calls.append([_ref(t, where) for t in tensors])
    return calls


def _mask_name(node: dict):
    mask = (node.get("kwargs") or {}).get("mask") if isinstance(node, dict) else None
    return mask["config"]["keras_history"][0] if isinstance(mask, dict) else None


def _converted_layers(layer_entries: list, inexact: list) -> list:
    entries = {e.get("name"): e for e in layer_entries}
    used_masks = {_mask_name(node) for e in layer_entries for node in e.get("inbound_nodes", [])}
    out = []
    for entry in layer_entries:
        if entry.get("class_name") == "NotEqual" and entry.get("name") in used_masks:
            continue  # a mask operation; each use is checked in _calls
        if entry.get("class_name") in ("Functional", "Sequential", "Model"):
            raise Keras3MappingError(f"layer {entry.get('name')!r}: nested models are not read; "
                                     f"flatten the model in Keras 3 first")
        cls1, config1, folds = config_from_keras3(entry, inexact)
        out.append({"name": config1["name"], "k3": entry.get("class_name"), "cls": cls1,
                    "config": config1, "folds": folds, "calls": _calls(entry, entries)})
    if _masks((la["cls"], la["config"]) for la in out):
        for la in out:
            if la["folds"].get("zeroes_masked_steps"):
                raise Keras3MappingError(masks_differ_message(f"layer {la['name']!r}"))
    return out


def _layer_arrays(layers: list, order: list, groups: dict, source: str) -> dict:
    """``{layer name: Keras 1 arrays}``; every layer's groups must be in the file."""
    by_name = {layer["name"]: layer for layer in layers}
    out = {}
    for name, group in zip(order, group_names([by_name[n]["k3"] for n in order])):
        layer = by_name[name]
        paths = keras3_paths(layer["cls"], layer["config"]) if layer["cls"] != "Merge" else []
        if layer["cls"] in ("InputLayer", "Merge") or not paths:
            continue
        found = [groups.get(f"layers/{group}/{p}") for p in paths]
        if any(g is None for g in found):
            raise H.WeightFileError(f"{source}: the weights of layer {name!r} "
                                    f"(layers/{group}) are missing")
        out[name] = weights_from_keras3(layer["cls"], layer["config"], found, layer["folds"])
    return out


def _keras1_config(k3config: dict, layers: list) -> tuple:
    """``(keras1 model config, Keras 3 layer order)`` for a Functional or Sequential config."""
    config = k3config.get("config", {})
    if k3config.get("class_name") == "Sequential":
        body = [la for la in layers if la["cls"] != "InputLayer"]
        if not body:
            raise Keras3MappingError("the Sequential model has no layers")
        first = dict(body[0]["config"])
        inputs = [la for la in layers if la["cls"] == "InputLayer"]
        shape = inputs[0]["config"]["batch_input_shape"] if inputs else \
            config.get("build_input_shape")
        if shape is None:
            raise Keras3MappingError("the Sequential model was never built: no input shape")
        first["batch_input_shape"] = tuple(shape)
        entries = [{"class_name": body[0]["cls"], "config": first}] + \
            [{"class_name": la["cls"], "config": la["config"]} for la in body[1:]]
        return {"class_name": "Sequential", "config": entries}, [la["name"] for la in body]
    inputs = _endpoints_from3(config.get("input_layers"))
    outputs = _endpoints_from3(config.get("output_layers"))
    order = keras3_layer_order(layers, inputs, outputs)
    entries = [{"name": la["name"], "class_name": la["cls"], "config": la["config"],
                "inbound_nodes": [[[r[0], r[1], r[2]] for r in call] for call in la["calls"]]}
               for la in layers]
    return ({"class_name": "Model", "config": {"name": config.get("name", "model"),
                                               "layers": entries,
                                               "input_layers": [list(r[:3]) for r in inputs],
                                               "output_layers": [list(r[:3]) for r in outputs]}},
            order)


def _compile(model, k3config: dict) -> None:
    import warnings
    config = k3config.get("compile_config")
    if not config:
        warnings.warn("No training configuration found in the .keras file: the model was *not* "
                      "compiled. Compile it manually.", stacklevel=3)
        return
    try:
        kwargs = compile_config_from_keras3(config)
    except Keras3MappingError as exc:
        warnings.warn(f"The model was *not* compiled: its Keras 3 compile configuration has no "
                      f"exact Keras 1 equivalent ({exc}). Compile it manually.", stacklevel=3)
        return
    model.compile(**kwargs)


def load_keras3(filepath: str, custom_objects: dict | None = None):
    """A Keras 1 model from a Keras 3 ``.keras`` archive: layers, weights, compile config.

    Arrays are read and converted, and checked to cover every weight the config
    declares, before any layer is built.  ``custom_objects`` is accepted for the
    signature of ``load_model``; custom layers are never read from a ``.keras`` file.
    """
    from ..models import model_from_config
    from .weight_budget import weight_budget
    source = repr(filepath)
    members = _read_members(filepath, source)
    try:
        k3config = json.loads(members["config.json"])
    except ValueError as exc:
        raise H.WeightFileError(f"{source}: config.json is not valid JSON ({exc})") from None
    if k3config.get("class_name") not in ("Functional", "Model", "Sequential"):
        raise Keras3MappingError(f"{source}: a {k3config.get('class_name')!r} model cannot be "
                                 f"read (only Sequential and functional models)")
    groups = _read_groups(members["model.weights.h5"], source)
    inexact = []
    layers = _converted_layers(k3config.get("config", {}).get("layers", []), inexact)
    config1, order = _keras1_config(k3config, layers)
    arrays = _layer_arrays(layers, order, groups, source)
    with weight_budget(sum(a.size for v in arrays.values() for a in v), source):
        model = model_from_config(config1, custom_objects=custom_objects)
    for name, values in arrays.items():
        try:
            model.get_layer(name).set_weights(values)
        except ValueError as exc:
            raise H.WeightFileError(f"{source}: {exc}") from None
    warn_inexact(inexact)
    _compile(model, k3config)
    return model
