"""The LSTM layer's two implementations of its time loop: the ``LSTMLoop`` primitive
(used when nothing needs the step-by-step graph) and the readable loop of fused cells
(``loop_primitive = False``) give the same outputs, gradients and training."""
import numpy as np
import pytest

from tests.autodiff.harness import graph_ops
from tinygrad_keras import Tensor
from tinygrad_keras import backend as K
from tinygrad_keras.layers import LSTM, Dense
from tinygrad_keras.models import Sequential

B, T, D, U = 3, 5, 4, 3


def built(seed=0, **kwargs):
    layer = LSTM(U, **kwargs)
    layer._ensure_built(kwargs.pop("batch_input_shape", (None, T, D)))
    rng = np.random.RandomState(seed)
    layer.set_weights([rng.uniform(-0.6, 0.6, w.shape).astype("float32")
                       for w in layer.get_weights()])
    return layer


def run(layer, x, primitive: bool):
    """Output, the ops recorded, and the gradients of (output * fixed weights).sum()
    with respect to x and the weights."""
    layer.loop_primitive = primitive
    xt = Tensor(x, requires_grad=True)
    out = layer.call(xt)
    ops = graph_ops(out)
    weights = np.random.RandomState(7).standard_normal(out.shape).astype(out.dtype)
    (out * Tensor(weights)).sum().backward()
    grads = [xt.grad] + [w.grad.copy() for w in layer.trainable_weights]
    for w in layer.trainable_weights:
        w.grad = None
    return out, ops, grads


@pytest.mark.parametrize("kwargs", [
    {}, {"return_sequences": True}, {"go_backwards": True, "return_sequences": True},
    {"inner_activation": "sigmoid"}, {"dropout_W": 0.3},
])
def test_primitive_equals_the_readable_loop(kwargs):
    layer = built(**kwargs)
    x = np.random.RandomState(1).uniform(-1, 1, (B, T, D)).astype("float32")
    phase = K.learning_phase()
    K.set_learning_phase(1)  # training: dropout_W draws its masks
    try:
        np.random.seed(3)  # the same masks for both runs
        fast, fast_ops, fast_grads = run(layer, x, True)
        np.random.seed(3)
        slow, slow_ops, slow_grads = run(layer, x, False)
    finally:
        K.set_learning_phase(phase)
    assert "LSTMLoop" in fast_ops and "LSTMLoop" not in slow_ops
    assert fast.shape == slow.shape
    np.testing.assert_allclose(fast.data, slow.data, rtol=1e-6, atol=1e-7)
    for a, b in zip(fast_grads, slow_grads):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kwargs,why", [
    ({"consume_less": "mem"}, "input projections per step"),
    ({"consume_less": "gpu"}, "fused gpu weights"),
    ({"activation": "relu"}, "no fused cell for relu"),
    ({"dropout_U": 0.3}, "recurrent dropout masks per gate"),
])
def test_the_readable_loop_runs_where_the_primitive_does_not_apply(kwargs, why):
    layer = built(**kwargs)
    x = Tensor(np.ones((B, T, D), "float32"), requires_grad=True)
    phase = K.learning_phase()
    K.set_learning_phase(1)
    try:
        assert "LSTMLoop" not in graph_ops(layer.call(x)), why
    finally:
        K.set_learning_phase(phase)


def test_a_mask_or_an_overridden_step_takes_the_readable_loop():
    layer = built()
    x = Tensor(np.ones((B, T, D), "float32"), requires_grad=True)
    assert "LSTMLoop" not in graph_ops(layer.call(x, mask=np.ones((B, T), bool)))

    class Logged(LSTM):
        def step(self, x_t, states):
            return super().step(x_t, states)
    custom = Logged(U)
    custom._ensure_built((None, T, D))
    assert "LSTMLoop" not in graph_ops(custom.call(x))
    noted = []
    layer.step = lambda x_t, states: noted.append(1) or LSTM.step(layer, x_t, states)
    assert "LSTMLoop" not in graph_ops(layer.call(x)) and len(noted) == T


def test_stateful_carries_the_same_states():
    layers = [built(stateful=True, batch_input_shape=(B, T, D)) for _ in range(2)]
    layers[1].loop_primitive = False
    x = np.random.RandomState(2).uniform(-1, 1, (B, T, D)).astype("float32")
    for _ in range(2):
        outs = [layer.call(Tensor(x)).data for layer in layers]
        np.testing.assert_allclose(outs[0], outs[1], rtol=1e-6, atol=1e-7)
    for a, b in zip(layers[0].states, layers[1].states):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-6, atol=1e-7)


def test_training_follows_the_same_path():
    """Three SGD steps of a small model: the weights agree with either loop."""
    results = []
    for primitive in (True, False):
        np.random.seed(0)
        lstm = LSTM(4, input_shape=(T, D))
        lstm.loop_primitive = primitive
        model = Sequential([lstm, Dense(1, activation="sigmoid")])
        model.compile("sgd", "binary_crossentropy")
        rng = np.random.RandomState(5)
        x, y = rng.uniform(-1, 1, (8, T, D)), rng.randint(0, 2, (8, 1))
        for _ in range(3):
            model.train_on_batch(x, y)
        results.append(model.get_weights())
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
