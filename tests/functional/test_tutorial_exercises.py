"""The exercises of tutorials 15 and 16 (``tutorials/solutions/1[56]_*.py``)."""
import numpy as np

from tests.docs.test_exercises import solution
from tinygrad_keras.layers import Dense, Input
from tinygrad_keras.models import Model, Sequential


def test_tutorial15_dense_residual():
    dense_residual = solution("15_functional_api").dense_residual
    x = Input(shape=(5,))
    y = dense_residual(x, 7)
    assert y.shape == (None, 5)
    model = Model(x, y)
    first, second = [la for la in model.layers if isinstance(la, Dense)]
    assert (first.output_dim, second.output_dim) == (7, 5)
    data = np.random.randn(4, 5).astype("float32")
    W1, b1 = first.get_weights()
    W2, b2 = second.get_weights()
    expected = data + np.maximum(data @ W1 + b1, 0) @ W2 + b2
    np.testing.assert_allclose(model.predict(data), expected, rtol=1e-5, atol=1e-6)
    model.compile("sgd", "mse")
    model.train_on_batch(data, np.zeros((4, 5)))   # gradients reach both Dense layers
    assert not np.array_equal(first.get_weights()[0], W1)


def test_tutorial16_load_matching_weights(tmp_path):
    load_matching_weights = solution("16_save_load").load_matching_weights
    source = Sequential([Dense(8, input_dim=4, name="hidden"), Dense(1, name="out")])
    path = str(tmp_path / "w.h5")
    source.save_weights(path)
    target = Sequential([Dense(8, input_dim=4, name="hidden"), Dense(3, name="out"),
                         Dense(2, name="extra")])
    out_before = target.layers[1].get_weights()
    assert load_matching_weights(path, target) == ["hidden"]
    np.testing.assert_array_equal(target.layers[0].get_weights()[0],
                                  source.layers[0].get_weights()[0])
    np.testing.assert_array_equal(target.layers[1].get_weights()[0], out_before[0])
    source.compile("sgd", "mse")
    source.save(str(tmp_path / "m.h5"))            # a full save file works too
    assert load_matching_weights(str(tmp_path / "m.h5"), target) == ["hidden"]
