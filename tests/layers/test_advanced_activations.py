"""Advanced activations: contract, values against numpy formulas, learned-parameter
shapes with shared_axes, gradients in float64."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from tests.layers.layer_helpers import layer_gradcheck
from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.layers import advanced_activations as A
from tinygrad_keras.utils.test_utils import layer_test


def rand(*shape):
    return (3 * np.random.standard_normal(shape)).astype(np.float32)


@pytest.mark.parametrize("cls, kwargs", [
    (A.LeakyReLU, {"alpha": 0.2}), (A.PReLU, {}), (A.PReLU, {"shared_axes": 1}),
    (A.ELU, {"alpha": 0.5}), (A.ParametricSoftplus, {}),
    (A.ParametricSoftplus, {"shared_axes": [1]}), (A.ThresholdedReLU, {"theta": 0.5}),
    (A.SReLU, {}), (A.SReLU, {"shared_axes": 1}),
])
def test_layer_contract(cls, kwargs):
    layer_test(cls, kwargs, input_shape=(2, 3, 4))


def test_leaky_relu():
    x = rand(4, 5)
    assert_allclose(A.LeakyReLU(0.3)(Tensor(x)).data, np.where(x > 0, x, 0.3 * x), rtol=1e-6)
    assert A.LeakyReLU().get_config()["alpha"] == 0.3


def test_prelu_learned_slopes_and_shared_axes():
    layer = A.PReLU(name="p")
    x = rand(2, 3, 4, 5)
    layer(Tensor(x))
    assert [w.name for w in layer.weights] == ["p_alphas"]
    assert layer.get_weights()[0].shape == (3, 4, 5)
    alphas = np.random.rand(3, 4, 5).astype("float32")
    layer.set_weights([alphas])
    assert_allclose(layer(Tensor(x)).data, np.where(x > 0, x, alphas * x), rtol=1e-6)
    shared = A.PReLU(shared_axes=[2, 3])
    shared(Tensor(x))
    assert shared.get_weights()[0].shape == (3, 1, 1)
    assert shared.get_config()["shared_axes"] == [2, 3]


def test_prelu_unknown_axis_must_be_shared():
    with pytest.raises(ValueError, match="shared_axes"):
        A.PReLU(name="p").build((None, None, 4))
    A.PReLU(shared_axes=1).build((None, None, 4))


def test_elu_no_overflow():
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 100.0]], dtype="float32")
    y = A.ELU(alpha=0.7)(Tensor(x)).data
    assert_allclose(y, np.where(x > 0, x, 0.7 * (np.exp(np.minimum(x, 0)) - 1)), rtol=1e-6)
    assert np.isfinite(A.ELU()(Tensor(np.array([[1e4]], "float32"))).data).all()


def test_parametric_softplus():
    layer = A.ParametricSoftplus(alpha_init=0.5, beta_init=2.0)
    x = rand(3, 4)
    y = layer(Tensor(x)).data
    alphas, betas = layer.get_weights()
    assert_allclose(alphas, 0.5)
    assert_allclose(betas, 2.0)
    assert_allclose(y, 0.5 * np.log1p(np.exp(2.0 * x)), rtol=1e-5, atol=1e-6)
    big = layer(Tensor(np.array([[1e4, -1e4, 0, 0]], "float32"))).data
    assert_allclose(big, [[0.5 * 2e4, 0.0, 0.5 * np.log(2), 0.5 * np.log(2)]], rtol=1e-5)


def test_thresholded_relu():
    x = np.array([[-1.0, 0.5, 1.0, 1.5]], dtype="float32")
    assert_allclose(A.ThresholdedReLU(theta=1.0)(Tensor(x)).data, [[0, 0, 0, 1.5]])


def test_srelu_three_pieces():
    layer = A.SReLU(name="s")
    x = np.linspace(-3, 3, 13, dtype="float32").reshape(1, 13)
    layer(Tensor(x))
    assert [w.name for w in layer.weights] == ["s_t_left", "s_a_left", "s_t_right", "s_a_right"]
    shape = (13,)
    t_left, a_left = np.full(shape, -1.0, "f"), np.full(shape, 0.1, "f")
    t_right, a_right = np.full(shape, -2.0, "f"), np.full(shape, 3.0, "f")
    layer.set_weights([t_left, a_left, t_right, a_right])
    t_r = t_left + np.abs(t_right)  # = 1
    expected = np.where(x < t_left, t_left + a_left * (x - t_left),
                        np.where(x > t_r, t_r + a_right * (x - t_r), x))
    assert_allclose(layer(Tensor(x)).data, expected, rtol=1e-6, atol=1e-6)


def test_srelu_config_stores_initializer_names():
    from tinygrad_keras import initializations
    config = A.SReLU(a_right_init=initializations.get("uniform")).get_config()
    assert config["a_right_init"] == "uniform" and config["t_left_init"] == "zero"
    assert A.SReLU.from_config(config).get_config() == config


def test_masks_pass_through():
    mask = Tensor(np.array([True, False]))
    x = Tensor(rand(2, 3))
    for cls in (A.LeakyReLU, A.ELU, A.ThresholdedReLU, A.PReLU):
        layer = cls()
        layer(x)  # build
        assert layer.run(x, mask)[1] is mask


@pytest.mark.parametrize("layer", [A.LeakyReLU(0.2), A.PReLU(init="uniform"), A.ELU(0.5),
                                   A.ParametricSoftplus(), A.ThresholdedReLU(0.3),
                                   A.SReLU(t_left_init="uniform", a_left_init="uniform",
                                           t_right_init="uniform", a_right_init="uniform")])
def test_gradients(layer):
    np.random.seed(4)
    x = np.random.randn(3, 4)
    x[np.abs(x) < 0.05] = 0.3  # stay off the kink at 0
    x[np.abs(x - 0.3) < 0.05] = 0.5  # and off ThresholdedReLU's jump
    assert layer_gradcheck(layer, x)
