"""Small assertions whose messages speak the learner's language."""
from __future__ import annotations

import numpy as np


def close(got, expected, what: str, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """Assert ``got`` has ``expected``'s shape and values, naming ``what`` when not."""
    got, expected = np.asarray(got), np.asarray(expected)
    if got.shape != expected.shape:
        raise AssertionError(f"{what}: expected shape {expected.shape}, got {got.shape}")
    if not np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=False):
        worst = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape) if got.ndim else ()
        raise AssertionError(f"{what}: wrong values; at index {tuple(int(i) for i in worst)} "
                             f"expected {expected[worst]!r}, got {got[worst]!r}")


def require(condition: bool, message: str) -> None:
    """``assert`` that survives ``python -O`` and carries a learner-facing message."""
    if not condition:
        raise AssertionError(message)
