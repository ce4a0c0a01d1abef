"""One layer's config and weights, Keras 1 -> Keras 3 and back, driven by ``keras3_mapping``.

``layer_to_keras3(class_name, config, arrays)`` returns the Keras 3 layer entry
(``module``/``class_name``/``config``) and its weights as ``[(path, arrays)]``
where ``path`` is the group under the layer's own group in ``model.weights.h5``
(``'vars'``, or ``'cell/vars'`` for a recurrent layer's cell).
``layer_from_keras3(entry, weights)`` is the inverse and returns the Keras 1
class name, config and ``get_weights()``-ordered arrays.  Arrays are
``float32`` on the Keras 3 side.
"""
from __future__ import annotations

import warnings

from .keras3_mapping import (
    INITIALIZERS,
    LAYERS,
    MERGE_MODES,
    NEUTRAL_KERAS3_KEYS,
    SAME_ACTIVATIONS,
    Keras3MappingError,
    Spec,
    keras3_classes,
)

_ORDERING = {"th": "channels_first", "tf": "channels_last"}


def _obj(module: str, class_name: str, config: dict) -> dict:
    return {"module": module, "class_name": class_name, "config": config,
            "registered_name": None}


def _plain(value):
    """Tuples as lists, recursively (JSON and Keras 3 configs use lists)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _where(name: str, cls: str) -> str:
    return f"layer {name!r} ({cls})"


# ---- argument values, both directions ------------------------------------------------------
def _init_to3(value, where: str) -> dict:
    if value not in INITIALIZERS:
        raise Keras3MappingError(f"{where}: initializer {value!r} has no Keras 3 equivalent")
    cls, config = INITIALIZERS[value]
    return _obj("keras.initializers", cls, dict(config))


def _init_from3(value, where: str, inexact: list) -> str:
    if isinstance(value, dict):
        cls, config = value.get("class_name"), value.get("config") or {}
        for name, (k3cls, k3config) in INITIALIZERS.items():
            if k3cls == cls and all(config.get(k, v) == v for k, v in k3config.items()
                                    if k != "seed"):
                return name
        for name, (k3cls, _) in INITIALIZERS.items():
            if k3cls == cls:
                inexact.append(f"{where}: {cls}{config} read as Keras 1 {name!r}")
                return name
    inexact.append(f"{where}: initializer {value!r} read as 'glorot_uniform'")
    return "glorot_uniform"


def _reg_to3(value, where: str):
    if value is None:
        return None
    if isinstance(value, dict) and value.get("name") in ("L1L2Regularizer", "WeightRegularizer"):
        return _obj("keras.regularizers", "L1L2", {"l1": float(value.get("l1", 0.0)),
                                                   "l2": float(value.get("l2", 0.0))})
    raise Keras3MappingError(f"{where}: regularizer {value!r} has no Keras 3 equivalent")


def _reg_from3(value, where: str):
    if value is None:
        return None
    cls = value.get("class_name") if isinstance(value, dict) else value
    config = value.get("config", {}) if isinstance(value, dict) else {}
    if cls in ("L1L2", "L1", "L2"):
        return {"name": "L1L2Regularizer", "l1": float(config.get("l1", 0.0) or 0.0),
                "l2": float(config.get("l2", 0.0) or 0.0)}
    raise Keras3MappingError(f"{where}: regularizer {cls!r} has no Keras 1 equivalent")


def _activation_to3(name, where: str, may_fold: bool) -> tuple:
    """``(keras3 name, fold?)``; hard_sigmoid folds into the weights where allowed."""
    if name in SAME_ACTIVATIONS:
        return name, False
    if name == "hard_sigmoid" and may_fold:
        return "hard_sigmoid", True
    if name == "hard_sigmoid":
        raise Keras3MappingError(f"{where}: Keras 3's hard_sigmoid is clip(x/6 + 0.5, 0, 1), "
                                 f"Keras 1's clip(0.2x + 0.5, 0, 1); it can only be exported "
                                 f"where it follows the layer's own weights")
    raise Keras3MappingError(f"{where}: activation {name!r} has no Keras 3 equivalent")


def _activation_from3(name, where: str, may_fold: bool) -> tuple:
    if isinstance(name, str) and name in SAME_ACTIVATIONS:
        return name, False
    if name == "hard_sigmoid" and may_fold:
        return "hard_sigmoid", True
    raise Keras3MappingError(f"{where}: activation {name!r} has no Keras 1 equivalent "
                             f"computing the same function")


def _neutral(value) -> bool:
    return value is None or value is False or (not isinstance(value, bool) and value == 0)


# ---- config, Keras 1 -> Keras 3 ----------------------------------------------------------------
def _merge_to3(config: dict, where: str) -> dict:
    mode = config.get("mode")
    if mode not in MERGE_MODES or config.get("mode_type", "raw") != "raw":
        raise Keras3MappingError(f"{where}: merge mode {mode!r} has no Keras 3 layer (a Python "
                                 f"function is never exported)")
    k3 = {"name": config["name"], "trainable": True, "dtype": "float32"}
    if mode == "concat":
        k3["axis"] = config.get("concat_axis", -1)
    if mode == "dot":
        k3.update(axes=_plain(config.get("dot_axes", -1)), normalize=False)
    return _obj("keras.layers", MERGE_MODES[mode], k3)


def _args_to3(spec: Spec, cls: str, config: dict, where: str) -> tuple:
    k3, folds = {}, {}
    for k1, key3, kind in spec.args:
        value = config.get(k1)
        if kind == "activation":
            may = spec.folds == "activation" or (spec.folds == "gates" and (
                k1 == "inner_activation" or cls == "GRU"))
            value, folds[k1] = _activation_to3(value, where, may)
        elif kind == "init":
            value = _init_to3(value, where)
        elif kind == "reg":
            value = _reg_to3(value, where)
        elif kind == "ordering":
            value = _ORDERING[value]
        elif kind == "tuple":
            value = [value] if value is not None else None
        elif kind == "padding" and value not in ("valid", "same"):
            raise Keras3MappingError(f"{where}: border_mode {value!r} has no Keras 3 padding")
        k3[key3] = _plain(value)
    return k3, folds


def _rnn_extras(cls: str, config: dict, k3: dict, where: str) -> None:
    # 1.2.2 quirk: 'cpu'/'mem' GRU and LSTM regularise U with W_regularizer
    quirk = cls in ("GRU", "LSTM") and config.get("consume_less") != "gpu"
    k3["recurrent_regularizer"] = _reg_to3(config.get("W_regularizer" if quirk else
                                                      "U_regularizer"), where)
    if cls == "LSTM":
        forget = config.get("forget_bias_init", "one")
        if forget not in ("one", "zero"):
            raise Keras3MappingError(f"{where}: forget_bias_init {forget!r} has no Keras 3 "
                                     f"equivalent (only 'one' and 'zero')")
        k3["unit_forget_bias"] = forget == "one"


def config_to_keras3(cls: str, config: dict) -> tuple:
    """``(keras3 entry, folds)`` for one layer; ``folds`` says which activations fold."""
    where = _where(config.get("name"), cls)
    if cls == "Merge":
        return _merge_to3(config, where), {}
    spec = LAYERS.get(cls)
    if spec is None:
        raise Keras3MappingError(f"{where} has no Keras 3 equivalent with the same mathematics")
    for k1 in spec.refuse:
        if not _neutral(config.get(k1)):
            raise Keras3MappingError(f"{where}: {k1}={config[k1]!r} has no exact Keras 3 "
                                     f"equivalent; only its neutral value can be exported")
    k3, folds = _args_to3(spec, cls, config, where)
    k3 = {"name": config["name"], "trainable": config.get("trainable", True),
          "dtype": "float32", **k3, **spec.fixed}
    if cls == "InputLayer":
        k3["dtype"] = config.get("input_dtype") or "float32"
    if cls == "Convolution2D":
        k3["kernel_size"] = [config["nb_row"], config["nb_col"]]
    if spec.weights in ("simple_rnn", "gru", "lstm"):
        _rnn_extras(cls, config, k3, where)
        k3["zero_output_for_mask"] = False  # Keras 1 repeats the last output at masked steps
    if any(folds.values()) and any(k3.get(k) for k in ("kernel_regularizer", "bias_regularizer",
                                                       "recurrent_regularizer")):
        raise Keras3MappingError(f"{where}: a regularized layer with hard_sigmoid cannot be "
                                 f"exported exactly (the exported weights are scaled by 1.2)")
    if spec.weights == "wrapper":
        inner = config["layer"]
        k3["layer"], _ = config_to_keras3(inner["class_name"], inner["config"])
    return _obj("keras.layers", spec.keras3, k3), folds


# ---- config, Keras 3 -> Keras 1 ----------------------------------------------------------------
_MERGE_FROM3 = {v: k for k, v in MERGE_MODES.items()}
_ORDERING_FROM3 = {v: k for k, v in _ORDERING.items()}


def _check_dtype(config: dict, where: str) -> None:
    dtype = config.get("dtype")
    name = dtype.get("config", {}).get("name") if isinstance(dtype, dict) else dtype
    if name not in (None, "float32"):
        raise Keras3MappingError(f"{where}: dtype policy {name!r} is not float32; only float32 "
                                 f"models are read")


def _merge_from3(cls: str, config: dict, where: str) -> dict:
    if cls == "Dot" and config.get("normalize"):
        raise Keras3MappingError(f"{where}: Dot(normalize=True) has no Keras 1 merge mode")
    return {"name": config["name"], "mode": _MERGE_FROM3[cls], "mode_type": "raw",
            "concat_axis": config.get("axis", -1) if cls == "Concatenate" else -1,
            "dot_axes": config.get("axes", -1) if cls == "Dot" else -1,
            "output_shape": None, "output_shape_type": "raw", "output_mask": None,
            "output_mask_type": "raw", "arguments": {}}


def _value_from3(kind: str, key1: str, key3: str, value, spec: Spec, cls: str, where: str, state: dict):
    if kind == "activation":
        may = spec.folds == "activation" or (spec.folds == "gates" and (
            key3 == "recurrent_activation" or cls == "GRU"))
        value, state["folds"][key1] = _activation_from3(value, where, may)
    elif kind == "init":
        value = _init_from3(value, where, state["inexact"])
    elif kind == "reg":
        value = _reg_from3(value, where)
    elif kind == "ordering":
        value = _ORDERING_FROM3[value]
    elif kind == "tuple" and value is not None:
        if len(value) != 1:
            raise Keras3MappingError(f"{where}: {key3}={value!r} is not a single number")
        value = value[0]
    elif kind == "padding" and value not in ("valid", "same"):
        raise Keras3MappingError(f"{where}: padding {value!r} has no Keras 1 border_mode")
    elif kind == "symmetric":
        value = _symmetric_from3(value, where)
    return tuple(value) if isinstance(value, list) and kind == "value" else value


def _symmetric_from3(value, where: str):
    """Keras 3 ``(before, after)`` paddings -> Keras 1's one number per axis."""
    if isinstance(value, int):
        return value
    pairs = [p if isinstance(p, (list, tuple)) else (p, p) for p in value]
    if len(value) == 2 and all(isinstance(p, int) for p in value):
        pairs = [tuple(value)] if "1D" in where else [(p, p) for p in value]
    if any(p[0] != p[1] for p in pairs):
        raise Keras3MappingError(f"{where}: asymmetric padding {value!r} has no Keras 1 "
                                 f"equivalent")
    return pairs[0][0] if len(pairs) == 1 else tuple(p[0] for p in pairs)


def _check_keys(spec: Spec, config: dict, mapped: set, where: str) -> None:
    for key, value in config.items():
        if key in mapped or key in NEUTRAL_KERAS3_KEYS or value is None:
            continue
        if key in spec.fixed:
            if _plain(value) != _plain(spec.fixed[key]):
                raise Keras3MappingError(f"{where}: {key}={value!r} has no Keras 1 equivalent "
                                         f"(only {spec.fixed[key]!r} can be read)")
            continue
        raise Keras3MappingError(f"{where}: argument {key}={value!r} has no Keras 1 equivalent")


def config_from_keras3(entry: dict, inexact: list) -> tuple:
    """``(keras1 class, keras1 config, folds)`` for one Keras 3 layer entry."""
    cls, config = entry.get("class_name"), dict(entry.get("config") or {})
    where = _where(config.get("name"), cls)
    if cls != "InputLayer":  # an InputLayer's dtype is its data's (int32 for Embedding)
        _check_dtype(config, where)
    if cls in _MERGE_FROM3:
        return "Merge", _merge_from3(cls, config, where), {}
    cls1 = keras3_classes().get(cls)
    if cls1 is None:
        raise Keras3MappingError(f"{where} has no Keras 1 equivalent with the same mathematics "
                                 f"(only built-in layers are read; no code runs from the file)")
    spec = LAYERS[cls1]
    state = {"folds": {}, "inexact": inexact}
    k1 = {"name": config["name"], "trainable": config.get("trainable", True)}
    mapped = {key3 for _, key3, _ in spec.args}
    for key1, key3, kind in spec.args:
        if key3 in config:
            k1[key1] = _value_from3(kind, key1, key3, config[key3], spec, cls1, where, state)
    if cls1 == "InputLayer":
        k1["input_dtype"] = k1.get("input_dtype") or "float32"
        k1.pop("trainable")
    if cls1 == "Convolution2D":
        k1["nb_row"], k1["nb_col"] = config["kernel_size"]
        mapped.add("kernel_size")
    if spec.weights in ("simple_rnn", "gru", "lstm"):
        k1["U_regularizer"] = _reg_from3(config.get("recurrent_regularizer"), where)
        mapped.add("recurrent_regularizer")
        if cls1 == "LSTM":
            k1["forget_bias_init"] = "one" if config.get("unit_forget_bias", True) else "zero"
        mapped.add("zero_output_for_mask")
        state["folds"]["zeroes_masked_steps"] = bool(
            config.get("zero_output_for_mask") and config.get("return_sequences"))
    if spec.weights == "wrapper":
        inner_cls, inner, inner_folds = config_from_keras3(config["layer"], inexact)
        k1["layer"] = {"class_name": inner_cls, "config": inner}
        state["folds"]["zeroes_masked_steps"] = inner_folds.get("zeroes_masked_steps", False)
    _check_keys(spec, config, mapped, where)
    return cls1, k1, state["folds"]


def warn_inexact(inexact: list) -> None:
    """Initializers only matter if a layer is initialised again; say which ones differ."""
    if inexact:
        warnings.warn("Keras 3 initializers with no exact Keras 1 equivalent (the loaded "
                      "weights are exact; only re-initialisation would differ): "
                      + "; ".join(inexact), stacklevel=3)

