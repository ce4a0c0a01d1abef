"""The 3-D layers: numbers against numpy references in both orderings, the layer
contract, Theano-file kernels, and the Keras 1.2.2 import paths."""
import numpy as np
import pytest

from tests.autodiff.test_conv3d import direct_correlate3d, direct_pool3d
from tests.layers.layer_helpers import layer_gradcheck
from tests.persistence.test_foreign_files import write_keras1
from tinygrad_keras import backend as K
from tinygrad_keras import layers as L
from tinygrad_keras.models import Sequential
from tinygrad_keras.utils.test_utils import layer_test


def to_tf(a):
    """(B, C, d1, d2, d3) -> (B, d1, d2, d3, C)."""
    return np.ascontiguousarray(a.transpose(0, 2, 3, 4, 1))


def predict(layer, x):
    model = Sequential([layer])
    return model.predict(x.astype("float32"))


@pytest.mark.parametrize("mode, stride", [("valid", (1, 1, 1)), ("same", (2, 1, 2)),
                                          ("full", (1, 2, 1))])
def test_convolution3d_matches_reference_in_both_orderings(mode, stride):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 5, 4, 6))
    w = rng.standard_normal((4, 3, 2, 3, 2))                # 'th' kernel
    b = rng.standard_normal(4)
    if mode == "same":  # TensorFlow's rule: total pad split with the extra cell after
        totals = [max((-(-n // s) - 1) * s + k - n, 0)
                  for n, k, s in zip(x.shape[2:], w.shape[2:], stride)]
        pads = tuple((t // 2, t - t // 2) for t in totals)
    elif mode == "full":
        pads = tuple((k - 1, k - 1) for k in w.shape[2:])
    else:
        pads = ((0, 0),) * 3
    ref = direct_correlate3d(x, w, stride, pads, (1, 1, 1)) + b.reshape(1, 4, 1, 1, 1)
    th = L.Convolution3D(4, 2, 3, 2, border_mode=mode, subsample=stride, dim_ordering="th",
                         weights=[w, b], input_shape=x.shape[1:])
    np.testing.assert_allclose(predict(th, x), ref, rtol=1e-4, atol=1e-4)
    tf = L.Convolution3D(4, 2, 3, 2, border_mode=mode, subsample=stride, dim_ordering="tf",
                         weights=[w.transpose(2, 3, 4, 1, 0), b], input_shape=to_tf(x).shape[1:])
    np.testing.assert_allclose(predict(tf, to_tf(x)), to_tf(ref), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("ordering", ["th", "tf"])
def test_convolution3d_contract_and_gradients(ordering):
    shape = (2, 2, 3, 4, 3) if ordering == "th" else (2, 3, 4, 3, 2)
    layer_test(L.Convolution3D, {"nb_filter": 2, "kernel_dim1": 2, "kernel_dim2": 2,
                                 "kernel_dim3": 2, "dim_ordering": ordering,
                                 "activation": "tanh"}, input_shape=shape)
    x = np.random.default_rng(1).standard_normal(shape)
    assert layer_gradcheck(L.Conv3D(2, 2, 1, 2, dim_ordering=ordering), x)


@pytest.mark.parametrize("cls, reduce", [(L.MaxPooling3D, np.max),
                                         (L.AveragePooling3D, np.mean)])
@pytest.mark.parametrize("mode", ["valid", "same"])
def test_pooling3d_matches_reference_in_both_orderings(cls, reduce, mode):
    x = np.random.default_rng(2).standard_normal((2, 3, 5, 4, 5))
    ref = direct_pool3d(x, (2, 3, 2), (2, 1, 2), mode, reduce)
    kw = {"pool_size": (2, 3, 2), "strides": (2, 1, 2), "border_mode": mode}
    got = predict(cls(dim_ordering="th", input_shape=x.shape[1:], **kw), x)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-6)
    got = predict(cls(dim_ordering="tf", input_shape=to_tf(x).shape[1:], **kw), to_tf(x))
    np.testing.assert_allclose(got, to_tf(ref), rtol=1e-5, atol=1e-6)


def test_global_pooling3d_and_resizing_layers_match_numpy():
    x = np.random.default_rng(3).standard_normal((2, 3, 2, 3, 4)).astype("float32")
    xt = to_tf(x)
    for o, data, axes in (("th", x, (2, 3, 4)), ("tf", xt, (1, 2, 3))):
        kw = {"dim_ordering": o, "input_shape": data.shape[1:]}
        np.testing.assert_allclose(predict(L.GlobalMaxPooling3D(**kw), data), data.max(axes))
        np.testing.assert_allclose(predict(L.GlobalAveragePooling3D(**kw), data),
                                   data.mean(axes), rtol=1e-6)
        up = data
        for axis, k in zip(axes, (2, 1, 3)):
            up = up.repeat(k, axis=axis)
        np.testing.assert_array_equal(predict(L.UpSampling3D((2, 1, 3), **kw), data), up)
        widths = [(0, 0)] * 5
        for axis, p in zip(axes, (1, 0, 2)):
            widths[axis] = (p, p)
        np.testing.assert_array_equal(predict(L.ZeroPadding3D((1, 0, 2), **kw), data),
                                      np.pad(data, widths))
        index = [slice(None)] * 5
        for axis, s in zip(axes, (slice(1, None), slice(0, 2), slice(1, 3))):
            index[axis] = s
        got = predict(L.Cropping3D(((1, 0), (0, 1), (1, 1)), **kw), data)
        np.testing.assert_array_equal(got, data[tuple(index)])


@pytest.mark.parametrize("ordering, shared", [("th", (2, 3, 4)), ("tf", (1, 2, 3))])
def test_spatial_dropout3d_drops_whole_feature_volumes(ordering, shared):
    layer = L.SpatialDropout3D(0.5, dim_ordering=ordering)
    x = K.variable(np.ones((4, 6, 6, 6, 6)))
    K.set_learning_phase(1)
    try:
        out = layer(x).data
    finally:
        K.set_learning_phase(0)
    assert set(np.unique(out)) <= {0.0, 2.0} and 0 < out.mean() < 2
    assert np.all(out.min(axis=shared) == out.max(axis=shared))  # one decision per channel


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="Convolution3D.*subsample"):
        L.Convolution3D(2, 2, 2, 2, subsample=(1, 1))
    with pytest.raises(ValueError, match="MaxPooling3D.*triples"):
        L.MaxPooling3D((2, 2))
    with pytest.raises(ValueError, match="Cropping3D"):
        L.Cropping3D(((1, 1), (1, 1)))
    with pytest.raises(ValueError, match="too small"):
        L.Cropping3D(((2, 2), (0, 0), (0, 0)), dim_ordering="th").get_output_shape_for(
            (None, 1, 3, 3, 3))


def test_keras_1_2_2_import_paths():
    from tinygrad_keras.layers.convolutional import (  # as image_ocr.py imports it
        AveragePooling3D,
        Conv3D,
        MaxPooling2D,
        MaxPooling3D,
    )
    from tinygrad_keras.layers.core import SpatialDropout1D, SpatialDropout2D, SpatialDropout3D
    assert MaxPooling2D is L.MaxPooling2D and Conv3D is L.Convolution3D
    assert (AveragePooling3D, MaxPooling3D) == (L.AveragePooling3D, L.MaxPooling3D)
    assert (SpatialDropout1D, SpatialDropout2D, SpatialDropout3D) == \
        (L.SpatialDropout1D, L.SpatialDropout2D, L.SpatialDropout3D)
    with pytest.raises(AttributeError, match="NoSuchLayer"):
        from tinygrad_keras.layers import core
        core.NoSuchLayer  # noqa: B018


@pytest.mark.parametrize("ordering", ["th", "tf"])
def test_theano_file_kernels_are_flipped_on_load(tmp_path, ordering):
    """A 1.2.2 Theano file holds true-convolution kernels: loading one must give the
    numpy convolution (flipped kernel) of the input, in both orderings."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1, 2, 3, 4, 3))
    k = rng.standard_normal((2, 2, 2, 2, 2))                 # 'th' (out, in, d1, d2, d3)
    b = rng.standard_normal(2).astype("float32")
    stored = k if ordering == "th" else k.transpose(2, 3, 4, 1, 0)
    path = str(tmp_path / "theano.h5")
    write_keras1(path, [("conv", [("W", stored.astype("float32")), ("b", b)])], theano=True)
    data = x if ordering == "th" else to_tf(x)
    model = Sequential([L.Convolution3D(2, 2, 2, 2, dim_ordering=ordering, name="conv",
                                        input_shape=data.shape[1:])])
    model.load_weights(path)
    expected = direct_correlate3d(x, k[:, :, ::-1, ::-1, ::-1], (1, 1, 1), ((0, 0),) * 3,
                                  (1, 1, 1)) + b.reshape(1, 2, 1, 1, 1)
    got = model.predict(data.astype("float32"))
    np.testing.assert_allclose(got, expected if ordering == "th" else to_tf(expected),
                               rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("ordering", ["th", "tf"])
@pytest.mark.parametrize("backend", ["tensorflow", "theano"])
def test_keras_2_conv3d_file(tmp_path, ordering, backend):
    """Keras 2 stores (k1, k2, k3, in, out) kernels, true convolutions on Theano."""
    from tests.persistence.test_foreign_files import write_keras2
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 2, 3, 4, 3))
    k = rng.standard_normal((2, 2, 2, 2, 2))                 # 'th' correlation kernel
    b = rng.standard_normal(2).astype("float32")
    stored = kernel_in_file = k.transpose(2, 3, 4, 1, 0)
    if backend == "theano":
        kernel_in_file = stored[::-1, ::-1, ::-1]
    path = str(tmp_path / "keras2.h5")
    write_keras2(path, [("conv", [("kernel", kernel_in_file.astype("float32")), ("bias", b)])],
                 backend)
    data = x if ordering == "th" else to_tf(x)
    model = Sequential([L.Convolution3D(2, 2, 2, 2, dim_ordering=ordering, name="conv",
                                        input_shape=data.shape[1:])])
    model.load_weights(path)
    expected = direct_correlate3d(x, k, (1, 1, 1), ((0, 0),) * 3, (1, 1, 1)) + \
        b.reshape(1, 2, 1, 1, 1)
    got = model.predict(data.astype("float32"))
    np.testing.assert_allclose(got, expected if ordering == "th" else to_tf(expected),
                               rtol=1e-4, atol=1e-4)
