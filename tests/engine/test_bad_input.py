"""A Keras 1 user's typical mistakes: clear errors before any training step."""
import numpy as np
import pytest

from tinygrad_keras.layers import Activation, Dense
from tinygrad_keras.models import Sequential


@pytest.fixture
def model():
    m = Sequential([Dense(4, input_dim=5), Dense(3, activation="softmax")])
    m.compile("sgd", "categorical_crossentropy")
    return m


def unchanged(model, before):
    return all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_wrong_feature_size_names_input_layer_and_shapes(model):
    before = model.get_weights()
    with pytest.raises(ValueError) as err:
        model.fit(np.zeros((8, 6)), np.eye(3)[[0] * 8], verbose=0)
    msg = str(err.value)
    input_name, first = model.inputs[0]._keras_history[0].name, model.layers[0].name
    assert input_name.startswith("dense_input_") and first.startswith("dense_")
    assert f"expected {input_name} (the input of layer {first}) to have shape (None, 5) but " \
           f"got array with shape (8, 6)" in msg
    assert unchanged(model, before)


def test_wrong_rank(model):
    with pytest.raises(ValueError, match="2 dimensions, but got array with shape"):
        model.predict(np.zeros((2, 5, 1)))


def test_mismatched_sample_counts(model):
    with pytest.raises(ValueError, match="Found 8 input samples and 7 target samples"):
        model.fit(np.zeros((8, 5)), np.eye(3)[[0] * 7], verbose=0)


def test_integer_labels_with_categorical_crossentropy(model):
    before = model.get_weights()
    with pytest.raises(ValueError, match="to_categorical"):
        model.fit(np.zeros((8, 5)), np.random.randint(0, 3, 8), verbose=0)
    assert unchanged(model, before)


def test_target_shape_must_match_output(model):
    with pytest.raises(ValueError, match="same shape as the output"):
        model.train_on_batch(np.zeros((8, 5)), np.zeros((8, 4)))


def test_nan_or_inf_in_inputs_is_an_error(model):
    x = np.zeros((8, 5))
    x[3, 2] = np.nan
    with pytest.raises(ValueError, match=r"NaN or inf \(first at index \(3, 2\)\)"):
        model.fit(x, np.eye(3)[[0] * 8], verbose=0)
    y = np.eye(3)[[0] * 8]
    y[1, 1] = np.inf
    with pytest.raises(ValueError, match="target"):
        model.evaluate(np.zeros((8, 5)), y, verbose=0)


def test_first_layer_without_input_shape():
    with pytest.raises(ValueError, match="input_shape"):
        Sequential().add(Activation("relu"))


def test_wrong_number_of_input_arrays(model):
    with pytest.raises(ValueError, match="Expected to see 1 arrays"):
        model.predict([np.zeros((2, 5)), np.zeros((2, 5))])


def test_unknown_fit_argument(model):
    with pytest.raises(TypeError, match="nb_epochs"):
        model.fit(np.zeros((2, 5)), np.eye(3)[[0, 1]], nb_epochs=3)


def test_not_a_layer():
    with pytest.raises(TypeError, match="instance of class Layer"):
        Sequential().add("dense")


def test_stateful_batch_rule():
    from tinygrad_keras.engine.training_utils import make_batches
    assert make_batches(5, 2) == [(0, 2), (2, 4), (4, 5)]


def test_empty_data(model):
    with pytest.raises(ValueError, match="0 samples"):
        model.fit(np.zeros((0, 5)), np.zeros((0, 3)), verbose=0)
    assert model.predict(np.zeros((0, 5))).shape == (0, 3)
