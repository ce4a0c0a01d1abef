"""Tutorial 18 (gradients of gradients): the script runs, and its exercise checker passes
the solution and rejects the stub and plausible wrong answers."""
from __future__ import annotations

import importlib.util
import types
from pathlib import Path

import numpy as np
import pytest

from tests.docs.test_tutorials import run_script
from tinygrad_keras.autodiff import Tensor, grad
from tinygrad_keras.exercises.check_18 import check

ROOT = Path(__file__).resolve().parents[2]
NAME = "18_gradients_of_gradients.py"


def load(folder: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(f"{folder}_18", ROOT / "tutorials" / folder / NAME)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tutorial_runs_and_prints_its_results(tmp_path):
    proc = run_script(ROOT / "tutorials" / NAME, tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "second derivative 6x  : [6.0, -12.0, 3.0]" in proc.stdout
    first, last = (float(v) for v in proc.stdout.split("first and last epoch:")[1].split())
    assert last < first


def test_the_solution_passes():
    check(load("solutions"))


def test_the_stub_is_not_accepted():
    with pytest.raises(NotImplementedError):
        check(load("exercises"))


def _gradient(f, x):
    t = Tensor(np.array(x, dtype=np.float64), requires_grad=True)
    g, = grad(f(t), t, create_graph=True)
    return t, g


def gradient_step(f, x):
    return x - _gradient(f, x)[1].data


def diagonal_hessian_step(f, x):
    t, g = _gradient(f, x)
    diag = np.array([grad(g[i], t, retain_graph=True)[0].data[i] for i in range(2)])
    return x - g.data / diag


def hessian_times_ones_step(f, x):
    t, g = _gradient(f, x)
    return x - g.data / grad(g.sum(), t)[0].data


@pytest.mark.parametrize("wrong", [gradient_step, diagonal_hessian_step, hessian_times_ones_step])
def test_plausible_wrong_answers_fail(wrong):
    with pytest.raises(AssertionError, match="Newton step"):
        check(types.SimpleNamespace(newton_step=wrong))
