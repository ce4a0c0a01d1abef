"""Tutorial 17's claim: sigmoid layers' kernel gradients vanish, relu's do not.

(The exercise itself is checked by ``tinygrad_keras/exercises/check_17.py``.)
"""
from pathlib import Path

import numpy as np

from tinygrad_keras.layers import Dense
from tinygrad_keras.models import Sequential

ROOT = Path(__file__).resolve().parents[2]


def kernel_grad_norms():
    from tinygrad_keras.exercises import load_file

    return load_file(ROOT / "tutorials" / "solutions" / "17_debugging_gradients.py").kernel_grad_norms


def deep(activation, depth=6):
    np.random.seed(3)
    model = Sequential([Dense(16, input_dim=8, activation=activation)])
    for _ in range(depth - 1):
        model.add(Dense(16, activation=activation))
    model.add(Dense(4, activation="softmax"))
    model.compile("sgd", "categorical_crossentropy")
    return model


def test_the_norms_show_the_vanishing():
    rng = np.random.RandomState(1)
    x, y = rng.rand(32, 8), np.eye(4)[rng.randint(0, 4, 32)]
    sig = kernel_grad_norms()(deep("sigmoid"), x, y)
    relu = kernel_grad_norms()(deep("relu"), x, y)
    assert sig[0] / sig[-2] < 0.01 < relu[0] / relu[-2]
