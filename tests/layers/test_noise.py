"""Noise layers: identity at test time, noise of the right size while training."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from tests.layers.layer_helpers import layer_gradcheck
from tinygrad_keras import backend as K
from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.layers import noise
from tinygrad_keras.utils.test_utils import layer_test


@pytest.mark.parametrize("cls, kwargs", [(noise.GaussianNoise, {"sigma": 1.0}),
                                         (noise.GaussianDropout, {"p": 0.5})])
def test_layer_contract(cls, kwargs):
    layer_test(cls, kwargs, input_shape=(3, 2, 3))


def in_training(layer, x):
    K.set_learning_phase(1)
    try:
        return layer(Tensor(x)).data
    finally:
        K.set_learning_phase(0)


def test_gaussian_noise_statistics():
    x = np.full((400, 50), 2.0, dtype="float32")
    layer = noise.GaussianNoise(0.5)
    assert_allclose(layer(Tensor(x)).data, x)
    y = in_training(layer, x)
    assert y.dtype == np.float32
    assert abs((y - x).mean()) < 0.01 and abs((y - x).std() - 0.5) < 0.01
    assert layer.get_config()["sigma"] == 0.5


def test_gaussian_dropout_statistics():
    x = np.full((400, 50), 2.0, dtype="float32")
    layer = noise.GaussianDropout(0.2)
    assert_allclose(layer(Tensor(x)).data, x)
    ratio = in_training(layer, x) / x
    assert abs(ratio.mean() - 1) < 0.01 and abs(ratio.std() - np.sqrt(0.2 / 0.8)) < 0.01
    assert_allclose(in_training(noise.GaussianDropout(0.0), x), x)


def test_noise_is_reproducible_with_np_random_seed():
    x = np.ones((3, 4), dtype="float32")
    np.random.seed(7)
    first = in_training(noise.GaussianNoise(1.0), x)
    np.random.seed(7)
    assert_allclose(in_training(noise.GaussianNoise(1.0), x), first)


def test_gradient_is_one_for_additive_and_the_noise_for_multiplicative():
    x = Tensor(np.ones((5, 4)), requires_grad=True)
    K.set_learning_phase(1)
    y = noise.GaussianDropout(0.3)(x)
    K.set_learning_phase(0)
    y.sum().backward()
    assert_allclose(x.grad, y.data)  # y = x * n with x = 1
    x.zero_grad()
    K.set_learning_phase(1)
    noise.GaussianNoise(0.3)(x).sum().backward()
    K.set_learning_phase(0)
    assert_allclose(x.grad, 1.0)


@pytest.mark.parametrize("layer", [noise.GaussianNoise(0.5), noise.GaussianDropout(0.3)])
@pytest.mark.parametrize("phase", [0, 1])
def test_gradients(layer, phase):
    np.random.seed(8)
    assert layer_gradcheck(layer, np.random.randn(3, 4), phase=phase, reseed=1)


def test_bad_arguments():
    with pytest.raises(ValueError, match="GaussianDropout"):
        noise.GaussianDropout(1.0)
    with pytest.raises(ValueError, match="GaussianNoise"):
        noise.GaussianNoise(-1.0)
