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


class _GradMode(contextlib.ContextDecorator):
    """Sets recording to ``enabled`` inside the block, and back to what it was after.

    What it was is kept on a stack, not in one attribute: a decorator is one object
    for every call of the function it decorates, so a decorated function that calls
    itself enters the same object again before leaving it."""

    enabled = False

    def __enter__(self):
        self.__dict__.setdefault("_previous", []).append(_state["enabled"])
        _state["enabled"] = self.enabled
        return self

    def __exit__(self, *exc):
        _state["enabled"] = self._previous.pop()
        return False


class no_grad(_GradMode):
    """Context manager *and* decorator that turns graph recording off.

    >>> from tinygrad_keras import Tensor, no_grad
    >>> w = Tensor([1.0, 2.0], requires_grad=True)
    >>> with no_grad():
    ...     y = w * 2
    >>> y.requires_grad, y.op
    (False, None)
    """

    enabled = False


class enable_grad(_GradMode):
    """The opposite of :class:`no_grad`: record the graph inside the block."""

    enabled = True
