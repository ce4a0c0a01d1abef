"""The Keras 1 backend (``import keras.backend as K``) on tinygrad_keras Tensors.

Every function here takes and returns Tensors and runs at once; given a Keras
tensor outside a model (``layer.output``, ``K.placeholder``) the math functions
record the call instead, and ``K.function`` computes it (``_backend/deferred.py``).
This file holds the global configuration (floatx, epsilon,
image ordering, the learning phase, name counters) and variables; the math
functions live in ``tinygrad_keras/_backend/`` (one file per topic: creation,
math_ops, shape_ops, nn, conv, graph) and are re-exported here, so users write
``K.sum``, ``K.batch_dot``, ``K.function`` as in Keras 1.

>>> from tinygrad_keras import backend as K
>>> x = K.variable([[1.0, 2.0], [3.0, 4.0]])
>>> K.eval(K.sum(K.square(x), axis=1)).tolist()
[5.0, 25.0]
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from ._backend.config_file import read_user_config
from .autodiff import Tensor, no_grad
from .autodiff import functional as F

_config = {"floatx": "float32", "epsilon": 1e-7, "image_dim_ordering": "th",
           "legacy_weight_ordering": False}
# ~/.keras/keras.json (or $KERAS_HOME/keras.json) overrides the defaults above; never written
_config.update(read_user_config())
_uids: dict = defaultdict(int)
_phase = {"value": 0}


# ---- configuration ------------------------------------------------------------------
def backend() -> str:
    """The name of this backend (project decision: no pretending to be TF/Theano)."""
    return "tinygrad_keras"


def floatx() -> str:
    return _config["floatx"]


def set_floatx(floatx: str) -> None:  # parameter named as in Keras 1.2.2 (keyword calls)
    if floatx not in ("float16", "float32", "float64"):
        raise ValueError(f"Unknown floatx type: {floatx!r}; expected float16, float32 or float64")
    _config["floatx"] = str(floatx)


def cast_to_floatx(x) -> np.ndarray:
    return np.asarray(x, dtype=_config["floatx"])


def epsilon() -> float:
    """The fuzz factor used in losses and constraints (1e-7, as in Keras 1.2.2)."""
    return _config["epsilon"]


def set_epsilon(e: float) -> None:
    _config["epsilon"] = float(e)


def image_dim_ordering() -> str:
    """``'th'`` (channels first, the project default) or ``'tf'`` (channels last)."""
    return _config["image_dim_ordering"]


def set_image_dim_ordering(dim_ordering: str) -> None:
    if dim_ordering not in ("th", "tf"):
        raise ValueError(f"Unknown dim_ordering: {dim_ordering!r}; expected 'th' or 'tf'")
    _config["image_dim_ordering"] = str(dim_ordering)


def legacy_weight_ordering() -> bool:
    """Whether models order same-depth layers by name (Keras < 1.0 files), not graph order."""
    return _config["legacy_weight_ordering"]


def set_legacy_weight_ordering(value: bool) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"set_legacy_weight_ordering expects True or False, got {value!r}")
    _config["legacy_weight_ordering"] = value


def get_uid(prefix: str = "") -> int:
    """Per-prefix counter behind default layer names (``dense_1``, ``dense_2``, ...)."""
    _uids[prefix] += 1
    return _uids[prefix]


def reset_uids() -> None:
    _uids.clear()


def clear_session() -> None:
    """Reset the layer-name counters (there is no graph to clear)."""
    reset_uids()


# ---- the learning phase ----------------------------------------------------------
def learning_phase() -> int:
    """1 while training (dropout and noise active), 0 otherwise."""
    return _phase["value"]


def set_learning_phase(value: int) -> None:
    if value not in (0, 1):
        raise ValueError(f"Expected learning phase to be 0 or 1, got {value!r}")
    _phase["value"] = int(value)


def in_train_phase(x, alt):
    """``x`` while training, ``alt`` otherwise (callables are called first)."""
    chosen = x if _phase["value"] == 1 else alt
    return chosen() if callable(chosen) else chosen


def in_test_phase(x, alt):
    return in_train_phase(alt, x)


# ---- variables -------------------------------------------------------------------
def variable(value, dtype=None, name=None) -> Tensor:
    """A trainable Tensor holding a copy of ``value`` (in ``floatx`` by default)."""
    arr = np.array(value.data if isinstance(value, Tensor) else value, dtype=dtype or floatx())
    return Tensor(arr, requires_grad=True, name=name)


def get_value(x) -> np.ndarray:
    """The numpy value of a variable (a copy)."""
    if isinstance(x, Tensor):
        return x.data.copy()
    return np.array(x)


def batch_get_value(xs) -> list:
    return [get_value(x) for x in xs]


def set_value(x: Tensor, value) -> None:
    """Overwrite a variable's value in place (its shape must not change)."""
    value = np.asarray(value, dtype=x.dtype)
    if value.shape != x.shape:
        raise ValueError(f"set_value: variable {x.name or ''} has shape {x.shape}, "
                         f"the new value has shape {value.shape}")
    x.data = value.copy()


def batch_set_value(tuples) -> None:
    """``set_value(x, value)`` for each pair ``(x, value)`` of ``tuples``."""
    for x, value in tuples:
        set_value(x, value)


def is_keras_tensor(x) -> bool:
    from ._backend.symbolic import KerasTensor
    return isinstance(x, KerasTensor)


# ---- the math part: split by topic into tinygrad_keras/_backend/ -----------------
from ._backend.compat import *
from ._backend.conv import *
from ._backend.creation import *
from ._backend.ctc import *
from ._backend.deferred import deferred_names as _deferred_names
from ._backend.deferred import install as _install_deferred
from ._backend.graph import *
from ._backend.math_ops import *
from ._backend.nn import *
from ._backend.shape_ops import *

# on Keras tensors outside a model (no value yet) these record the call for K.function
_install_deferred(globals(), _deferred_names())

__all__ = [name for name in dir() if not name.startswith("_")]
# F and no_grad stay importable from here for code written against the first version
_ = (F, no_grad)
