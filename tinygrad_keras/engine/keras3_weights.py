"""One layer's weights, Keras 1 ``get_weights()`` order <-> Keras 3 ``model.weights.h5`` groups.

Keras 3 stores a layer's variables as ``<layer group>/vars/0, 1, ...``; a
recurrent layer keeps them in its cell (``cell/vars``), ``TimeDistributed`` in
``layer/...`` and ``Bidirectional`` in ``forward_layer/...`` and
``backward_layer/...``.  The kinds (``LAYERS[...].weights``):

* ``same`` - the arrays as they are (Dense ``(in, units)``, Embedding, BatchNormalization
  ``gamma, beta, mean, variance``);
* ``conv2d`` - ``'th'`` kernels ``(filters, in, r, c)`` <-> ``(r, c, in, filters)``;
* ``conv1d`` - ``(k, 1, in, filters)`` <-> ``(k, in, filters)``;
* ``lstm`` / ``gru`` / ``simple_rnn`` - Keras 1's per-gate ``W_g, U_g, b_g`` (listed
  i, c, f, o for LSTM, z, r, h for GRU) <-> fused ``kernel, recurrent_kernel, bias``
  in Keras 3's gate order (i, f, c, o; z, r, h).

Folding hard_sigmoid (see ``keras3_mapping``) scales the gate columns by 1.2 on
export and divides them by 1.2 on import.
"""
from __future__ import annotations

import numpy as np

from .keras3_mapping import HARD_SIGMOID_SCALE, LAYERS, hard_sigmoid_columns

_LSTM_K1 = "icfo"   # Keras 1 get_weights() gate order ('cpu'/'mem')
_LSTM_K3 = "ifco"   # Keras 3 fused order (also Keras 1 'gpu')
_GRU = "zrh"


def _f64(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


def _scale_columns(arrays: list, kind: str, units: int, inner: bool, factor: float) -> list:
    """``arrays`` (kernel[, recurrent kernel][, bias]) with the hard-sigmoid columns scaled."""
    out = []
    for a in arrays:
        a = _f64(a).copy()
        for start, stop in hard_sigmoid_columns(kind, units, inner):
            a[..., start:stop] *= factor
        out.append(a)
    return out


def _fold(kind: str, config: dict, arrays: list, folds: dict, factor: float) -> list:
    units = config.get("output_dim") or config.get("nb_filter") or 0
    if folds.get("activation"):
        arrays = _scale_columns(arrays, kind, units, False, factor)
    if folds.get("inner_activation"):
        arrays = _scale_columns(arrays, kind, units, True, factor)
    return arrays


def _fuse(arrays: list, k1_order: str, k3_order: str) -> list:
    """Per-gate ``[W, U, b] * gates`` in ``k1_order`` -> fused ``[W, U, b]`` in ``k3_order``."""
    blocks = {g: arrays[3 * i:3 * i + 3] for i, g in enumerate(k1_order)}
    return [np.concatenate([_f64(blocks[g][j]) for g in k3_order], axis=-1) for j in range(3)]


def _split(fused: list, units: int, k1_order: str, k3_order: str) -> list:
    pieces = {g: [a[..., i * units:(i + 1) * units] for a in fused]
              for i, g in enumerate(k3_order)}
    return [p for g in k1_order for p in pieces[g]]


def _cell_to3(kind: str, config: dict, arrays: list) -> list:
    if kind == "simple_rnn" or config.get("consume_less") == "gpu":
        return [_f64(a) for a in arrays]
    return _fuse(arrays, _LSTM_K1 if kind == "lstm" else _GRU, _LSTM_K3 if kind == "lstm"
                 else _GRU)


def weights_to_keras3(cls: str, config: dict, arrays: list, folds: dict) -> list:
    """``[(path, arrays)]`` for one Keras 1 layer (``folds`` from ``config_to_keras3``)."""
    kind = LAYERS[cls].weights if cls in LAYERS else "same"
    if kind == "wrapper":
        inner = config["layer"]
        inner_folds = _inner_folds(inner)
        if cls == "TimeDistributed":
            return [("vars", [])] + _prefixed("layer", inner, arrays, inner_folds)
        half = len(arrays) // 2
        return ([("vars", [])] + _prefixed("backward_layer", inner, arrays[half:], inner_folds)
                + _prefixed("forward_layer", inner, arrays[:half], inner_folds))
    if kind in ("simple_rnn", "gru", "lstm"):
        fused = _fold(kind, config, _cell_to3(kind, config, arrays), folds, HARD_SIGMOID_SCALE)
        return [("vars", []), ("cell/vars", [a.astype(np.float32) for a in fused])]
    arrays = [_f64(a) for a in arrays]
    if kind == "conv2d" and config.get("dim_ordering") == "th" and arrays:
        arrays[0] = arrays[0].transpose(2, 3, 1, 0)
    if kind == "conv1d" and arrays:
        k, _, c, f = arrays[0].shape
        arrays[0] = arrays[0].reshape(k, c, f)
    arrays = _fold(kind, config, arrays, folds, HARD_SIGMOID_SCALE)
    return [("vars", [a.astype(np.float32) for a in arrays])]


def _inner_folds(entry: dict) -> dict:
    config = entry["config"]
    return {k: config.get(k) == "hard_sigmoid" for k in ("activation", "inner_activation")
            if LAYERS.get(entry["class_name"], None) is not None
            and LAYERS[entry["class_name"]].folds is not None}


def _prefixed(prefix: str, entry: dict, arrays: list, folds: dict) -> list:
    inner = weights_to_keras3(entry["class_name"], entry["config"], arrays, folds)
    return [(f"{prefix}/{path}", a) for path, a in inner]


# ---- Keras 3 -> Keras 1 ------------------------------------------------------------------
def keras3_paths(cls1: str, config1: dict) -> list:
    """The groups under a layer's own group that hold its variables, in Keras 1 order."""
    kind = LAYERS[cls1].weights if cls1 in LAYERS else "same"
    if kind in ("simple_rnn", "gru", "lstm"):
        return ["cell/vars"]
    if kind == "wrapper":
        inner = keras3_paths(config1["layer"]["class_name"], config1["layer"]["config"])
        if cls1 == "TimeDistributed":
            return [f"layer/{p}" for p in inner]
        return [f"forward_layer/{p}" for p in inner] + [f"backward_layer/{p}" for p in inner]
    return ["vars"]


def weights_from_keras3(cls1: str, config1: dict, groups: list, folds: dict) -> list:
    """Keras 1 ``get_weights()`` arrays from the arrays of ``keras3_paths`` (same order)."""
    kind = LAYERS[cls1].weights if cls1 in LAYERS else "same"
    if kind == "wrapper":
        inner = config1["layer"]
        inner_folds = _inner_folds(inner)
        half = len(groups) // 2 if cls1 == "Bidirectional" else len(groups)
        out = weights_from_keras3(inner["class_name"], inner["config"], groups[:half],
                                  inner_folds)
        if cls1 == "Bidirectional":
            out += weights_from_keras3(inner["class_name"], inner["config"], groups[half:],
                                       inner_folds)
        return out
    arrays = [_f64(a) for group in groups for a in group]
    arrays = _fold(kind, config1, arrays, folds, 1.0 / HARD_SIGMOID_SCALE)
    if kind == "conv2d" and config1.get("dim_ordering") == "th" and arrays:
        arrays[0] = arrays[0].transpose(3, 2, 0, 1)
    if kind == "conv1d" and arrays:
        k, c, f = arrays[0].shape
        arrays[0] = arrays[0].reshape(k, 1, c, f)
    if kind in ("gru", "lstm") and len(arrays) == 3:
        units = config1["output_dim"]
        order = (_LSTM_K1, _LSTM_K3) if kind == "lstm" else (_GRU, _GRU)
        arrays = _split(arrays, units, *order)
    return [a.astype(np.float32) for a in arrays]
