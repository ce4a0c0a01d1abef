"""Losses that close over intermediate Keras tensors (the variational_autoencoder.py idiom)."""
import numpy as np
import pytest

from tinygrad_keras import backend as K
from tinygrad_keras.engine import Input
from tinygrad_keras.layers import Dense
from tinygrad_keras.models import Model


def test_loss_on_a_captured_keras_tensor_has_value_and_gradient():
    inp = Input(shape=(3,))
    hidden = Dense(4, name="hidden")(inp)
    out = Dense(1, name="out")(hidden)

    def hidden_energy(y_true, y_pred):
        # y_pred enters with weight 0, so the gradient comes only through `hidden`;
        # `1 + hidden - 1` exercises the KerasTensor operators
        return K.mean(K.square(1 + hidden - 1), axis=-1) + 0 * K.mean(y_pred, axis=-1)

    model = Model(input=inp, output=out)
    model.compile("sgd", hidden_energy)
    x = np.random.randn(6, 3).astype("float32")
    W, b = model.get_layer("hidden").get_weights()
    expected = np.mean(np.mean((x @ W + b) ** 2, axis=-1))
    assert model.test_on_batch(x, np.zeros((6, 1))) == pytest.approx(expected, rel=1e-5)
    out_before = model.get_layer("out").get_weights()
    model.train_on_batch(x, np.zeros((6, 1)))
    assert not np.allclose(model.get_layer("hidden").get_weights()[0], W)
    for a, c in zip(out_before, model.get_layer("out").get_weights()):
        np.testing.assert_array_equal(a, c)  # no gradient reaches the unused output layer


def test_keras_tensor_outside_a_loss_is_recorded_and_its_value_is_a_clear_error():
    inp = Input(shape=(2,), name="free")
    recorded = K.square(inp + 1)               # no value yet: recorded for K.function
    assert K.is_keras_tensor(recorded) and recorded.shape == (None, 2)
    with pytest.raises(ValueError, match="'free' .* is symbolic"):
        K.eval(inp)
    with pytest.raises(TypeError, match="has no value to use as a float"):
        float(K.sum(recorded))
