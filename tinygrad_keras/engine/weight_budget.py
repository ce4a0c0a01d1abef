"""Refuse to allocate weights that a file being loaded cannot fill.

A model file states its architecture (JSON) and its arrays separately, so a
damaged or hostile config can declare layers far larger than the arrays it
ships: ``Dense(60000)`` on a 60000-wide input asks for 3.6 billion values.
While a model is rebuilt from a file, :func:`weight_budget` allows the layers
to create at most as many values as the file's arrays hold; ``Layer.add_weight``
calls :func:`charge` *before* drawing initial values, so an oversized
declaration is refused before anything is allocated.
"""
from __future__ import annotations

import contextlib
import contextvars

import numpy as np

from .hdf5_format import WeightFileError

_BUDGET = contextvars.ContextVar("weight_budget", default=None)


class WeightBudgetError(WeightFileError):
    """The config declares more weight values than the file's arrays hold."""


@contextlib.contextmanager
def weight_budget(values: int, source: str):
    """Within the block, layers may create at most ``values`` weight values in total."""
    token = _BUDGET.set({"left": int(values), "source": source})
    try:
        yield
    finally:
        _BUDGET.reset(token)


def charge(shape, layer_name: str) -> None:
    """Count a new weight of ``shape`` against the budget (no-op outside ``weight_budget``)."""
    budget = _BUDGET.get()
    if budget is None:
        return
    size = int(np.prod([int(d) for d in shape], dtype=np.float64)) if len(shape) else 1
    if size > budget["left"]:
        raise WeightBudgetError(f"{budget['source']}: layer {layer_name!r} declares a weight of "
                                f"shape {tuple(shape)} ({size} values), but the file's arrays "
                                f"hold only {budget['left']} values not yet claimed: its config "
                                f"does not match its weights (nothing was allocated)")
    budget["left"] -= size
