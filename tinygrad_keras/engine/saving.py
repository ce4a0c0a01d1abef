"""Saving and loading whole models: ``save_weights``/``load_weights``, ``save``/``load_model``.

A ``model.save(path)`` file has the Keras 1.2.2 layout (spec 17.3)::

    /                    attrs: keras_version = b'1.2.2'
                                model_config = JSON {'class_name': 'Model', 'config': ...}
                                training_config = JSON {'optimizer_config', 'loss', ...}
    /model_weights       the save_weights layout (layer_names, one group per layer)
    /optimizer_weights   attrs: weight_names; one dataset per optimizer state array

A path ending in ``.keras`` is a Keras 3 archive instead (``keras3_format``), both
for ``model.save`` and for ``load_model``.

Loading runs no code from the file: configs are JSON, classes and functions are
looked up by name among the library's and ``custom_objects``.  Every array is
read and checked before anything is assigned, so a damaged or mismatched file
raises a ``WeightFileError`` (a ``ValueError``) naming the file and leaves the
model's weights as they were.  Writing goes to a temporary file renamed over
the target at the end.
"""
from __future__ import annotations

import hashlib
import json
import os
import warnings

import numpy as np

from . import hdf5_format as H
from .optimizer_state import EXTRA_STATE_GROUP, extra_state, stage_extra, stage_optimizer

KERAS_VERSION = "1.2.2"  # the file layout we write (and what Keras 1.2.2 reads)


def _json_default(obj):
    """What ``json.dumps`` cannot write itself: Keras objects, numpy values, functions."""
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, type) or callable(obj):
        return getattr(obj, "__name__", type(obj).__name__)
    raise TypeError(f"Not JSON serializable: {obj!r}")


def _dumps(value) -> np.bytes_:
    """JSON as a fixed-length byte string: read back as bytes, as 1.2.2's loader expects."""
    return np.bytes_(json.dumps(value, default=_json_default).encode("utf8"))


def training_config(model) -> dict | None:
    """The compile arguments as 1.2.2 stored them (functions by name); None if uncompiled."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not getattr(model, "_compiled", False):
        return None
    return {"optimizer_config": {"class_name": type(optimizer).__name__,
                                 "config": optimizer.get_config()},
            "loss": model.loss, "metrics": model.metrics,
            "sample_weight_mode": model.sample_weight_mode, "loss_weights": model.loss_weights}


def _optimizer_names(weights) -> list:
    return H.unique_names([H.weight_file_name(w, i) for i, w in enumerate(weights)])


CONFIG_DIGEST_ATTR = "config_sha256"  # over model_config + training_config; 1.2.2 ignores it


def _config_digest(f) -> str:
    parts = [bytes(f.attrs.get(name, b"")) for name in ("model_config", "training_config")]
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


def _write_model(f, model) -> None:
    f.attrs["keras_version"] = np.bytes_(KERAS_VERSION.encode("utf8"))
    f.attrs["model_config"] = _dumps({"class_name": type(model).__name__,
                                      "config": model.get_config()})
    H.save_weights_to_group(f.create_group("model_weights"), weight_layers(model))
    config = training_config(model)
    if config is not None:
        f.attrs["training_config"] = _dumps(config)
    f.attrs[CONFIG_DIGEST_ATTR] = np.bytes_(_config_digest(f).encode())
    if config is None:
        return
    weights = model.optimizer.weights
    if weights:
        group = f.create_group("optimizer_weights")
        H.write_arrays(group, _optimizer_names(weights), [w.data for w in weights])
        extra = extra_state(model.optimizer)
        H.write_arrays(group.create_group(EXTRA_STATE_GROUP), list(extra),
                       [v.data for v in extra.values()])


def _may_write(filepath: str, overwrite: bool) -> bool:
    """1.2.2: with ``overwrite=False`` an existing file is only replaced if the user says so."""
    if overwrite or not os.path.isfile(filepath):
        return True
    from ..utils.io_utils import ask_to_proceed_with_overwrite
    return ask_to_proceed_with_overwrite(filepath)


def is_keras3_path(filepath) -> bool:
    """``.keras`` files are Keras 3 archives (the extension decides, as in Keras 3)."""
    return str(filepath).lower().endswith(".keras")


def save_model(model, filepath: str, overwrite: bool = True) -> None:
    """Architecture, weights, compile arguments and optimizer state in one HDF5 file
    (a Keras 3 ``.keras`` archive when ``filepath`` ends in ``.keras``)."""
    if not _may_write(filepath, overwrite):
        return
    if is_keras3_path(filepath):
        from .keras3_format import save_keras3
        save_keras3(model, filepath)
    else:
        H.atomic_write(filepath, lambda f: _write_model(f, model))


def weight_layers(model) -> list:
    """The layers whose weights a file holds: Sequential ``flattened_layers``, else ``layers``
    (InputLayers included, as in 1.2.2)."""
    layers = getattr(model, "flattened_layers", None)
    return list(layers if layers is not None else model.layers)


# ---- loading ------------------------------------------------------------------------------
def _json_attr(f, name: str, source: str):
    raw = f.attrs.get(name)
    if raw is None:
        return None
    try:
        text = raw.decode("utf8") if isinstance(raw, (bytes, np.bytes_)) else str(raw)
        return json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise H.WeightFileError(f"{source}: the {name} attribute is not valid JSON ({exc})") \
            from None


def read_model_file(filepath: str) -> dict:
    """Everything ``load_model`` needs, read into memory; any damage -> WeightFileError."""
    source = repr(filepath)
    with H.open_weight_file(filepath) as f:
        try:
            model_config = _json_attr(f, "model_config", source)
            if model_config is None:
                raise H.WeightFileError(f"No model found in config file {source}: it has no "
                                        f"model_config attribute (a save_weights file? use "
                                        f"model.load_weights)")
            stored = f.attrs.get(CONFIG_DIGEST_ATTR)
            if stored is not None and bytes(stored).decode("ascii", "replace") != \
                    _config_digest(f):
                raise H.WeightFileError(f"{source}: the model or training config is damaged "
                                        f"(its checksum does not match)")
            content = {"model_config": model_config,
                       "training_config": _json_attr(f, "training_config", source)}
            if "model_weights" not in f:
                raise H.WeightFileError(f"{source} has a model_config but no model_weights group")
            limit = H.size_limit(filepath)
            content["weights"] = H.read_weight_group(f["model_weights"], source, limit)
            content["optimizer"] = content["optimizer_extra"] = None
            if "optimizer_weights" in f:
                group = f["optimizer_weights"]
                content["optimizer"] = H.read_arrays(group, source, "the optimizer", limit)
                if EXTRA_STATE_GROUP in group:
                    content["optimizer_extra"] = H.read_arrays(group[EXTRA_STATE_GROUP], source,
                                                               "the optimizer", limit)
            return content
        except H.WeightFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - reading is pure data: any failure is damage
            raise H.WeightFileError(f"{source} is damaged or not a Keras model file "
                                    f"({type(exc).__name__}: {exc})") from None


def _rebuild(config, custom_objects, source: str):
    from ..models import model_from_config
    if not isinstance(config, dict) or "class_name" not in config:
        raise H.WeightFileError(f"{source}: model_config is not a {{'class_name', 'config'}} "
                                f"dictionary")
    try:
        return model_from_config(config, custom_objects=custom_objects)
    except Exception as exc:  # noqa: BLE001 - say which file, keep the reason
        raise H.WeightFileError(f"{source}: cannot rebuild the model from its model_config: "
                                f"{type(exc).__name__}: {exc}") from None


def _rebuild_within_arrays(config, custom_objects, source: str, file_layers: list):
    """``_rebuild``, refused before allocation if the config declares more weight values
    than the file's arrays hold (a damaged or hostile config, see ``weight_budget``)."""
    from .weight_budget import weight_budget
    held = sum(int(np.size(a)) for _, _, arrays in file_layers for a in arrays)
    with weight_budget(held, source):
        return _rebuild(config, custom_objects, source)


def _substitute(value, custom_objects: dict):
    """Names of user losses/metrics replaced by the functions in ``custom_objects``."""
    if isinstance(value, list):
        return [_substitute(v, custom_objects) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, custom_objects) for k, v in value.items()}
    if isinstance(value, str) and value in custom_objects:
        return custom_objects[value]
    return value


def _compile(model, config: dict, custom_objects: dict, source: str) -> None:
    from ..optimizers import optimizer_from_config
    try:
        optimizer = optimizer_from_config(config["optimizer_config"], custom_objects)
        model.compile(optimizer=optimizer,
                      loss=_substitute(config["loss"], custom_objects),
                      metrics=_substitute(config.get("metrics"), custom_objects),
                      loss_weights=config.get("loss_weights"),
                      sample_weight_mode=config.get("sample_weight_mode"))
    except Exception as exc:  # noqa: BLE001
        raise H.WeightFileError(f"{source}: cannot compile the model with its training_config "
                                f"({type(exc).__name__}: {exc}); functions of your own must be "
                                f"passed in custom_objects={{'name': function}}") from None


def load_model(filepath: str, custom_objects: dict | None = None):
    """The model saved by ``model.save(filepath)``: rebuilt, weighted, compiled, with its
    optimizer state, so that training continues exactly where it stopped."""
    custom_objects = dict(custom_objects or {})
    if is_keras3_path(filepath):
        from .keras3_format import load_keras3
        return load_keras3(filepath, custom_objects)
    source = repr(filepath)
    content = read_model_file(filepath)
    file_layers, style = content["weights"]
    model = _rebuild_within_arrays(content["model_config"], custom_objects, source, file_layers)
    staged = H.stage_weights(weight_layers(model), file_layers, style, False, source)
    config = content["training_config"]
    if config is None:
        warnings.warn("No training configuration found in save file: the model was *not* "
                      "compiled. Compile it manually.")
    else:
        if not isinstance(config, dict) or "optimizer_config" not in config:
            raise H.WeightFileError(f"{source}: training_config lacks 'optimizer_config'")
        _compile(model, config, custom_objects, source)
        if content["optimizer"] is not None:
            staged += stage_optimizer(model, weight_layers(model), content["weights"],
                                      content["optimizer"], source)
        staged += stage_extra(model.optimizer, content["optimizer_extra"], staged, source)
    H.assign(staged)
    return model


class SavingMixin:
    """The model methods of Keras 1.2.2's HDF5 I/O (mixed into ``Model``)."""

    def save_weights(self, filepath: str, overwrite: bool = True) -> None:
        """Every layer's weights in the 1.2.2 layout (spec 17.1), written atomically."""
        if _may_write(filepath, overwrite):
            H.save_weights(filepath, weight_layers(self))

    def load_weights(self, filepath: str, by_name: bool = False) -> None:
        """Weights from a ``save_weights`` or ``save`` file (also Keras 1.2.2/2 files):
        matched by position among layers with weights, or by layer name; all or nothing."""
        H.load_weights(filepath, weight_layers(self), by_name)

    def save_weights_to_hdf5_group(self, group) -> None:
        H.save_weights_to_group(group, weight_layers(self))

    def load_weights_from_hdf5_group(self, group) -> None:
        self._load_from_group(group, by_name=False)

    def load_weights_from_hdf5_group_by_name(self, group) -> None:
        self._load_from_group(group, by_name=True)

    def _load_from_group(self, group, by_name: bool) -> None:
        source = f"{group.file.filename!r} group {group.name!r}"
        file_layers, style = H.read_weight_group(group, source)
        H.assign(H.stage_weights(weight_layers(self), file_layers, style, by_name, source))

    def save(self, filepath: str, overwrite: bool = True) -> None:
        """Architecture + weights + training config + optimizer state (``load_model``)."""
        save_model(self, filepath, overwrite)
