"""A Python list is read the same way by fit, evaluate and predict.

For a one-input model, a (nested) list of numbers is one array whose first axis is the
samples, whatever its length; a list of arrays is one array per model input.
"""
import numpy as np
import pytest

from tinygrad_keras.layers import Dense, Input, merge
from tinygrad_keras.models import Model, Sequential


def one_input_model():
    np.random.seed(0)
    model = Sequential([Dense(2, input_dim=100)])
    model.compile("sgd", "mse")
    return model


def test_predict_reads_a_one_sample_list_as_one_sample():
    model = one_input_model()
    got = model.predict([[0.5] * 100])
    np.testing.assert_allclose(got, model.predict(np.full((1, 100), 0.5)), rtol=1e-6)
    assert got.shape == (1, 2)


def test_fit_evaluate_and_predict_agree_on_lists():
    model = one_input_model()
    X = np.random.rand(3, 100).astype("float32")
    np.testing.assert_allclose(model.predict(X.tolist()), model.predict(X), rtol=1e-6)
    assert model.evaluate(X.tolist(), np.zeros((3, 2)).tolist(), verbose=0) == pytest.approx(
        model.evaluate(X, np.zeros((3, 2)), verbose=0))
    model.fit(X[:1].tolist(), [[0.0, 0.0]], nb_epoch=1, verbose=0)   # one sample, as a list


def test_a_list_of_arrays_is_still_one_array_per_input():
    a, b = Input(shape=(3,)), Input(shape=(3,))
    model = Model([a, b], Dense(1)(merge([a, b], mode="sum")))
    x1, x2 = np.ones((4, 3)), np.zeros((4, 3))
    assert model.predict([x1, x2]).shape == (4, 1)
    assert model.predict([x1.tolist(), x2.tolist()]).shape == (4, 1)
    with pytest.raises(ValueError, match="expected 2 arrays|Expected to see 2 arrays|list of 2"):
        model.predict([x1])


def test_a_wrong_width_list_still_names_the_shapes():
    with pytest.raises(ValueError, match=r"\(None, 100\).*\(1, 99\)"):
        one_input_model().predict([[0.5] * 99])
