"""Where does the time go?  A per-op profiler that costs nothing when it is off.

Every primitive runs through ``Function.apply``.  ``profile_ops()`` swaps in a
timing version of ``apply`` for the duration of a ``with`` block and puts the
original back afterwards, so outside the block the hot path is exactly the
plain one (no flag is checked).  Inside, each op's forward is timed, and its
``backward`` is wrapped on that one recorded node, so the backward pass of the
same graph is timed too.

>>> from tinygrad_keras import Tensor
>>> w = Tensor([1.0, 2.0], requires_grad=True)
>>> with profile_ops() as prof:
...     loss = (w * w).sum()
...     loss.backward()
>>> prof.counts()
{('Mul', 'forward'): 1, ('Sum', 'forward'): 1, ('Sum', 'backward'): 1, ('Mul', 'backward'): 1}
>>> print(prof.summary())  # doctest: +ELLIPSIS
op            pass      count  total ms  mean us  % time
...

``verbose=True`` prints every op as it runs (name, output shape, time).  The
environment variable ``TINYGRAD_KERAS_DEBUG`` turns the profiler on for a whole
run: ``1`` prints the summary table when Python exits, ``2`` also prints each
op as it runs.
"""
from __future__ import annotations

import atexit
import os
import sys
import time
from collections import defaultdict

from .function import Function


class OpProfile:
    """The ops timed while a :func:`profile_ops` block was active.

    ``events``: ``(op name, 'forward' | 'backward', output shape, seconds)`` in
    the order they ran.
    """

    def __init__(self, verbose: bool = False, file=None):
        self.verbose, self.file = verbose, file
        self.events: list = []

    def record(self, name: str, phase: str, shape: tuple, seconds: float) -> None:
        self.events.append((name, phase, shape, seconds))
        if self.verbose:
            print(f"{name:<14}{phase:<9}{shape!s:<20}{seconds * 1e6:10.1f} us",
                  file=self.file or sys.stdout)

    def counts(self) -> dict:
        """``{(op name, pass): number of runs}``, in order of first appearance."""
        result: dict = {}
        for name, phase, _, _ in self.events:
            result[(name, phase)] = result.get((name, phase), 0) + 1
        return result

    def totals(self) -> dict:
        """``{(op name, pass): total seconds}``."""
        result: dict = defaultdict(float)
        for name, phase, _, seconds in self.events:
            result[(name, phase)] += seconds
        return dict(result)

    def total_seconds(self) -> float:
        return sum(e[3] for e in self.events)

    def summary(self, top: int | None = None) -> str:
        """A table: count, total ms, mean microseconds and share of time, slowest first."""
        counts, totals = self.counts(), self.totals()
        whole = self.total_seconds() or 1.0
        keys = sorted(totals, key=lambda k: -totals[k])[:top]
        lines = [f"{'op':<14}{'pass':<9}{'count':>6}{'total ms':>10}{'mean us':>9}{'% time':>8}"]
        for key in keys:
            n, t = counts[key], totals[key]
            lines.append(f"{key[0]:<14}{key[1]:<9}{n:>6}{t * 1e3:>10.3f}{t / n * 1e6:>9.1f}"
                         f"{100 * t / whole:>7.1f}%")
        lines.append(f"{'all ops':<23}{len(self.events):>6}{self.total_seconds() * 1e3:>10.3f}")
        return "\n".join(lines)


def _timed_backward(profile: OpProfile, fn, shape: tuple):
    backward = fn.backward  # the class's method, bound to this node

    def timed(grad):
        start = time.perf_counter()
        grads = backward(grad)
        profile.record(fn.name, "backward", shape, time.perf_counter() - start)
        return grads
    return timed


def _timing_apply(profile: OpProfile, original):
    """An ``apply`` that runs ``original`` and records the op (and wraps its backward)."""
    def apply(cls, *inputs, **options):
        start = time.perf_counter()
        out = original(cls, *inputs, **options)
        profile.record(cls.__name__, "forward", out.shape, time.perf_counter() - start)
        fn = out._fn
        if fn is not None:  # recorded: backward will run through this node
            fn.backward = _timed_backward(profile, fn, out.shape)
        return out
    return classmethod(apply)


class profile_ops:
    """Context manager: time every op run inside the block (see the module doc).

    ``with profile_ops(verbose=True) as prof: ...`` then ``print(prof.summary())``.
    Blocks may nest; each records the ops run while it is active.
    """

    def __init__(self, verbose: bool = False, file=None):
        self.profile = OpProfile(verbose, file)
        self._saved = None

    def __enter__(self) -> OpProfile:
        self._saved = Function.__dict__["apply"]
        Function.apply = _timing_apply(self.profile, self._saved.__func__)
        return self.profile

    def __exit__(self, *exc) -> None:
        Function.apply = self._saved
        self._saved = None


def profile_from_env(environ=os.environ, at_exit=atexit.register):
    """Honour ``TINYGRAD_KERAS_DEBUG``: profile the whole run, summary at exit.

    Returns the active :class:`profile_ops` (or None when the variable is unset/0);
    ``at_exit`` registers the function printing the summary.
    """
    try:
        level = int(environ.get("TINYGRAD_KERAS_DEBUG", "0") or 0)
    except ValueError:
        level = 1  # any non-number (e.g. 'yes') still means "on"
    if level <= 0:
        return None
    block = profile_ops(verbose=level >= 2, file=sys.stderr)
    profile = block.__enter__()
    at_exit(lambda: print("\nTINYGRAD_KERAS_DEBUG op profile\n" + profile.summary(),
                                  file=sys.stderr))
    return block
