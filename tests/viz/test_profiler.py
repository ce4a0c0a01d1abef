"""profile_ops: counts equal the ops run, the hot path is untouched when off."""
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tinygrad_keras import Tensor
from tinygrad_keras.autodiff import Function, viz
from tinygrad_keras.autodiff.profiler import profile_from_env, profile_ops
from tinygrad_keras.layers import Dense
from tinygrad_keras.models import Sequential

ROOT = Path(__file__).resolve().parents[2]


def mlp():
    np.random.seed(0)
    model = Sequential([Dense(6, input_dim=4, activation="relu"), Dense(3, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy", metrics=["accuracy"])
    return model, np.random.rand(5, 4).astype("float32"), np.eye(3)[[0, 1, 2, 0, 1]]


def test_expression_counts_and_passes():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with profile_ops() as prof:
        loss = ((x * 2).exp() + x).sum()
        loss.backward()
    assert prof.counts() == {("Mul", "forward"): 1, ("Exp", "forward"): 1,
                             ("Add", "forward"): 1, ("Sum", "forward"): 1,
                             ("Sum", "backward"): 1, ("Add", "backward"): 1,
                             ("Exp", "backward"): 1, ("Mul", "backward"): 1}
    shapes = {(e[0], e[1]): e[2] for e in prof.events}
    assert shapes[("Sum", "forward")] == () and shapes[("Exp", "backward")] == (2, 3)


def test_training_step_counts_equal_the_ops_created(monkeypatch):
    model, x, y = mlp()
    created = []
    original_init = Function.__init__

    def counting_init(self, parents):
        created.append(type(self).__name__)
        original_init(self, parents)

    monkeypatch.setattr(Function, "__init__", counting_init)
    with profile_ops() as prof:
        model.train_on_batch(x, y)
    forward = [e[0] for e in prof.events if e[1] == "forward"]
    # two fused Dense layers (the softmax in the second), the loss with its mean, the
    # accuracy metric's mean
    assert sorted(forward) == sorted(created) and len(created) >= 4


def test_backward_counts_equal_the_recorded_graph():
    model, x, y = mlp()
    with profile_ops() as prof:
        total, _ = model._loss_and_metrics(*model._standardize_user_data(x, y), training=True)
        recorded = [t for t in viz.graph_nodes(total) if t.op is not None and t.requires_grad]
        total.backward()
    backward = sorted(e[0] for e in prof.events if e[1] == "backward")
    assert backward == sorted(t.op for t in recorded)
    table = prof.summary()
    assert table.splitlines()[0].split() == ["op", "pass", "count", "total", "ms", "mean", "us",
                                             "%", "time"]
    assert f"{len(prof.events):>6}" in table.splitlines()[-1]
    shares = [float(line.split()[-1].rstrip("%")) for line in table.splitlines()[1:-1]]
    assert sum(shares) == pytest.approx(100, abs=0.5)


def test_off_means_the_plain_apply_even_after_an_error():
    plain = Function.__dict__["apply"]
    with pytest.raises(ZeroDivisionError), profile_ops():
        assert Function.__dict__["apply"] is not plain
        raise ZeroDivisionError
    assert Function.__dict__["apply"] is plain
    with profile_ops() as outer:
        with profile_ops() as inner:
            Tensor([1.0], requires_grad=True) * 3
        Tensor([1.0], requires_grad=True) * 3
    assert Function.__dict__["apply"] is plain
    assert len(inner.events) == 1 and len(outer.events) == 2


def test_verbose_prints_each_op():
    out = io.StringIO()
    with profile_ops(verbose=True, file=out):
        (Tensor(np.ones(4), requires_grad=True) * 2).sum()
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].split()[:3] == ["Mul", "forward", "(4,)"] and lines[0].endswith("us")


def test_environment_switch():
    registered = []
    assert profile_from_env({}, registered.append) is None
    assert profile_from_env({"TINYGRAD_KERAS_DEBUG": "0"}, registered.append) is None
    plain = Function.__dict__["apply"]
    block = profile_from_env({"TINYGRAD_KERAS_DEBUG": "1"}, registered.append)
    try:
        Tensor([1.0], requires_grad=True) * 2
        assert Function.__dict__["apply"] is not plain and not block.profile.verbose
    finally:
        block.__exit__(None, None, None)
    assert Function.__dict__["apply"] is plain and len(registered) == 1


def test_debug_variable_prints_a_summary_at_exit():
    code = ("import numpy as np\nfrom tinygrad_keras import Tensor\n"
            "x = Tensor(np.ones(3), requires_grad=True)\n(x * x).sum().backward()\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT), TINYGRAD_KERAS_DEBUG="2")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "TINYGRAD_KERAS_DEBUG op profile" in proc.stderr
    assert "Mul           forward  (3,)" in proc.stderr  # the per-op line of level 2
