"""Small helpers Keras 1 users import: the progress bar and name lookup.

``Progbar`` prints exactly the Keras 1.2.2 progress text.  The text itself is
made by pure functions (``format_progress_line``, ``format_epoch_summary``) so
that it can be checked on fixed numbers; ``Progbar`` only adds the clock, the
running averages and the redrawing.

Redrawing depends on where stdout goes:

* a terminal (``sys.stdout.isatty()``): as in 1.2.2, the line is rewritten in
  place (``'\\b' * previous width`` then ``'\\r'``, padded with spaces when it
  got shorter), at most every ``interval`` seconds, newline when done (unlike
  1.2.2 the final draw is never throttled away);
* anything else (a file, a pipe, a notebook): no ``'\\b'``/``'\\r'`` at all;
  only the final line (``current >= target``) is printed, with its
  newline, so a log file reads one clean line per epoch.  A bar whose target
  is never reached prints nothing there.
"""
from __future__ import annotations

import marshal
import sys
import time

# The clock is a module attribute so tests can drive it with fixed numbers.
_clock = time.time

_GLOBAL_CUSTOM_OBJECTS: dict = {}


# ---- custom objects ------------------------------------------------------------------
def get_custom_objects() -> dict:
    """The live global dict ``{name: object}`` consulted before any built-in name."""
    return _GLOBAL_CUSTOM_OBJECTS


class CustomObjectScope:
    """``with CustomObjectScope({'MyLayer': MyLayer}):`` names resolve inside the block.

    Whatever is added to the global custom objects inside the block (by the
    scope or by the user) is undone when the block ends.
    """

    def __init__(self, *dicts: dict):
        self.custom_objects = dicts
        self.backup: dict | None = None

    def __enter__(self):
        self.backup = dict(_GLOBAL_CUSTOM_OBJECTS)
        for objects in self.custom_objects:
            _GLOBAL_CUSTOM_OBJECTS.update(objects)
        return self

    def __exit__(self, *exc_info):
        _GLOBAL_CUSTOM_OBJECTS.clear()
        _GLOBAL_CUSTOM_OBJECTS.update(self.backup or {})
        return False


def custom_object_scope(*dicts: dict) -> CustomObjectScope:
    """Same as ``CustomObjectScope(*dicts)``."""
    return CustomObjectScope(*dicts)


def _lookup(name: str, module_params: dict, module_name: str):
    found = _GLOBAL_CUSTOM_OBJECTS.get(name) or module_params.get(name)
    if not found:
        valid = sorted(k for k, v in module_params.items()
                       if not k.startswith("_") and callable(v))
        raise ValueError(f"Invalid {module_name}: {name!r}. Valid names are: {', '.join(valid)}")
    return found


def get_from_module(identifier, module_params: dict, module_name: str,
                    instantiate: bool = False, kwargs: dict | None = None):
    """Resolve ``identifier`` (a name, a ``{'name': ..., **kwargs}`` dict, or the object).

    Names are looked up in the custom objects first, then in ``module_params``
    (typically a module's ``globals()``).  With ``instantiate`` a found class is
    called with ``kwargs``.  Anything else is returned unchanged.
    """
    if isinstance(identifier, str):
        found = _lookup(identifier, module_params, module_name)
        return found(**(kwargs or {})) if instantiate else found
    if isinstance(identifier, dict):
        config = dict(identifier)  # 1.2.2 popped 'name' from the caller's dict; we copy
        if "name" not in config:
            raise ValueError(f"Invalid {module_name}: a config dict needs a 'name' key, "
                             f"got {identifier!r}")
        return _lookup(config.pop("name"), module_params, module_name)(**config)
    return identifier


def make_tuple(*args):
    return args


def func_dump(func) -> tuple:
    """``(code, defaults, closure)`` of a Python function, as Keras 1.2.2 wrote Lambda configs.

    ``code`` is the marshalled bytecode as a latin-1 string.  There is no
    ``func_load``: this project never runs code read from a file (a Lambda is
    rebuilt from ``custom_objects`` instead).
    """
    code = marshal.dumps(func.__code__).decode("raw_unicode_escape")
    closure = tuple(c.cell_contents for c in func.__closure__) if func.__closure__ else None
    return code, func.__defaults__, closure


# ---- progress text (pure functions) ---------------------------------------------------
def format_number(avg: float, use_abs: bool = True) -> str:
    """``' 0.6931'`` (``%.4f``) or ``' 1.0000e-04'`` (``%.4e``) for small values.

    verbose=1 compares ``|avg| > 1e-3``; verbose=2 compares ``avg > 1e-3`` (no
    abs, so negatives print in ``e`` format): both as in 1.2.2.
    """
    big = abs(avg) > 1e-3 if use_abs else avg > 1e-3
    return " %.4f" % avg if big else " %.4e" % avg


def format_values(values, use_abs: bool = True) -> str:
    """``' - loss: 0.6931 - acc: 0.5000'`` for ``[(name, average), ...]``."""
    return "".join(" - %s:%s" % (name, format_number(avg, use_abs)) for name, avg in values)


def format_bar(current: int, target: int, width: int = 30) -> str:
    """``'  128/60000 [=====>.....]'``: counts padded to the digits of ``target``."""
    digits = len(str(int(target))) if target and target > 0 else 1
    done = float(current) / target if target else 1.0
    filled = int(width * done)
    bar = ""
    if filled > 0:
        bar = "=" * (filled - 1) + (">" if current < target else "=")
    bar += "." * (width - filled)
    return "%*d/%*d [%s]" % (digits, current, digits, target, bar)


def format_progress_line(current: int, target: int, elapsed: float, values=(),
                         width: int = 30) -> str:
    """The verbose=1 line: bar, then ``ETA: <s>s`` while running or ``<s>s`` when done.

    ``eta = elapsed / current * (target - current)``; seconds are truncated to int.
    """
    if current < target:
        per_unit = elapsed / current if current else 0.0
        timing = " - ETA: %ds" % (per_unit * (target - current))
    else:
        timing = " - %ds" % elapsed
    return format_bar(current, target, width) + timing + format_values(values)


def format_epoch_summary(elapsed: float, values=()) -> str:
    """The verbose=2 end-of-epoch line: ``'3s - loss: 0.2459 - acc: 0.9238'``."""
    return "%ds" % elapsed + format_values(values, use_abs=False)


def _is_terminal(stream) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


# ---- the progress bar -----------------------------------------------------------------
class Progbar:
    """A progress bar: ``Progbar(target)`` then ``update(current, values)`` or ``add(n, values)``.

    ``values`` is a list of ``(name, value_for_the_last_step)``; the bar shows,
    per name, the mean weighted by the steps each value covered (first-seen
    order kept).  verbose=1 draws the bar; verbose=2 prints one summary line
    once ``current >= target``; verbose=0 prints nothing.
    """

    def __init__(self, target: int, width: int = 30, verbose: int = 1, interval: float = 0.05):
        self.width = width
        self.target = target
        self.sum_values: dict = {}
        self.unique_values: list = []
        self.start = _clock()
        self.last_update = 0.0
        self.interval = interval
        self.total_width = 0
        self.seen_so_far = 0
        self.verbose = verbose

    def _accumulate(self, current, values) -> None:
        step = current - self.seen_so_far
        for name, value in values or []:
            if name not in self.sum_values:
                self.sum_values[name] = [value * step, step]
                self.unique_values.append(name)
            else:
                self.sum_values[name][0] += value * step
                self.sum_values[name][1] += step
        self.seen_so_far = current

    def averages(self) -> list:
        """``[(name, running mean), ...]`` in first-seen order."""
        return [(k, self.sum_values[k][0] / max(1, self.sum_values[k][1]))
                for k in self.unique_values]

    def update(self, current: int, values=None, force: bool = False) -> None:
        """Record the values of the steps up to ``current`` and redraw if it is time."""
        self._accumulate(current, values)
        now = _clock()
        done = current >= self.target
        if self.verbose == 1:
            out = sys.stdout
            if _is_terminal(out):
                # 1.2.2 could also throttle away the final draw (and its newline), gluing
                # the next print to the bar; the final draw is always made here.
                if not force and not done and now - self.last_update < self.interval:
                    return
                self._redraw(out, current, now - self.start, done)
            elif done:
                out.write(format_progress_line(current, self.target, now - self.start,
                                               self.averages(), self.width) + "\n")
                out.flush()
        elif self.verbose == 2 and done:
            sys.stdout.write(format_epoch_summary(now - self.start, self.averages()) + "\n")
            sys.stdout.flush()
        self.last_update = now

    def _redraw(self, out, current: int, elapsed: float, done: bool) -> None:
        # Erase the previous line the 1.2.2 way, then pad so no old text shows.
        line = format_progress_line(current, self.target, elapsed, self.averages(), self.width)
        previous, self.total_width = self.total_width, len(line)
        out.write("\b" * previous + "\r" + line + " " * max(0, previous - len(line)))
        if done:
            out.write("\n")
        out.flush()

    def add(self, n: int, values=None) -> None:
        """``update(seen_so_far + n, values)``."""
        self.update(self.seen_so_far + n, values)
