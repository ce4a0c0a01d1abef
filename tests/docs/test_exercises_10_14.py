"""The exercises of tutorials 10-14 (convolution, CNN, RNN, LSTM gates, stateful LSTMs).

Each test imports ``tutorials/solutions/NN_*.py`` (our reference answer; replace it with
yours) and checks the behaviour the exercise asks for against the library:

    python -m pytest tests/docs/test_exercises_10_14.py -k tutorial10
"""
from __future__ import annotations

import numpy as np
import pytest

from tests.docs.test_exercises import solution
from tinygrad_keras import Tensor
from tinygrad_keras import backend as K
from tinygrad_keras.autodiff import functional as F


@pytest.fixture(autouse=True)
def _seeded():
    np.random.seed(10)
    K.reset_uids()


@pytest.mark.parametrize("stride,hw,k", [(1, (6, 7), (3, 2)), (2, (7, 7), (3, 3)),
                                         (2, (8, 6), (2, 3)), (3, (10, 9), (2, 2)),
                                         (3, (5, 5), (5, 5))])
def test_tutorial10_input_grad_strided(stride, hw, k):
    input_grad_strided = solution("10_convolution_is_correlation").input_grad_strided
    rng = np.random.default_rng(stride)
    x = Tensor(rng.normal(size=(2, 3) + hw), requires_grad=True)
    w = Tensor(rng.normal(size=(4, 3) + k))
    out = F.conv2d(x, w, stride=stride)
    g = rng.normal(size=out.shape)
    out.backward(g)
    got = input_grad_strided(g, w.data, stride, hw)
    assert got.shape == x.shape, f"expected shape {x.shape}, got {got.shape}"
    np.testing.assert_allclose(got, x.grad, rtol=1e-10, atol=1e-10)


def _digits():
    from tinygrad_keras.datasets import digits

    (X, y), (Xt, yt) = digits.load_data()
    return (X.reshape(-1, 1, 8, 8).astype("float32") / 16, y,
            Xt.reshape(-1, 1, 8, 8).astype("float32") / 16, yt)


def _tutorial11_model(seed: int):
    """The CNN of tutorial 11, built the same way (the tutorial is a script, not a module)."""
    from tinygrad_keras.layers import Convolution2D, Dense, Flatten, MaxPooling2D
    from tinygrad_keras.models import Sequential
    from tinygrad_keras.optimizers import Adam

    np.random.seed(seed)
    model = Sequential([
        Convolution2D(16, 3, 3, border_mode="same", activation="relu", input_shape=(1, 8, 8)),
        MaxPooling2D(pool_size=(2, 2)), Flatten(), Dense(10, activation="softmax")])
    model.compile(Adam(lr=0.005), "categorical_crossentropy", metrics=["accuracy"])
    return model


def test_tutorial11_class_filter_means():
    from tinygrad_keras.utils.np_utils import to_categorical

    class_filter_means = solution("11_cnn_on_digits").class_filter_means
    X, y, Xt, yt = _digits()
    model = _tutorial11_model(0)
    model.fit(X[:320], to_categorical(y[:320], 10), nb_epoch=1, batch_size=32, verbose=0)
    got = class_filter_means(model, Xt, yt)
    # the reference: the layer's 'same' correlation, bias and relu, straight from the weights
    W, b = model.layers[0].get_weights()
    padded = np.pad(Xt[:, 0], ((0, 0), (1, 1), (1, 1)))
    windows = np.stack([padded[:, i:i + 8, j:j + 8] for i in range(3) for j in range(3)], 1)
    maps = np.maximum(np.einsum("nkrc,fk->nfrc", windows, W[:, 0].reshape(16, 9))
                      + b[None, :, None, None], 0)
    expected = np.stack([maps[yt == d].mean(axis=(0, 2, 3)) for d in range(10)])
    assert got.shape == (10, 16), got.shape
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tutorial11_cnn_reaches_095(seed):
    from tinygrad_keras.utils.np_utils import to_categorical

    X, y, Xt, yt = _digits()
    model = _tutorial11_model(seed)
    model.fit(X, to_categorical(y, 10), nb_epoch=8, batch_size=32, verbose=0)
    _, acc = model.evaluate(Xt, to_categorical(yt, 10), verbose=0)
    assert acc >= 0.95, f"seed {seed}: test accuracy {acc:.3f}"


def test_tutorial12_gru_by_hand():
    from tinygrad_keras.layers import GRU
    from tinygrad_keras.models import Sequential

    gru_by_hand = solution("12_rnn_is_a_loop").gru_by_hand
    model = Sequential([GRU(5, return_sequences=True, input_shape=(7, 3))])
    layer = model.layers[0]
    # larger weights than the initialisers give, so that the gates leave their linear
    # middle and hard_sigmoid's clipping is exercised
    rng = np.random.default_rng(12)
    layer.set_weights([rng.normal(scale=1.5, size=w.shape).astype("float32")
                       for w in layer.get_weights()])
    x = rng.normal(size=(4, 7, 3)).astype("float32")
    got = gru_by_hand(x, layer.get_weights())
    assert np.shape(got) == (4, 7, 5), np.shape(got)
    np.testing.assert_allclose(got, model.predict(x), rtol=1e-4, atol=1e-5)


def test_tutorial13_lstm_by_hand_gpu():
    from tinygrad_keras.layers import LSTM
    from tinygrad_keras.models import Sequential

    lstm_by_hand_gpu = solution("13_lstm_gates").lstm_by_hand_gpu
    model = Sequential([LSTM(4, consume_less="gpu", return_sequences=True, input_shape=(6, 2))])
    layer = model.layers[0]
    x = np.random.normal(size=(3, 6, 2)).astype("float32")
    np.testing.assert_allclose(lstm_by_hand_gpu(x, layer.get_weights()), model.predict(x),
                               rtol=1e-4, atol=1e-5)
    # blocks pushed apart (i open, f half, o nearly closed): a block-order mistake shows
    W, U, b = layer.get_weights()
    b = np.concatenate([np.full(4, 2.0), np.zeros(4), np.full(4, 0.5), np.full(4, -2.0)])
    layer.set_weights([W * 2, U, b.astype("float32")])
    got = lstm_by_hand_gpu(x, layer.get_weights())
    assert np.shape(got) == (3, 6, 4), np.shape(got)
    np.testing.assert_allclose(got, model.predict(x), rtol=1e-4, atol=1e-5)


def test_tutorial14_reset_states_every():
    from tinygrad_keras.callbacks import Callback
    from tinygrad_keras.layers import LSTM, Dense
    from tinygrad_keras.models import Sequential

    ResetStatesEvery = solution("14_stateful_lstm").ResetStatesEvery
    model = Sequential([LSTM(3, stateful=True, batch_input_shape=(2, 4, 1)), Dense(1)])
    model.compile("sgd", "mse")
    layer = model.layers[0]

    class StateSpy(Callback):
        """Records after each batch whether the layer's states are all zero."""

        def __init__(self):
            super().__init__()
            self.zeroed, self.at_start = [], []

        def on_batch_begin(self, batch, logs=None):
            self.at_start.append(all(not s.data.any() for s in layer.states))

        def on_batch_end(self, batch, logs=None):
            self.zeroed.append(all(not s.data.any() for s in layer.states))

    x = np.random.normal(size=(12, 4, 1)).astype("float32")     # 6 batches of 2
    spy = StateSpy()
    layer.states[0].data += 1.0          # leftovers: the epoch must start from zeros
    model.fit(x, np.zeros((12, 1)), batch_size=2, nb_epoch=2, shuffle=False, verbose=0,
              callbacks=[ResetStatesEvery(3), spy])
    every_third = [False, False, True, False, False, True]
    assert spy.zeroed == every_third * 2, spy.zeroed
    assert spy.at_start == [True, False, False, True, False, False] * 2, spy.at_start
