"""Switching graph recording on and off.

While recording is off (inside ``with no_grad():`` or a function decorated with
``@no_grad()``), operations compute their values but remember no parents, so no
backward graph is built and nothing is kept alive for it.  Optimizers update
weights this way, and ``predict``/``evaluate`` run entirely inside it.
"""
from __future__ import annotations

import contextlib

_state = {"enabled": True}


def is_grad_enabled() -> bool:
    """True when new operations record their graph."""
    return _state["enabled"]


def set_grad_enabled(flag: bool) -> None:
    """Switch graph recording on or off for the whole process."""
    _state["enabled"] = bool(flag)


class no_grad(contextlib.ContextDecorator):
    """Context manager *and* decorator that turns graph recording off.

    >>> from tinygrad_keras import Tensor, no_grad
    >>> w = Tensor([1.0, 2.0], requires_grad=True)
    >>> with no_grad():
    ...     y = w * 2
    >>> y.requires_grad, y.op
    (False, None)
    """

    def __enter__(self):
        self._previous = _state["enabled"]
        _state["enabled"] = False
        return self

    def __exit__(self, *exc):
        _state["enabled"] = self._previous
        return False


class enable_grad(contextlib.ContextDecorator):
    """The opposite of :class:`no_grad`: record the graph inside the block."""

    def __enter__(self):
        self._previous = _state["enabled"]
        _state["enabled"] = True
        return self

    def __exit__(self, *exc):
        _state["enabled"] = self._previous
        return False
