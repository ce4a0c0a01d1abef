"""Tutorial 19 (inside a pretrained network): the page runs offline, and its exercise
checker accepts the reference answer and rejects the stub and plausible wrong answers."""
from __future__ import annotations

import importlib.util
import itertools
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from tinygrad_keras.exercises.check_19 import check

ROOT = Path(__file__).resolve().parents[2]
STEM = "19_inside_a_pretrained_network"


def load(folder: str) -> types.ModuleType:
    path = ROOT / "tutorials" / folder / f"{STEM}.py"
    spec = importlib.util.spec_from_file_location(f"{folder}_{STEM}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_page_runs_offline_with_random_weights(tmp_path):
    """An empty HOME: no weights in the cache, so weights=None, and nothing downloaded."""
    env = dict(os.environ, HOME=str(tmp_path), PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    env.pop("KERAS_HOME", None)
    proc = subprocess.run([sys.executable, str(ROOT / "tutorials" / f"{STEM}.py")],
                          cwd=str(tmp_path), env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "weights=None" in out and "Downloading" not in out
    assert "block3_conv3 output: (256, 56, 56)" in out
    assert "saliency of class" in out and "shape (224, 224)" in out
    ascent = re.search(r"before each step: \[([^\]]*)\]", out).group(1).split()
    log_ps = [float(v) for v in ascent]
    assert len(log_ps) == 3 and all(b >= a for a, b in itertools.pairwise(log_ps)), log_ps
    assert log_ps[-1] > log_ps[0], "the ascent should raise the class's log-probability"
    assert not os.path.exists(tmp_path / ".keras" / "models" / "imagenet_class_index.json")


def test_reference_answer_passes():
    check(load("solutions"))


def test_stub_raises_not_implemented():
    with pytest.raises(NotImplementedError):
        check(load("exercises"))


def _wrong(**overrides) -> types.SimpleNamespace:
    right = load("solutions")
    answer = {"deprocess_image": right.deprocess_image, "saliency_map": right.saliency_map}
    answer.update(overrides)
    return types.SimpleNamespace(**answer)


def _no_flip(x, dim_ordering="th"):
    img = x[0].transpose(1, 2, 0) if dim_ordering == "th" else x[0]
    return np.clip(img + [103.939, 116.779, 123.68], 0, 255).astype("uint8")


def _no_clip(x, dim_ordering="th"):
    img = x[0].transpose(1, 2, 0) if dim_ordering == "th" else x[0]
    return (img + [103.939, 116.779, 123.68])[..., ::-1].astype("uint8")


def _signed(grad, dim_ordering="th"):
    g = grad[0] if dim_ordering == "th" else grad[0].transpose(2, 0, 1)
    return g.max(axis=0) / np.abs(g).max()


def _nan_on_zero(grad, dim_ordering="th"):
    g = np.abs(grad[0] if dim_ordering == "th" else grad[0].transpose(2, 0, 1)).max(axis=0)
    with np.errstate(invalid="ignore"):
        return g / g.max()


@pytest.mark.parametrize("wrong, message", [
    ({"deprocess_image": _no_flip}, "BGR back to RGB"),
    ({"deprocess_image": _no_clip}, "clipped"),
    ({"saliency_map": _signed}, "uses |grad|"),
    ({"saliency_map": _nan_on_zero}, "all-zero"),
])
def test_wrong_answers_are_rejected(wrong, message):
    with pytest.raises(AssertionError, match=re.escape(message)):
        check(_wrong(**wrong))
