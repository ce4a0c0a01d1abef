"""The compile arguments (optimizer, loss, metrics) between Keras 1 and Keras 3.

Only what updates and scores alike is mapped (tables in ``keras3_mapping``):
Keras 1's time decay ``lr / (1 + decay * iterations)`` becomes Keras 3's
``InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)``; Keras 1's
``clipnorm`` (one norm over all gradients) is Keras 3's ``global_clipnorm``.
Anything else is refused on export; on import a compile configuration that
cannot be mapped leaves the model uncompiled, with a warning saying why.
"""
from __future__ import annotations

from .keras3_mapping import LOSSES, METRICS, OPTIMIZER_DIFFERENCES, OPTIMIZERS, Keras3MappingError


def _name(value) -> str:
    return value if isinstance(value, str) else getattr(value, "__name__", repr(value))


def _map_names(value, table: dict, what: str):
    """A name, list or dict of names through ``table``; an unknown name is refused."""
    if isinstance(value, dict):
        return {k: _map_names(v, table, what) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_map_names(v, table, what) for v in value]
    name = _name(value)
    if name not in table:
        raise Keras3MappingError(f"{what} {name!r} has no Keras 3 equivalent computing the "
                                 f"same value")
    return table[name]


def _optimizer_to3(optimizer) -> dict:
    cls = type(optimizer).__name__
    if cls not in OPTIMIZERS:
        why = OPTIMIZER_DIFFERENCES.get(cls, "no Keras 3 optimizer updates the same way")
        raise Keras3MappingError(f"optimizer {cls}: {why}. Compile with SGD, Adam, Adamax or "
                                 f"Adadelta before saving to .keras, or save with "
                                 f"save_keras3(model, path, include_optimizer=False)")
    k3cls, renames = OPTIMIZERS[cls]
    config = optimizer.get_config()
    k3 = {"name": k3cls.lower()}
    for k1, key3 in renames.items():
        k3[key3] = float(config[k1]) if not isinstance(config[k1], bool) else config[k1]
    if config.get("decay"):
        k3["learning_rate"] = {"module": "keras.optimizers.schedules",
                               "class_name": "InverseTimeDecay", "registered_name": None,
                               "config": {"initial_learning_rate": k3["learning_rate"],
                                          "decay_steps": 1, "decay_rate": float(config["decay"]),
                                          "staircase": False}}
    if config.get("clipnorm"):
        k3["global_clipnorm"] = float(config["clipnorm"])
    if config.get("clipvalue"):
        k3["clipvalue"] = float(config["clipvalue"])
    return {"module": "keras.optimizers", "class_name": k3cls, "config": k3,
            "registered_name": None}


def compile_config_to_keras3(model, include_optimizer: bool = True) -> dict | None:
    """Keras 3's ``compile_config`` for a compiled model; None if not compiled."""
    if not include_optimizer or not getattr(model, "_compiled", False):
        return None
    if model.sample_weight_mode not in (None, "temporal") and \
            not isinstance(model.sample_weight_mode, (list, dict)):
        raise Keras3MappingError(f"sample_weight_mode {model.sample_weight_mode!r} cannot be "
                                 f"exported")
    metrics = _map_names(model.metrics or [], METRICS, "metric")
    n_outputs = len(model.outputs)
    if isinstance(metrics, list) and n_outputs > 1:
        metrics = [list(metrics) for _ in range(n_outputs)]  # Keras 1 applies them to each
    return {"optimizer": _optimizer_to3(model.optimizer),
            "loss": _map_names(model.loss, LOSSES, "loss"),
            "loss_weights": model.loss_weights, "metrics": metrics or None,
            "weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1,
            "jit_compile": True}


# ---- Keras 3 -> Keras 1 ----------------------------------------------------------------------
def _optimizer_from3(entry: dict):
    from .. import optimizers
    cls = entry.get("class_name") if isinstance(entry, dict) else entry
    config = entry.get("config", {}) if isinstance(entry, dict) else {}
    k1cls = {v[0]: k for k, v in OPTIMIZERS.items()}.get(cls)
    if k1cls is None:
        raise Keras3MappingError(f"optimizer {cls!r} has no Keras 1 equivalent")
    for key in ("weight_decay", "use_ema", "gradient_accumulation_steps", "clipnorm",
                "loss_scale_factor", "amsgrad", "centered"):
        if config.get(key):
            raise Keras3MappingError(f"optimizer {cls}: {key}={config[key]!r} has no Keras 1 "
                                     f"equivalent")
    kwargs = {}
    for k1, key3 in OPTIMIZERS[k1cls][1].items():
        if key3 in config:
            kwargs[k1] = config[key3]
    lr = kwargs.get("lr")
    if isinstance(lr, dict):
        schedule = lr.get("config", {})
        if lr.get("class_name") != "InverseTimeDecay" or schedule.get("decay_steps") != 1 or \
                schedule.get("staircase"):
            raise Keras3MappingError(f"optimizer {cls}: learning-rate schedule "
                                     f"{lr.get('class_name')!r} has no Keras 1 equivalent")
        kwargs["lr"], kwargs["decay"] = schedule["initial_learning_rate"], schedule["decay_rate"]
    if config.get("global_clipnorm"):
        kwargs["clipnorm"] = config["global_clipnorm"]
    if config.get("clipvalue"):
        kwargs["clipvalue"] = config["clipvalue"]
    return getattr(optimizers, k1cls)(**kwargs)


def compile_config_from_keras3(config: dict) -> dict:
    """``model.compile`` keyword arguments from Keras 3's ``compile_config``."""
    inverse_loss = {v: v for v in LOSSES.values()}
    inverse_loss.update({"mse": "mse", "mae": "mae", "mape": "mape", "msle": "msle",
                         "kl_divergence": "kullback_leibler_divergence"})
    inverse_metrics = {**inverse_loss, "accuracy": "accuracy", "acc": "accuracy"}
    metrics = config.get("metrics") or []
    if isinstance(metrics, list) and metrics and all(isinstance(m, list) for m in metrics):
        if any(m != metrics[0] for m in metrics):
            raise Keras3MappingError("per-output metrics differ; Keras 1 applies one list to "
                                     "every output")
        metrics = metrics[0]
    return {"optimizer": _optimizer_from3(config.get("optimizer")),
            "loss": _map_names(config.get("loss"), inverse_loss, "loss"),
            "metrics": _map_names(metrics, inverse_metrics, "metric"),
            "loss_weights": config.get("loss_weights")}
