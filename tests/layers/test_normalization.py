"""BatchNormalization: the three modes against numpy, running statistics (the
variance lives in running_std), axis for 'th' feature maps, training, gradients."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from tests.layers.layer_helpers import layer_gradcheck
from tinygrad_keras import backend as K
from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.engine.topology import Input
from tinygrad_keras.layers import Dense
from tinygrad_keras.layers.normalization import BatchNormalization
from tinygrad_keras.models import Model, Sequential
from tinygrad_keras.utils.test_utils import layer_test


def rand(*shape, loc=0.0, scale=1.0):
    return np.random.normal(loc, scale, shape).astype(np.float32)


def in_training(layer, x):
    K.set_learning_phase(1)
    try:
        return layer(Tensor(x)).data
    finally:
        K.set_learning_phase(0)


@pytest.mark.parametrize("kwargs, input_shape", [
    ({"mode": 0}, (3, 4)), ({"mode": 1}, (3, 4)), ({"mode": 2}, (3, 4)),
    ({"mode": 0, "axis": 1}, (3, 2, 4, 4)),
    ({"mode": 1, "gamma_regularizer": "l2", "beta_regularizer": "l2"}, (3, 4)),
    ({"mode": 0, "momentum": 0.9, "epsilon": 0.1}, (3, 2, 4)),
])
def test_layer_contract(kwargs, input_shape):
    layer_test(BatchNormalization, kwargs, input_shape=input_shape)


def test_four_weights_in_keras_order():
    layer = BatchNormalization(name="bn")
    layer(Tensor(rand(2, 3)))
    assert [w.name for w in layer.weights] == ["bn_gamma", "bn_beta", "bn_running_mean",
                                               "bn_running_std"]
    assert [w.name for w in layer.trainable_weights] == ["bn_gamma", "bn_beta"]
    gamma, beta, mean, std = layer.get_weights()
    assert (gamma == 1).all() and (beta == 0).all() and (mean == 0).all() and (std == 1).all()
    config = layer.get_config()
    assert {k: config[k] for k in ("epsilon", "mode", "axis", "momentum")} == \
        {"epsilon": 1e-3, "mode": 0, "axis": -1, "momentum": 0.99}


def test_mode_0_training_uses_batch_statistics_and_moves_running_ones():
    x = rand(50, 3, loc=5.0, scale=2.0)
    layer = BatchNormalization(momentum=0.9)
    layer(Tensor(x[:1]))  # build
    gamma, beta = np.array([1.0, 2.0, 0.5], "f"), np.array([0.0, -1.0, 3.0], "f")
    layer.set_weights([gamma, beta, np.zeros(3, "f"), np.ones(3, "f")])
    y = in_training(layer, x)
    mean, var = x.mean(0), x.var(0)
    assert_allclose(y, gamma * (x - mean) / np.sqrt(var + 1e-3) + beta, rtol=1e-4, atol=1e-4)
    _, _, running_mean, running_var = layer.get_weights()
    assert_allclose(running_mean, 0.1 * mean, rtol=1e-5)
    assert_allclose(running_var, 0.9 + 0.1 * var, rtol=1e-5)  # the variance, not the std


def test_mode_0_test_phase_uses_running_statistics_without_updating():
    layer = BatchNormalization(epsilon=0.01)
    x = rand(4, 3)
    layer(Tensor(x))
    rm, rv = np.array([1.0, 2.0, 3.0], "f"), np.array([4.0, 1.0, 0.25], "f")
    layer.set_weights([np.ones(3, "f"), np.zeros(3, "f"), rm, rv])
    assert_allclose(layer(Tensor(x)).data, (x - rm) / np.sqrt(rv + 0.01), rtol=1e-5)
    assert_allclose(layer.get_weights()[2], rm)


def test_mode_2_always_uses_batch_statistics():
    x = rand(20, 3, loc=-2.0)
    layer = BatchNormalization(mode=2)
    y = layer(Tensor(x)).data
    assert_allclose(y, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3), rtol=1e-4, atol=1e-5)
    in_training(layer, x)
    assert_allclose(layer.get_weights()[2], 0.0)  # no running updates


def test_mode_1_is_per_sample_with_epsilon_twice():
    x = rand(4, 6, loc=3.0)
    layer = BatchNormalization(mode=1, epsilon=0.1)
    m, s = x.mean(-1, keepdims=True), np.sqrt(x.var(-1, keepdims=True) + 0.1)
    assert_allclose(layer(Tensor(x)).data, (x - m) / (s + 0.1), rtol=1e-5, atol=1e-6)
    assert_allclose(in_training(layer, x), (x - m) / (s + 0.1), rtol=1e-5, atol=1e-6)


def test_axis_1_normalizes_th_feature_maps():
    x = rand(8, 2, 3, 3)
    x[:, 1] += 10.0
    y = in_training(BatchNormalization(axis=1), x)
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-4)
    assert BatchNormalization(axis=1).get_output_shape_for((None, 2, 3, 3)) == (None, 2, 3, 3)


@pytest.mark.parametrize("mode", [0, 2])
def test_after_training_outputs_are_standardised(mode):
    # Keras 1.2.2 test_batchnorm_mode_0_or_2: (out - beta) / gamma has mean ~0, std ~1
    model = Sequential()
    norm = BatchNormalization(input_shape=(10,), momentum=0.8, mode=mode)
    model.add(norm)
    model.compile("sgd", "mse")
    x = rand(300, 10, loc=5.0, scale=10.0)
    model.fit(x, x, nb_epoch=4, verbose=0)
    gamma, beta = K.get_value(norm.gamma), K.get_value(norm.beta)
    out = (model.predict(x) - beta) / gamma
    assert_allclose(out.mean(), 0.0, atol=1e-1)
    assert_allclose(out.std(), 1.0, atol=1e-1)


def test_shared_batchnorm_in_two_branches():
    norm = BatchNormalization(input_shape=(4,))
    a, b = Input(shape=(4,)), Input(shape=(4,))
    model = Model(input=[a, b], output=[norm(a), norm(b)])
    model.compile("sgd", "mse")
    x = rand(10, 4)
    model.fit([x, x], [x, x], nb_epoch=1, verbose=0)
    assert len(norm.weights) == 4


def test_bad_arguments():
    with pytest.raises(ValueError, match="mode"):
        BatchNormalization(mode=3)
    with pytest.raises(ValueError, match="axis"):
        BatchNormalization(axis=3, name="bn").build((None, 4))


def test_dense_then_batchnorm_trains():
    model = Sequential([Dense(5, input_dim=3), BatchNormalization(), Dense(1)])
    model.compile("rmsprop", "mse")
    x, y = rand(32, 3), rand(32, 1)
    history = model.fit(x, y, nb_epoch=2, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


@pytest.mark.parametrize("mode, phase, shape, axis", [
    (0, 1, (5, 3), -1), (0, 0, (5, 3), -1), (1, 0, (4, 3), -1), (2, 0, (5, 3), -1),
    (0, 1, (3, 2, 2, 2), 1),
])
def test_gradients(mode, phase, shape, axis):
    np.random.seed(5)
    layer = BatchNormalization(mode=mode, axis=axis, gamma_init="uniform", beta_init="uniform")
    assert layer_gradcheck(layer, np.random.randn(*shape), phase=phase)
