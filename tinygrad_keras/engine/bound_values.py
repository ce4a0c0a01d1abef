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
resolve the same way.  Outside a binding, backend functions and operators on
KerasTensors record the call for ``K.function`` (``_backend/deferred.py``), and
using a KerasTensor as a value is a clear error.

The machinery lives one floor down, in ``_backend/symbolic.py`` (the backend's
``K.function`` and losses need it without importing the engine); this module keeps
the engine's import path.
"""
from .._backend.symbolic import _STACK, GraphNeeded, bind_values, resolve, scoring  # noqa: F401

__all__ = ["GraphNeeded", "bind_values", "resolve", "scoring"]
