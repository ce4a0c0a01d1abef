"""Recurrent layers really learn: digits read row by row, and addition (as Keras 1's
``addition_rnn.py``, small).

BLAS is limited to one thread here: the matrices of these small models are tiny, and on a
busy shared machine multi-threaded BLAS makes them ten times slower, not faster.
"""
import numpy as np
import pytest

from tinygrad_keras.datasets import digits
from tinygrad_keras.layers import LSTM, Activation, Dense, RepeatVector, TimeDistributed
from tinygrad_keras.models import Sequential
from tinygrad_keras.optimizers import Adam
from tinygrad_keras.utils.np_utils import to_categorical

pytestmark = pytest.mark.usefixtures("one_blas_thread")  # from tests/conftest.py


def test_lstm_reads_digit_images_as_8_steps_of_8_pixels():
    np.random.seed(0)
    (X_train, y_train), (X_test, y_test) = digits.load_data()
    X_train = X_train.astype("float32") / 16     # (1440, 8, 8): 8 timesteps of 8 features
    X_test = X_test.astype("float32") / 16
    model = Sequential([LSTM(32, input_shape=(8, 8)), Dense(10, activation="softmax")])
    model.compile(Adam(lr=0.01), "categorical_crossentropy", metrics=["accuracy"])
    model.fit(X_train, to_categorical(y_train, 10), nb_epoch=10, batch_size=32, verbose=0)
    _, acc = model.evaluate(X_test, to_categorical(y_test, 10), verbose=0)
    assert acc >= 0.90, f"test accuracy {acc:.3f}"


CHARS = "0123456789+ "


def encode(texts, length):
    """One-hot ``(N, length, 12)`` of strings padded with spaces."""
    out = np.zeros((len(texts), length, len(CHARS)), "float32")
    for n, text in enumerate(texts):
        for t, ch in enumerate(text.ljust(length)):
            out[n, t, CHARS.index(ch)] = 1.0
    return out


def addition_data(n, rng):
    a, b = rng.randint(0, 100, n), rng.randint(0, 100, n)
    questions = [f"{x}+{y}".ljust(5)[::-1] for x, y in zip(a, b)]  # reversed, as in the example
    answers = [str(x + y) for x, y in zip(a, b)]
    return encode(questions, 5), encode(answers, 3)


def test_encoder_decoder_lstm_learns_two_digit_addition():
    np.random.seed(0)
    X, Y = addition_data(3000, np.random.RandomState(0))
    (X_train, Y_train), (X_test, Y_test) = (X[:2500], Y[:2500]), (X[2500:], Y[2500:])
    model = Sequential([LSTM(64, input_shape=(5, len(CHARS))), RepeatVector(3),
                        LSTM(64, return_sequences=True), TimeDistributed(Dense(len(CHARS))),
                        Activation("softmax")])
    model.compile(Adam(lr=0.01), "categorical_crossentropy")
    model.fit(X_train, Y_train, nb_epoch=14, batch_size=64, verbose=0)
    truth = Y_test.argmax(-1)
    char_acc = (model.predict(X_test).argmax(-1) == truth).mean()
    # the best constant guess: the most frequent character at each answer position
    majority = Y_train.sum(0).argmax(-1)
    baseline = (truth == majority).mean()
    assert char_acc > baseline + 0.25, f"char accuracy {char_acc:.3f}, baseline {baseline:.3f}"
