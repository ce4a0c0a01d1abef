"""Keras tensors captured in a loss: the value they have in the batch being scored.

Keras 1 scripts often write losses that close over intermediate Keras tensors,
e.g. the KL term of ``variational_autoencoder.py``::

    def vae_loss(x, x_decoded_mean):
        kl = -0.5 * K.sum(1 + z_log_var - K.square(z_mean) - K.exp(z_log_var), axis=-1)

In Keras 1 everything was symbolic, so this just worked.  Here a KerasTensor
has no value of its own; while a model computes its losses and metrics it
*binds* the real Tensors of the current forward pass (:func:`bind_values`),
and :func:`resolve` turns a KerasTensor into the bound Tensor - with its graph,
so the gradient flows back through it.  Arithmetic operators on KerasTensors
resolve the same way.  Outside a binding, using a KerasTensor as a value is a
clear error.
"""
from __future__ import annotations

import contextlib

from .topology import KerasTensor

_STACK: list = []  # dicts {id(KerasTensor): Tensor}, innermost binding last


class GraphNeeded(Exception):
    """Raised by ``K.gradients`` inside a loss or metric when the batch was run without
    the graph it needs (the model inputs do not require grad, or recording was off,
    as in ``evaluate``).  The model catches it once, remembers, and scores the batch again
    with the inputs requiring grad and recording on (see ``engine/training.py``)."""


def scoring() -> bool:
    """True while a model is scoring a batch (inside its losses and metrics)."""
    return bool(_STACK)


@contextlib.contextmanager
def bind_values(values: dict):
    """Within the block, :func:`resolve` maps ``id(keras_tensor)`` to ``values[...]``."""
    _STACK.append(values)
    try:
        yield
    finally:
        _STACK.pop()


def resolve(x):
    """``x`` itself, or for a KerasTensor the Tensor bound to it by the running model."""
    if not isinstance(x, KerasTensor):
        return x
    for values in reversed(_STACK):
        if id(x) in values:
            return values[id(x)]
    raise ValueError(f"The Keras tensor {x.name!r} (shape {x.shape}) is symbolic: it has a value "
                     f"only while a model that computes it scores a batch (inside its loss or "
                     f"metric functions). Use it in a layer call (e.g. Lambda or merge) to "
                     f"compute with it, or in a loss/metric of a model that contains it.")


def _resolving(name: str):
    def method(self, *args):
        return getattr(resolve(self), name)(*(resolve(a) for a in args))
    method.__name__ = name
    method.__doc__ = f"``{name}`` on the value bound to this Keras tensor (see bound_values)."
    return method


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__truediv__", "__rtruediv__", "__pow__", "__rpow__", "__matmul__",
              "__rmatmul__", "__neg__", "__abs__", "__getitem__"):
    setattr(KerasTensor, _name, _resolving(_name))
