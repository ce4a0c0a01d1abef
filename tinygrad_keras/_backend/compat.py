"""Keras 1.2.2 backend functions about sparse tensors, shapes and sessions.

Both 1.2.2 backends had sparse tensors (Theano's ``theano.sparse``, TensorFlow's
``SparseTensor``).  Here a sparse value is a scipy-style sparse matrix (anything
with ``toarray()`` and ``nnz``; this module does not import scipy), and a symbolic
``K.placeholder(..., sparse=True)`` / ``Input(sparse=True)`` remembers the flag.  The
operations themselves are dense: ``to_dense`` is how a sparse value enters them.  TensorFlow's sessions have no
counterpart: there is no graph to run, so asking for one is an error that says so.
"""
from __future__ import annotations

import numpy as np

from ..autodiff import Tensor

__all__ = ["get_session", "is_explicit_shape", "is_sparse", "manual_variable_initialization",
           "set_session", "to_dense"]

_manual_init = {"value": False}


def _is_sparse_matrix(x) -> bool:
    return hasattr(x, "toarray") and hasattr(x, "nnz")


def is_sparse(tensor) -> bool:
    """True for a sparse matrix and for a placeholder/Input made with ``sparse=True``."""
    if _is_sparse_matrix(tensor):
        return True
    history = getattr(tensor, "_keras_history", None)
    return bool(history is not None and getattr(history[0], "sparse", False))


def to_dense(tensor):
    """A sparse matrix as a dense Tensor; anything else is returned unchanged."""
    if _is_sparse_matrix(tensor):
        return Tensor(np.asarray(tensor.toarray()))
    return tensor


def is_explicit_shape(shape) -> bool:
    """True when ``shape`` is a sequence of ints and Nones (no symbolic sizes)."""
    if not hasattr(shape, "__iter__"):
        return False
    return all(d is None or isinstance(d, (int, np.integer)) for d in shape)


def manual_variable_initialization(value: bool) -> None:
    """Keras 1.2.2 (TensorFlow) flag: leave variable initialization to the user.

    Every variable here is created holding its initial value and nothing ever
    re-initializes it, which is what ``True`` asked TensorFlow for; the flag is kept
    (and checked) so scripts that set it run unchanged.
    """
    if not isinstance(value, bool):
        raise TypeError(f"manual_variable_initialization expects True or False, got {value!r}")
    _manual_init["value"] = value


_NO_SESSION = ("K.{name}: TensorFlow sessions only make sense on the TensorFlow backend. "
               "tinygrad_keras runs every operation at once on numpy arrays, so there is no "
               "session to {verb}; remove the call (values are read with K.get_value/K.eval).")


def get_session():
    """TensorFlow-only in Keras 1.2.2: raises a RuntimeError that explains why."""
    raise RuntimeError(_NO_SESSION.format(name="get_session()", verb="get"))


def set_session(session) -> None:
    """TensorFlow-only in Keras 1.2.2: raises a RuntimeError that explains why."""
    raise RuntimeError(_NO_SESSION.format(name="set_session(session)", verb="set"))
