"""Pooling layers: forward against direct loops (both orderings, border modes,
strides), gradients through the layer in float64, output shapes and configs."""
import numpy as np
import pytest

from tests.autodiff.test_pool import direct_pool
from tests.layers.test_convolutional import from_th, image, to_th
from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.autodiff.gradcheck import gradcheck
from tinygrad_keras.layers import pooling as P

ORDERINGS = ["th", "tf"]
MODES = ["valid", "same"]
KINDS = [(P.MaxPooling2D, np.max), (P.AveragePooling2D, np.mean)]


@pytest.mark.parametrize("ordering", ORDERINGS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("pool, strides", [((2, 2), None), ((3, 2), (2, 1)), ((3, 3), (1, 1))])
@pytest.mark.parametrize("cls, reduce", KINDS)
def test_pool2d_forward(ordering, mode, pool, strides, cls, reduce):
    x = image(ordering, h=7, w=6)
    layer = cls(pool, strides, mode, dim_ordering=ordering)
    got = layer(Tensor(x)).data
    ref = direct_pool(to_th(x, ordering), pool, strides or pool, mode, reduce)
    np.testing.assert_allclose(got, from_th(ref, ordering), rtol=1e-12)
    assert got.shape[1:] == layer.get_output_shape_for((None,) + x.shape[1:])[1:]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("length, stride", [(2, None), (3, 2), (2, 1)])
@pytest.mark.parametrize("cls, reduce", [(P.MaxPooling1D, np.max), (P.AveragePooling1D, np.mean)])
def test_pool1d_forward(mode, length, stride, cls, reduce):
    x = np.random.default_rng(0).standard_normal((2, 9, 3))
    layer = cls(length, stride, mode)
    got = layer(Tensor(x)).data
    ref = direct_pool(x.transpose(0, 2, 1)[:, :, None], (1, length), (1, stride or length),
                      mode, reduce)[:, :, 0].transpose(0, 2, 1)
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    assert got.shape[1:] == layer.get_output_shape_for((None, 9, 3))[1:]


@pytest.mark.parametrize("ordering", ORDERINGS)
@pytest.mark.parametrize("cls", [P.MaxPooling2D, P.AveragePooling2D])
def test_pool2d_gradients(ordering, cls):
    shape = (1, 2, 5, 4)
    x = np.random.default_rng(1).permutation(np.prod(shape)).reshape(shape) * 0.1  # no ties
    layer = cls((2, 2), (2, 1), "same", dim_ordering=ordering)
    assert gradcheck(layer.call, Tensor(from_th(x, ordering), requires_grad=True))


@pytest.mark.parametrize("cls", [P.MaxPooling1D, P.AveragePooling1D, P.GlobalMaxPooling1D,
                                 P.GlobalAveragePooling1D])
def test_pool1d_gradients(cls):
    x = np.random.default_rng(2).permutation(24).reshape(2, 4, 3) * 0.1
    assert gradcheck(cls().call, Tensor(x, requires_grad=True))


@pytest.mark.parametrize("ordering", ORDERINGS)
@pytest.mark.parametrize("cls, reduce", [(P.GlobalMaxPooling2D, np.max),
                                         (P.GlobalAveragePooling2D, np.mean)])
def test_global_pool2d(ordering, cls, reduce):
    x = image(ordering)
    layer = cls(dim_ordering=ordering)
    got = layer(Tensor(x)).data
    np.testing.assert_allclose(got, reduce(to_th(x, ordering), axis=(2, 3)))
    assert layer.get_output_shape_for((None,) + x.shape[1:]) == (None, 3)
    assert gradcheck(layer.call, Tensor(np.random.default_rng(3).permutation(x.size)
                                        .reshape(x.shape) * 0.1, requires_grad=True))


@pytest.mark.parametrize("cls, reduce", [(P.GlobalMaxPooling1D, np.max),
                                         (P.GlobalAveragePooling1D, np.mean)])
def test_global_pool1d(cls, reduce):
    x = np.random.default_rng(4).standard_normal((2, 5, 3))
    np.testing.assert_allclose(cls()(Tensor(x)).data, reduce(x, axis=1))
    assert cls().get_output_shape_for((None, 5, 3)) == (None, 3)


def test_configs_and_defaults():
    layer = P.MaxPooling1D(3)
    assert layer.stride == 3
    config = layer.get_config()
    assert (config["pool_length"], config["stride"], config["border_mode"]) == (3, 3, "valid")
    layer = P.AveragePooling2D((3, 3), border_mode="same")
    assert layer.strides == (3, 3) and layer.dim_ordering == "th"
    config = layer.get_config()
    assert {"pool_size", "strides", "border_mode", "dim_ordering"} <= set(config)
    assert P.AveragePooling2D.from_config(config).get_config() == config
    assert P.GlobalMaxPooling2D(dim_ordering="tf").get_config()["dim_ordering"] == "tf"


def test_bad_border_mode_is_named():
    with pytest.raises(ValueError, match="MaxPooling2D: `border_mode`"):
        P.MaxPooling2D(border_mode="full")
    with pytest.raises(ValueError, match="AveragePooling1D: `border_mode`"):
        P.AveragePooling1D(border_mode="causal")


def test_unknown_length_stays_unknown():
    assert P.MaxPooling1D(2).get_output_shape_for((None, None, 4)) == (None, None, 4)
    assert P.MaxPooling2D(dim_ordering="tf").get_output_shape_for((None, None, 8, 3)) == \
        (None, None, 4, 3)


def test_window_larger_than_input_is_named():
    with pytest.raises(ValueError, match="maxpooling1d_9: the input of shape .* too small"):
        P.MaxPooling1D(4, name="maxpooling1d_9").get_output_shape_for((None, 3, 2))
    with pytest.raises(ValueError, match="too small"):
        P.AveragePooling2D((3, 3), dim_ordering="tf").get_output_shape_for((None, 2, 5, 1))
