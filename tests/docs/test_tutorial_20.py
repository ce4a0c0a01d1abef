"""Tutorial 20 runs (it needs Keras 3: skipped without it) and its exercise checker accepts
the reference answer and rejects the stub and plausible wrong answers."""
from __future__ import annotations

import importlib.util
import types
from pathlib import Path

import numpy as np
import pytest

from tinygrad_keras.exercises.check_20 import check

from ..keras3.keras3_runner import require_keras3
from .test_tutorials import run_script

ROOT = Path(__file__).resolve().parents[2]
NAME = "20_taking_your_model_to_keras3.py"


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem.replace("-", "_"), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tutorial_20_runs_with_keras3(tmp_path):
    require_keras3()
    proc = run_script(ROOT / "tutorials" / NAME, tmp_path, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "refused: optimizer RMSprop" in proc.stdout
    assert "same predictions as Keras 3: True" in proc.stdout
    difference = float(proc.stdout.split("largest difference in predictions:")[1].split()[0])
    assert difference < 1e-6


def test_the_reference_answer_passes():
    check(_load(ROOT / "tutorials" / "solutions" / NAME))


def test_the_stub_is_not_an_answer():
    with pytest.raises(NotImplementedError):
        check(_load(ROOT / "tutorials" / "exercises" / NAME))


def _answer(hard_sigmoid, fold):
    return types.SimpleNamespace(keras3_hard_sigmoid=hard_sigmoid, fold_lstm_gates=fold)


def _right_fold(kernel, units):
    return _load(ROOT / "tutorials" / "solutions" / NAME).fold_lstm_gates(kernel, units)


def _right_sigmoid(x):
    return np.clip(x / 6 + 0.5, 0, 1)


@pytest.mark.parametrize("answer, complaint", [
    (_answer(lambda x: np.clip(0.2 * x + 0.5, 0, 1), _right_fold), "x / 6"),
    (_answer(_right_sigmoid, lambda k, u: np.asarray(k) * 1.2), "cell-candidate"),
    (_answer(_right_sigmoid, lambda k, u: np.asarray(k) / 1.2), "gate i"),
    (_answer(_right_sigmoid, lambda k, u: np.concatenate(
        [k[:, :u] * 1.2, k[:, u:2 * u], k[:, 2 * u:3 * u] * 1.2, k[:, 3 * u:] * 1.2], axis=1)),
     "gate f"),
])
def test_plausible_wrong_answers_are_rejected(answer, complaint):
    with pytest.raises(AssertionError, match=complaint):
        check(answer)
