"""K.conv3d, K.pool3d, K.deconv2d, K.atrous_conv2d and K.separable_conv2d against
numpy references, in both orderings, with Keras 1.2.2's signatures and layouts."""
import numpy as np
import pytest

from tests.autodiff.test_conv import direct_correlate
from tests.autodiff.test_conv3d import direct_correlate3d, direct_pool3d
from tinygrad_keras import backend as K

RNG = np.random.default_rng(0)


def last(a):
    """channels first -> channels last."""
    return np.moveaxis(a, 1, -1)


def kernel_tf(k):
    """(out, in, *k) -> (*k, in, out)."""
    return np.moveaxis(np.moveaxis(k, 0, -1), 0, -2)


@pytest.mark.parametrize("ordering", ["th", "tf"])
def test_conv3d_and_pool3d(ordering):
    x, w = RNG.standard_normal((2, 3, 4, 5, 4)), RNG.standard_normal((2, 3, 2, 2, 3))
    ref = direct_correlate3d(x, w, (2, 1, 1), ((0, 0),) * 3, (1, 1, 1))
    pool = direct_pool3d(x, (2, 2, 2), (1, 2, 2), "same", np.max)
    avg = direct_pool3d(x, (2, 3, 2), (2, 2, 2), "valid", np.mean)
    if ordering == "tf":
        x, w, ref, pool, avg = last(x), kernel_tf(w), last(ref), last(pool), last(avg)
    np.testing.assert_allclose(K.conv3d(x, w, (2, 1, 1), dim_ordering=ordering).data, ref,
                               rtol=1e-10)
    got = K.pool3d(x, (2, 2, 2), (1, 2, 2), "same", ordering, pool_mode="max").data
    np.testing.assert_allclose(got, pool)
    got = K.pool3d(x, (2, 3, 2), (2, 2, 2), dim_ordering=ordering, pool_mode="avg").data
    np.testing.assert_allclose(got, avg, rtol=1e-12)
    with pytest.raises(ValueError, match="pooling mode"):
        K.pool3d(x, (2, 2, 2), pool_mode="sum")


@pytest.mark.parametrize("ordering", ["th", "tf"])
def test_atrous_conv2d_is_dilated_correlation(ordering):
    x, w = RNG.standard_normal((2, 3, 9, 8)), RNG.standard_normal((4, 3, 3, 2))
    ref = direct_correlate(x, w, (1, 1), ((0, 0), (0, 0)), (2, 2))
    if ordering == "tf":
        x, w, ref = last(x), kernel_tf(w), last(ref)
    np.testing.assert_allclose(K.atrous_conv2d(x, w, rate=2, dim_ordering=ordering).data, ref,
                               rtol=1e-10)


@pytest.mark.parametrize("ordering", ["th", "tf"])
def test_deconv2d_is_the_adjoint_of_conv2d(ordering):
    """<conv2d(y, k), x> == <deconv2d(x, k), y>: deconv2d maps the conv output back."""
    k = RNG.standard_normal((3, 2, 3, 3))   # 'th' conv kernel: 2 maps -> 3 maps
    y = RNG.standard_normal((1, 3, 9, 8))   # deconv output (the conv's input) has 3 maps
    x = RNG.standard_normal((1, 2, 4, 3))   # deconv input: the conv output of y, 2 maps
    # Keras 1 reads the deconv kernel as mapping `stack` (2) maps to `nb_filter` (3)
    conv_kernel = k.transpose(1, 0, 2, 3)  # correlation y (3 maps) -> x (2 maps)
    lhs = np.sum(direct_correlate(y, conv_kernel, (2, 2), ((0, 0), (0, 0)), (1, 1)) * x)
    out_shape = (None, 3, 9, 8)
    if ordering == "tf":
        x, y, k, out_shape = last(x), last(y), kernel_tf(k), (None, 9, 8, 3)
    out = K.deconv2d(x, k, out_shape, (2, 2), dim_ordering=ordering).data
    np.testing.assert_allclose(np.sum(out * y), lhs, rtol=1e-10)
    with pytest.raises(ValueError, match="output_shape"):
        K.deconv2d(x, k, (9, 8), dim_ordering=ordering)


@pytest.mark.parametrize("ordering", ["th", "tf"])
def test_separable_conv2d_matches_per_channel_reference(ordering):
    c, m, f = 3, 2, 4
    x = RNG.standard_normal((2, c, 6, 5))
    dk, pk = RNG.standard_normal((m, c, 3, 2)), RNG.standard_normal((f, c * m, 1, 1))
    depth = np.concatenate([direct_correlate(x[:, ch:ch + 1], dk[j:j + 1, ch:ch + 1], (1, 1),
                                             ((0, 0), (0, 0)), (1, 1))
                            for ch in range(c) for j in range(m)], axis=1)
    ref = np.einsum("bchw,fc->bfhw", depth, pk[:, :, 0, 0])
    if ordering == "tf":
        x, ref = last(x), last(ref)
        dk, pk = dk.transpose(2, 3, 1, 0), kernel_tf(pk)
    got = K.separable_conv2d(x, dk, pk, dim_ordering=ordering).data
    np.testing.assert_allclose(got, ref, rtol=1e-10)
    with pytest.raises(ValueError, match="border_mode"):
        K.separable_conv2d(x, dk, pk, border_mode="full", dim_ordering=ordering)
