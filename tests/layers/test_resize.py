"""ZeroPadding, Cropping, UpSampling, SpatialDropout (layers/_resize.py, exported by
layers.convolutional): values against numpy, both orderings, gradients, configs."""
import numpy as np
import pytest

from tests.layers.test_convolutional import from_th, image, to_th
from tinygrad_keras import backend as K
from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.autodiff.gradcheck import gradcheck
from tinygrad_keras.layers import convolutional as C

ORDERINGS = ["th", "tf"]


def check(layer, x, expected):
    got = layer(Tensor(x)).data
    np.testing.assert_array_equal(got, expected)
    assert got.shape[1:] == layer.get_output_shape_for((None,) + x.shape[1:])[1:]
    assert gradcheck(layer.call, Tensor(x, requires_grad=True))


@pytest.mark.parametrize("padding, pads", [(2, (2, 2)), ((1, 3), (1, 3)),
                                           ({"left_pad": 2}, (2, 0))])
def test_zero_padding1d(padding, pads):
    x = np.random.default_rng(0).standard_normal((2, 4, 3))
    check(C.ZeroPadding1D(padding), x, np.pad(x, ((0, 0), pads, (0, 0))))


@pytest.mark.parametrize("ordering", ORDERINGS)
@pytest.mark.parametrize("padding, pads", [((1, 2), ((1, 1), (2, 2))),
                                           ((0, 1, 2, 3), ((0, 1), (2, 3))),
                                           ({"top_pad": 1, "right_pad": 2}, ((1, 0), (0, 2)))])
def test_zero_padding2d(ordering, padding, pads):
    x = image(ordering, h=3, w=4)
    ref = from_th(np.pad(to_th(x, ordering), ((0, 0), (0, 0)) + pads), ordering)
    check(C.ZeroPadding2D(padding, dim_ordering=ordering), x, ref)


def test_cropping1d():
    x = np.random.default_rng(1).standard_normal((2, 6, 3))
    check(C.Cropping1D((1, 2)), x, x[:, 1:4])
    check(C.Cropping1D((2, 0)), x, x[:, 2:])


@pytest.mark.parametrize("ordering", ORDERINGS)
@pytest.mark.parametrize("cropping", [((1, 2), (0, 1)), ((0, 0), (2, 0))])
def test_cropping2d(ordering, cropping):
    x = image(ordering)
    (t, b), (l, r) = cropping
    ref = to_th(x, ordering)[:, :, t:7 - b, l:6 - r]
    check(C.Cropping2D(cropping, dim_ordering=ordering), x, from_th(ref, ordering))


def test_upsampling1d():
    x = np.random.default_rng(2).standard_normal((2, 3, 2))
    check(C.UpSampling1D(3), x, np.repeat(x, 3, axis=1))


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_upsampling2d(ordering):
    x = image(ordering, h=2, w=3)
    ref = np.repeat(np.repeat(to_th(x, ordering), 2, axis=2), 3, axis=3)
    check(C.UpSampling2D((2, 3), dim_ordering=ordering), x, from_th(ref, ordering))


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_spatial_dropout2d_drops_whole_maps(ordering):
    np.random.seed(0)
    x = np.ones((4, 6, 5, 5)) if ordering == "th" else np.ones((4, 5, 5, 6))
    layer = C.SpatialDropout2D(0.5, dim_ordering=ordering)
    K.set_learning_phase(1)
    try:
        out = to_th(layer(Tensor(x)).data, ordering)
    finally:
        K.set_learning_phase(0)
    per_map = out.reshape(4, 6, -1)
    assert np.all(per_map.min(axis=2) == per_map.max(axis=2))  # one decision per map
    assert set(np.unique(per_map)) == {0.0, 2.0}
    np.testing.assert_array_equal(layer(Tensor(x)).data, x)     # identity at test time


def test_spatial_dropout1d_drops_whole_features():
    np.random.seed(1)
    layer = C.SpatialDropout1D(0.5)
    K.set_learning_phase(1)
    try:
        out = layer(Tensor(np.ones((3, 7, 8)))).data
    finally:
        K.set_learning_phase(0)
    assert np.all(out.min(axis=1) == out.max(axis=1)) and 0 < (out == 0).mean() < 1


def test_configs_round_trip():
    layers = [C.ZeroPadding1D((1, 2)), C.ZeroPadding2D((1, 2, 3, 4), dim_ordering="tf"),
              C.Cropping1D((1, 1)), C.Cropping2D(((1, 1), (2, 2)), dim_ordering="tf"),
              C.UpSampling1D(3), C.UpSampling2D((2, 2), dim_ordering="tf"),
              C.SpatialDropout1D(0.3), C.SpatialDropout2D(0.3, dim_ordering="tf")]
    for layer in layers:
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config


def test_bad_padding_is_named():
    with pytest.raises(TypeError, match="ZeroPadding2D: `padding`"):
        C.ZeroPadding2D((1, 2, 3))
    with pytest.raises(ValueError, match="ZeroPadding1D: unexpected key"):
        C.ZeroPadding1D({"top_pad": 1})
