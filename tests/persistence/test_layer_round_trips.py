"""Every layer type survives ``save``/``load_model`` and ``save_weights``/``load_weights``,
in both image orderings: same weights, same predictions, same config."""
import json

import numpy as np
import pytest

from tests.persistence.layer_catalog import catalog
from tinygrad_keras.models import Sequential, load_model, model_from_json


def randomize(model) -> None:
    """Weights away from their initial values (positive, so variances stay valid)."""
    for w in model.weights:
        w.data = np.random.uniform(0.5, 1.5, w.shape).astype(w.dtype)


def sample_input(shape, ints: bool) -> np.ndarray:
    if ints:
        return np.random.randint(0, 7, (3,) + shape).astype("int32")
    return np.random.uniform(-1, 1, (3,) + shape).astype("float32")


def build(make, shape):
    model = Sequential([make(input_shape=shape)])
    model.compile("sgd", "mse")
    return model


CASES = [(o, name) for o in ("th", "tf") for name, *_ in catalog(o)]


@pytest.mark.parametrize("ordering,name", CASES, ids=[f"{o}-{n}" for o, n in CASES])
def test_layer_round_trip(ordering, name, tmp_path):
    make, shape, ints = {n: (m, s, i) for n, m, s, i in catalog(ordering)}[name]
    model = build(make, shape)
    randomize(model)
    x = sample_input(shape, ints)
    expected = model.predict(x)

    path = str(tmp_path / "model.h5")
    model.save(path)
    loaded = load_model(path)
    # a rebuilt inner layer may gain keys (input_dim -> batch_input_shape, as in 1.2.2), so
    # compare with the JSON round trip, which rebuilds the same way
    assert json.loads(loaded.to_json()) == json.loads(model_from_json(model.to_json()).to_json())
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.predict(x), expected)

    weights_path = str(tmp_path / "weights.h5")
    model.save_weights(weights_path)
    fresh = build(make, shape)
    fresh.load_weights(weights_path)
    np.testing.assert_array_equal(fresh.predict(x), expected)
    by_name = Sequential.from_config(model.get_config())  # same layer names
    by_name.load_weights(weights_path, by_name=True)
    np.testing.assert_array_equal(by_name.predict(x), expected)
