"""Small helpers shared by the layer modules: argument checks, config pieces,
and storing user functions (Lambda, callable Merge modes) by name.

Project decision 5: a config never holds code.  A named function is stored by
its name and comes back only from ``custom_objects``; a lambda cannot come back
at all, and the error says so.
"""
from __future__ import annotations

import inspect

import numpy as np

from .. import backend as K
from ..autodiff import Tensor, no_grad


def check_positive_int(value, arg: str, layer: str) -> int:
    """``value`` as an int, or a ValueError naming ``layer`` and ``arg``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{layer}: `{arg}` must be a positive integer, got {value!r}")
    return int(value)


def check_min_ndim(layer, input_shape, min_ndim: int) -> None:
    """Raise naming ``layer`` unless the input (batch axis included) has >= min_ndim axes."""
    if len(input_shape) < min_ndim:
        raise ValueError(f"Input is incompatible with layer {layer.name}: expected "
                         f"ndim>={min_ndim}, found ndim={len(input_shape)} "
                         f"(shape {tuple(input_shape)})")


def get_regularizer(identifier):
    """``regularizers.get`` that keeps ``None`` as ``None``."""
    from .. import regularizers
    return None if identifier is None else regularizers.get(identifier)


def get_constraint(identifier):
    """``constraints.get`` that keeps ``None`` as ``None``."""
    from .. import constraints
    return None if identifier is None else constraints.get(identifier)


def get_initializer(identifier):
    from .. import initializations
    return initializations.get(identifier)


def get_activation(identifier):
    from .. import activations
    return activations.get(identifier)


def config_of(obj):
    """A regularizer/constraint as its config dict (None stays None)."""
    return None if obj is None else obj.get_config()


def name_of(fn) -> str:
    """The name Keras 1 stores for an init or activation function."""
    return getattr(fn, "__name__", type(fn).__name__)


def param_shape(layer_name: str, input_shape, shared_axes) -> tuple:
    """Shape of a per-unit parameter over ``input_shape[1:]``, with size 1 on the
    ``shared_axes`` (numbered with the batch axis as 0, as in Keras 1)."""
    shape = list(input_shape[1:])
    for axis in shared_axes or []:
        if not 1 <= axis <= len(shape):
            raise ValueError(f"{layer_name}: shared_axes entries must be in 1..{len(shape)} "
                             f"for input shape {tuple(input_shape)}, got {axis}")
        shape[axis - 1] = 1
    if any(d is None for d in shape):
        raise ValueError(f"{layer_name}: the input shape {tuple(input_shape)} has an unknown "
                         f"axis; share the parameters along it with shared_axes")
    return tuple(shape)


def as_axis_list(shared_axes):
    if shared_axes is None:
        return None
    return [shared_axes] if isinstance(shared_axes, int) else list(shared_axes)


# ---- functions in configs ----------------------------------------------------------
def accepts_mask(fn) -> bool:
    """Whether ``fn`` has a parameter called ``mask`` (then Keras passes the mask)."""
    try:
        return "mask" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def serialize_function(value):
    """``(stored, type)``: a callable by name (``'function'`` or ``'lambda'``), data raw."""
    if not callable(value):
        return value, "raw"
    name = getattr(value, "__name__", type(value).__name__)
    return name, "lambda" if name == "<lambda>" else "function"


def deserialize_function(stored, kind: str, custom_objects, what: str):
    """Inverse of :func:`serialize_function`; functions only from ``custom_objects``.

    ``what`` names the layer argument for the error, e.g. ``"Lambda layer lambda_1
    `function`"``.
    """
    if kind in (None, "raw"):
        return tuple(stored) if isinstance(stored, list) else stored
    if kind == "lambda":
        raise ValueError(f"{what} was a lambda; tinygrad_keras never stores code in a config, "
                         f"so it cannot be rebuilt. Define it as a named function (def ...) "
                         f"and pass it in custom_objects={{'name': function}}.")
    custom_objects = custom_objects or {}
    if stored not in custom_objects:
        raise ValueError(f"{what} is the function {stored!r}, which is not in custom_objects "
                         f"(got {sorted(custom_objects)}); pass custom_objects={{{stored!r}: "
                         f"{stored}}} to rebuild it.")
    return custom_objects[stored]


# ---- output shapes of user functions -------------------------------------------------
def infer_output_shape(run, input_shape, what: str) -> tuple:
    """The output shape of ``run(dummy_inputs)``, batch axis as in the input.

    ``run`` is called on ones twice, unknown axes sized 2 and then 3; an output
    axis whose size differs between the runs is unknown (``None``).  ``what``
    names the layer for the error raised when the function cannot be run.
    """
    first, second = (_dummy_output_shape(run, input_shape, n, what) for n in (2, 3))
    batch = input_shape[0][0] if isinstance(input_shape, list) else input_shape[0]
    if len(first) != len(second):
        raise ValueError(f"{what}: cannot infer the output shape (its rank depends on unknown "
                         f"input axes); pass `output_shape`")
    return (batch,) + tuple(a if a == b else None for a, b in zip(first[1:], second[1:]))


def _dummy_output_shape(run, input_shape, unknown: int, what: str) -> tuple:
    def ones(shape):
        return Tensor(np.ones([unknown if d is None else d for d in shape], dtype=K.floatx()))
    dummy = [ones(s) for s in input_shape] if isinstance(input_shape, list) else \
        ones(input_shape)
    try:
        with no_grad(), np.errstate(all="ignore"):
            out = run(dummy)
    except Exception as err:  # the user's function: any failure means "cannot infer"
        raise ValueError(f"{what}: cannot infer the output shape by running the function on "
                         f"inputs of shape {input_shape} ({type(err).__name__}: {err}); pass "
                         f"`output_shape`") from err
    if not isinstance(out, Tensor):
        raise TypeError(f"{what}: the function must return one Tensor, got "
                        f"{type(out).__name__}; pass `output_shape` for other outputs")
    return tuple(out.shape)
