"""Checks for the learning path's exercises, in the learner's terms.

Each tutorial ``tutorials/NN_name.py`` ends with an exercise. The learner edits
``tutorials/exercises/NN_name.py`` (its functions raise ``NotImplementedError`` until
written); the reference answer is ``tutorials/solutions/NN_name.py``. The checker of
exercise NN is ``tinygrad_keras/exercises/check_NN.py``: ``check(module)`` raises
``AssertionError`` saying what is wrong, or returns ``None``.

From the repository root::

    python -m tinygrad_keras.exercises check 2                # your tutorials/exercises/02_*.py
    python -m tinygrad_keras.exercises check 02 --file my_try.py
    python -m tinygrad_keras.exercises check 2 --solution     # the reference answer
    python -m tinygrad_keras.exercises list
"""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["available", "checker", "exercise_file", "load_file", "run_check"]


def available() -> list[int]:
    """The exercise numbers that have a checker."""
    names = [m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("check_")]
    return sorted(int(n[len("check_"):]) for n in names)


def checker(number: int):
    """The ``check(module)`` function of exercise ``number``."""
    if number not in available():
        raise ValueError(f"there is no exercise {number}; the exercises are {available()}")
    return importlib.import_module(f"{__name__}.check_{number:02d}").check


def exercise_file(number: int, root: str | Path = ".", solution: bool = False) -> Path:
    """``tutorials/exercises/NN_*.py`` (or ``tutorials/solutions/NN_*.py``) under ``root``."""
    folder = Path(root) / "tutorials" / ("solutions" if solution else "exercises")
    found = sorted(folder.glob(f"{number:02d}_*.py"))
    if not found:
        raise FileNotFoundError(
            f"no {folder / f'{number:02d}_*.py'}: run this from the repository root "
            "(the folder with tutorials/ in it), or pass --file PATH")
    return found[0]


def load_file(path: str | Path) -> ModuleType:
    """Import a Python file as a module (exercise files start with a digit)."""
    path = Path(path)
    spec = importlib.util.spec_from_file_location(f"exercise_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and pickling look the module up
    spec.loader.exec_module(module)
    return module


def run_check(number: int, path: str | Path) -> tuple[bool, str]:
    """Load ``path`` and run exercise ``number``'s check on it: ``(passed, message)``."""
    check = checker(number)
    try:
        check(load_file(path))
    except NotImplementedError as exc:
        return False, f"not written yet: {exc}"
    except AssertionError as exc:
        return False, f"not right yet: {exc}"
    except Exception as exc:  # noqa: BLE001 - the learner's code crashed: say so, in their terms
        return False, f"your code raised {type(exc).__name__}: {exc}"
    return True, f"exercise {number} passed: {Path(path).name} does what the tutorial asks."
