"""Every public name of Keras 1.2.2 imports at its 1.2.2 path through the ``keras`` alias.

The list, ``keras122_public_names.txt``, is written by ``make_keras122_public_names.py``
from the 1.2.2 source (its docstring says what counts as a public name); a name followed by
``left out:`` is deliberately not provided, for the reason given there.  With
``KERAS_REPO`` pointing at a Keras git clone, a test also checks that the list is still the
one the generator writes.
"""
from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_keras import install_keras_alias

LIST = Path(__file__).with_name("keras122_public_names.txt")
LEFT_OUT_MARK = "  left out: "
# Capitalised 1.2.2 names that are not classes: Input() is a function, the rest are aliases
# of loss/metric functions.
FUNCTIONS_WITH_CAPITALS = frozenset(("Input", "MSE", "MAE", "MAPE", "MSLE", "KLD"))

def _entries() -> list[tuple[str, str | None]]:
    """(dotted name, reason it is left out or None) for each line of the list."""
    entries = []
    for line in LIST.read_text().splitlines():
        name, _, reason = line.partition(LEFT_OUT_MARK)
        entries.append((name, reason or None))
    return entries


def _params() -> list:
    params = []
    for name, reason in _entries():
        if reason is None:
            params.append(pytest.param(name, id=name))
    return params


@pytest.mark.parametrize("dotted", _params())
def test_name_imports_at_its_keras_path(dotted: str) -> None:
    install_keras_alias()
    module_name, attribute = dotted.rsplit(".", 1)
    module = importlib.import_module(module_name)
    assert module.__name__.startswith("tinygrad_keras"), module
    value = getattr(module, attribute)
    # 1.2.2 names are classes, functions or plain values; none is a bare module
    assert not isinstance(value, type(os)), f"{dotted} is a module, not {attribute}"
    if attribute[:1].isupper() and attribute not in FUNCTIONS_WITH_CAPITALS:
        assert isinstance(value, type), f"{dotted} should be a class, is {value!r}"


def test_list_has_the_whole_api_and_reasons() -> None:
    entries = _entries()
    names = [name for name, _ in entries]
    assert len(names) == len(set(names)) and names == sorted(names)
    assert len(names) > 500
    for required in ("keras.models.Sequential", "keras.layers.Dense", "keras.backend.function",
                     "keras.wrappers.scikit_learn.KerasClassifier",
                     "keras.engine.topology.Container", "keras.objectives.mse"):
        assert required in names
    assert all(len(reason) > 30 for _, reason in entries if reason)


def test_left_out_names_are_really_absent() -> None:
    """A left-out name that the project provides after all should lose its 'left out' note."""
    install_keras_alias()
    for dotted, reason in _entries():
        if reason is not None:
            module_name, attribute = dotted.rsplit(".", 1)
            assert not hasattr(importlib.import_module(module_name), attribute), dotted


@pytest.mark.skipif(not os.environ.get("KERAS_REPO"),
                    reason="set KERAS_REPO to a Keras git clone to regenerate the list")
def test_list_is_what_the_generator_writes(tmp_path) -> None:
    script = Path(__file__).with_name("make_keras122_public_names.py")
    copy = tmp_path / script.name
    copy.write_text(script.read_text())
    subprocess.run([sys.executable, str(copy), os.environ["KERAS_REPO"]], check=True,
                   capture_output=True)
    assert (tmp_path / LIST.name).read_text() == LIST.read_text()
