"""Tutorial 17's exercise: kernel-gradient norms by hand agree with explain_step.

    python -m pytest tests/viz/test_tutorial17.py
"""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from tinygrad_keras.layers import Dense
from tinygrad_keras.models import Sequential

ROOT = Path(__file__).resolve().parents[2]


def kernel_grad_norms():
    path = ROOT / "tutorials" / "solutions" / "17_debugging_gradients.py"
    spec = importlib.util.spec_from_file_location("solution_17", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.kernel_grad_norms


def deep(activation, depth=6):
    np.random.seed(3)
    model = Sequential([Dense(16, input_dim=8, activation=activation)])
    for _ in range(depth - 1):
        model.add(Dense(16, activation=activation))
    model.add(Dense(4, activation="softmax"))
    model.compile("sgd", "categorical_crossentropy")
    return model


@pytest.mark.parametrize("activation", ["sigmoid", "relu", "tanh"])
def test_norms_match_the_trace_and_nothing_changes(activation):
    rng = np.random.RandomState(0)
    x, y = rng.rand(20, 8), np.eye(4)[rng.randint(0, 4, 20)]
    model = deep(activation)
    before = model.get_weights()
    got = kernel_grad_norms()(model, x, y)
    trace = model.explain_step(x, y)
    expected = [row.weights[0].grad_norm for row in trace.layers]
    assert len(got) == len(expected) == 7
    np.testing.assert_allclose(got, expected, rtol=1e-4)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert all(w.grad is None for w in model.trainable_weights)


def test_the_norms_show_the_vanishing():
    rng = np.random.RandomState(1)
    x, y = rng.rand(32, 8), np.eye(4)[rng.randint(0, 4, 32)]
    sig = kernel_grad_norms()(deep("sigmoid"), x, y)
    relu = kernel_grad_norms()(deep("relu"), x, y)
    assert sig[0] / sig[-2] < 0.01 < relu[0] / relu[-2]
