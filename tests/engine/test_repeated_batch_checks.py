"""Per-batch bookkeeping that ``train_on_batch`` skips when it cannot have changed: the
structural checks of a batch shaped like the last one, and the multiply/divide by the
default sample weights.  What depends on values is still checked every time."""
import numpy as np
import pytest

from tinygrad_keras import Tensor
from tinygrad_keras.engine.compile_utils import weighted_loss
from tinygrad_keras.layers import Dense
from tinygrad_keras.models import Sequential
from tinygrad_keras.objectives import categorical_crossentropy


def model_and_batch():
    np.random.seed(0)
    model = Sequential([Dense(3, input_dim=4, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy")
    rng = np.random.RandomState(1)
    return model, rng.uniform(-1, 1, (6, 4)).astype("float32"), np.eye(3)[rng.randint(0, 3, 6)]


def test_a_nan_is_caught_in_a_batch_shaped_like_the_last():
    model, x, y = model_and_batch()
    model.train_on_batch(x, y)
    bad = x.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        model.train_on_batch(bad, y)
    bad_y = y.copy()
    bad_y[0, 0] = np.inf
    with pytest.raises(ValueError, match="NaN or inf"):
        model.train_on_batch(x, bad_y)


def test_another_shape_is_checked_in_full():
    model, x, y = model_and_batch()
    model.train_on_batch(x, y)
    with pytest.raises(ValueError, match=r"to have shape \(None, 4\) but got array with shape \(6, 5\)"):
        model.train_on_batch(np.ones((6, 5), "float32"), y)


def test_recompiling_checks_the_next_batch_in_full():
    model, x, y = model_and_batch()
    labels = np.argmax(y, axis=1).astype("float32")
    model.compile("sgd", "mse")
    model.train_on_batch(x, labels[:, None] * np.ones((1, 3)))
    model.compile("sgd", "categorical_crossentropy")
    with pytest.raises(ValueError, match="to_categorical"):
        model.train_on_batch(x, labels[:, None])


def test_repeated_batches_train_as_checked_ones():
    """The fast path returns what the full checks return: same losses, same weights."""
    results = []
    for reset in (False, True):
        model, x, y = model_and_batch()
        losses = []
        for _ in range(3):
            if reset:
                model._checked_signature = None
            losses.append(model.train_on_batch(x, y))
        results.append((losses, model.get_weights()))
    assert results[0][0] == results[1][0]
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_array_equal(a, b)


def test_default_weights_give_the_bits_of_the_weighted_formula():
    rng = np.random.RandomState(2)
    y_true = Tensor(np.eye(4, dtype="float32")[rng.randint(0, 4, 5)])
    logits = rng.uniform(0.1, 1, (5, 4)).astype("float32")
    results = []
    for fast in (True, False):
        y_pred = Tensor(logits, requires_grad=True)
        if fast:
            loss = weighted_loss(categorical_crossentropy, y_true, y_pred, np.ones(5))
        else:
            w = Tensor(np.ones(5, "float32"))
            loss = ((categorical_crossentropy(y_true, y_pred) * w) / 1.0).mean()
        loss.backward()
        results.append((loss.data, y_pred.grad))
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])
