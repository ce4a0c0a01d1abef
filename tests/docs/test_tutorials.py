"""Every ``tutorials/NN_*.py`` runs to completion as a script, in its own process.

A tutorial is only worth reading if it still runs; each one gets a fresh
interpreter (so no state leaks between them) and a generous timeout.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NEEDS_KERAS3 = {"20_taking_your_model_to_keras3"}  # run (or skipped) by test_tutorial_20.py
TUTORIALS = sorted(p for p in (ROOT / "tutorials").glob("[0-9][0-9]_*.py")
                   if p.stem not in NEEDS_KERAS3)


def run_script(path: Path, cwd: Path, timeout: float = 180.0):
    """Run ``path`` with this interpreter in ``cwd`` (files it writes land there)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    return subprocess.run([sys.executable, str(path)], cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def test_there_are_tutorials():
    assert len(TUTORIALS) >= 4, [p.name for p in TUTORIALS]


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_runs(path: Path, tmp_path: Path):
    proc = run_script(path, tmp_path)
    assert proc.returncode == 0, f"{path.name} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    assert proc.stdout.strip(), f"{path.name} printed nothing: a tutorial should show its results"
