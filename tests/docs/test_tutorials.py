"""Every ``tutorials/NN_*.py`` runs to completion as a script, in its own process.

A tutorial is only worth reading if it still runs; each one gets a fresh
interpreter (so no state leaks between them) and a generous timeout.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = sorted((ROOT / "tutorials").glob("[0-9][0-9]_*.py"))
# A translation runs the same code as its original (checked below), so it is not run again.
TRANSLATIONS = {p: p.with_name(p.name.replace("_zh", "")) for p in TUTORIALS if "_zh" in p.stem}
NEEDS_KERAS3 = {"20_taking_your_model_to_keras3"}  # run (or skipped) by test_tutorial_20.py
RUN = [p for p in TUTORIALS if p not in TRANSLATIONS and p.stem not in NEEDS_KERAS3]


def run_script(path: Path, cwd: Path, timeout: float = 180.0):
    """Run ``path`` with this interpreter in ``cwd`` (files it writes land there)."""
    # a Keras configuration folder of the run's own: Keras 3 (tutorial 20) writes keras.json
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg",
               KERAS_HOME=str(Path(cwd) / "keras_home"))
    return subprocess.run([sys.executable, str(path)], cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def test_there_are_tutorials():
    assert len(TUTORIALS) >= 4, [p.name for p in TUTORIALS]


@pytest.mark.parametrize("path", RUN, ids=[p.stem for p in RUN])
def test_tutorial_runs(path: Path, tmp_path: Path):
    proc = run_script(path, tmp_path)
    assert proc.returncode == 0, f"{path.name} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    assert proc.stdout.strip(), f"{path.name} printed nothing: a tutorial should show its results"


def code_without_comments(path: Path) -> str:
    """The program of a script: its syntax tree, without comments or docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return ast.dump(tree, annotate_fields=False)


@pytest.mark.parametrize("path", list(TRANSLATIONS), ids=[p.stem for p in TRANSLATIONS])
def test_translation_runs_the_same_code(path: Path):
    original = TRANSLATIONS[path]
    assert original.exists(), f"{path.name} translates a missing {original.name}"
    assert code_without_comments(path) == code_without_comments(original), \
        f"{path.name} must run exactly the code of {original.name} (only comments differ)"
