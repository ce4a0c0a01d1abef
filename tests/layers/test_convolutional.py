"""Convolution layers: forward against direct numpy loops (both orderings, border
modes, strides), gradients through the layer in float64, Keras 1.2.2 facts."""
import numpy as np
import pytest

from tinygrad_keras import backend as K
from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.autodiff.gradcheck import gradcheck
from tinygrad_keras.layers import convolutional as C


# ---- independent references ----------------------------------------------------------
def tf_same_pads(size, k, stride, dilation=1):
    k_eff = (k - 1) * dilation + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + k_eff - size, 0)
    return total // 2, total - total // 2


def ref_pads(hw, k, stride, mode, dilation=(1, 1)):
    if mode == "valid":
        return [(0, 0), (0, 0)]
    if mode == "full":
        return [((kk - 1) * d,) * 2 for kk, d in zip(k, dilation)]
    return [tf_same_pads(n, kk, s, d) for n, kk, s, d in zip(hw, k, stride, dilation)]


def ref_conv2d_th(x, w, stride, mode, dilation=(1, 1)):
    """x (B, C, H, W), w (F, C, kh, kw); a loop over output positions."""
    k = w.shape[2:]
    xp = np.pad(x, [(0, 0), (0, 0)] + ref_pads(x.shape[2:], k, stride, mode, dilation))
    span = [(kk - 1) * d + 1 for kk, d in zip(k, dilation)]
    oh, ow = [(n - s_) // st + 1 for n, s_, st in zip(xp.shape[2:], span, stride)]
    out = np.zeros((x.shape[0], w.shape[0], oh, ow))
    for i in range(oh):
        for j in range(ow):
            r, c = i * stride[0], j * stride[1]
            patch = xp[:, :, r:r + span[0]:dilation[0], c:c + span[1]:dilation[1]]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    return out


def ref_conv2d_layer(x, W, b, stride, mode, ordering, dilation=(1, 1)):
    if ordering == "tf":
        x, W = x.transpose(0, 3, 1, 2), W.transpose(3, 2, 0, 1)
    out = ref_conv2d_th(x, W, stride, mode, dilation) + b[None, :, None, None]
    return out if ordering == "th" else out.transpose(0, 2, 3, 1)


def ref_deconv2d_th(x, W, out_hw, stride, mode):
    """Scatter each input cell through the kernel (TF conv2d_transpose), then crop."""
    k = W.shape[2:]
    pads = ref_pads(out_hw, k, stride, mode)
    full = np.zeros((x.shape[0], W.shape[0]) + tuple(n + sum(p) for n, p in zip(out_hw, pads)))
    for i in range(x.shape[2]):
        for j in range(x.shape[3]):
            r, c = i * stride[0], j * stride[1]
            full[:, :, r:r + k[0], c:c + k[1]] += np.einsum("bc,ncuv->bnuv", x[:, :, i, j], W)
    return full[:, :, pads[0][0]:pads[0][0] + out_hw[0], pads[1][0]:pads[1][0] + out_hw[1]]


def to_th(x, ordering):
    return x if ordering == "th" else x.transpose(0, 3, 1, 2)


def from_th(x, ordering):
    return x if ordering == "th" else x.transpose(0, 2, 3, 1)


def image(ordering, b=2, c=3, h=7, w=6, seed=0):
    x = np.random.default_rng(seed).standard_normal((b, c, h, w))
    return from_th(x, ordering)


def run(layer, x):
    """Eager forward in float64 after randomising the bias (zero by default)."""
    layer(Tensor(x))  # builds
    for wt in layer.weights:
        wt.data = np.random.default_rng(7).standard_normal(wt.shape)
    return layer(Tensor(x)).data


def layer_gradcheck(layer, x, attrs):
    """gradcheck of the layer's output w.r.t. its input and the named weights."""
    layer(Tensor(x))

    def fn(inp, *weights):
        for name, w in zip(attrs, weights):
            setattr(layer, name, w)
        return layer.call(inp)

    weights = [Tensor(getattr(layer, a).data.astype(np.float64), requires_grad=True)
               for a in attrs]
    return gradcheck(fn, Tensor(x, requires_grad=True), *weights)


ORDERINGS = ["th", "tf"]
MODES = ["valid", "same"]


# ---- Convolution2D / Atrous ---------------------------------------------------------
@pytest.mark.parametrize("ordering", ORDERINGS)
@pytest.mark.parametrize("mode", MODES + ["full"])
@pytest.mark.parametrize("subsample", [(1, 1), (2, 2), (2, 1)])
def test_conv2d_forward(ordering, mode, subsample):
    x = image(ordering)
    layer = C.Convolution2D(4, 3, 2, border_mode=mode, subsample=subsample,
                            dim_ordering=ordering)
    got = run(layer, x)
    ref = ref_conv2d_layer(x, layer.W.data, layer.b.data, subsample, mode, ordering)
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-10)
    assert got.shape[1:] == layer.get_output_shape_for((None,) + x.shape[1:])[1:]


@pytest.mark.parametrize("ordering", ORDERINGS)
@pytest.mark.parametrize("mode", MODES)
def test_atrous_conv2d_forward(ordering, mode):
    x = image(ordering, h=9, w=8)
    layer = C.AtrousConvolution2D(2, 3, 2, atrous_rate=(2, 3), border_mode=mode,
                                  dim_ordering=ordering)
    got = run(layer, x)
    ref = ref_conv2d_layer(x, layer.W.data, layer.b.data, (1, 1), mode, ordering, (2, 3))
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-10)
    assert got.shape[1:] == layer.get_output_shape_for((None,) + x.shape[1:])[1:]


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_conv2d_gradients(ordering):
    layer = C.Convolution2D(2, 2, 3, border_mode="same", subsample=(2, 1),
                            dim_ordering=ordering, activation="tanh")
    assert layer_gradcheck(layer, image(ordering, b=2, c=2, h=5, w=4), ["W", "b"])


@pytest.mark.parametrize("ordering", ORDERINGS)
@pytest.mark.parametrize("subsample", [(1, 1), (2, 1)])
def test_conv2d_relu_fused_path_equals_the_composite(ordering, subsample):
    """activation='relu' runs bias and relu inside the correlation primitive; a user
    function computing the same relu takes the composite path: same values, same
    gradients."""
    from tests.autodiff.harness import graph_ops
    x = image(ordering, b=2, c=2, h=6, w=5)
    fused = C.Convolution2D(3, 3, 2, border_mode="same", subsample=subsample,
                            dim_ordering=ordering, activation="relu")
    plain = C.Convolution2D(3, 3, 2, border_mode="same", subsample=subsample,
                            dim_ordering=ordering, activation=lambda t: K.relu(t))
    grads = []
    for layer in (fused, plain):
        layer(Tensor(x))
        if layer is plain:
            plain.W.data[...], plain.b.data[...] = fused.W.data, fused.b.data
        inp = Tensor(x, requires_grad=True)
        out = layer.call(inp)
        assert ("Correlate2DBias" in graph_ops(out)) == (layer is fused)
        (out * Tensor(np.cos(np.arange(out.data.size)).reshape(out.shape))).sum().backward()
        grads.append((out.data, inp.grad))
    for got, ref in zip(*grads):
        np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)
    fused.b.data[...] = np.linspace(-0.3, 0.3, 3)  # away from relu's kink at 0
    assert layer_gradcheck(fused, x, ["W", "b"])


def test_conv2d_weight_shapes_names_and_order():
    th = C.Convolution2D(8, 3, 5, dim_ordering="th", name="c")
    th(Tensor(np.zeros((1, 2, 9, 9))))
    assert [w.shape for w in th.weights] == [(8, 2, 3, 5), (8,)]
    assert [w.name for w in th.weights] == ["c_W", "c_b"]
    tf = C.Convolution2D(8, 3, 5, dim_ordering="tf", bias=False)
    tf(Tensor(np.zeros((1, 9, 9, 2))))
    assert [w.shape for w in tf.weights] == [(3, 5, 2, 8)]


def test_conv_default_ordering_is_read_at_construction():
    assert C.Convolution2D(2, 3, 3).dim_ordering == "th"  # project decision
    old = K.image_dim_ordering()
    try:
        K.set_image_dim_ordering("tf")
        layer = C.Convolution2D(2, 3, 3)
    finally:
        K.set_image_dim_ordering(old)
    assert layer.dim_ordering == "tf"


def test_conv2d_glorot_uses_kernel_fans():
    np.random.seed(0)
    layer = C.Convolution2D(16, 3, 3, dim_ordering="th")
    layer(Tensor(np.zeros((1, 4, 5, 5), dtype=np.float32)))
    limit = np.sqrt(6.0 / (4 * 9 + 16 * 9))
    assert 0.9 * limit < np.abs(layer.W.data).max() <= limit


def test_conv1d_glorot_uses_th_rule_on_its_tf_kernel():
    np.random.seed(0)
    layer = C.Convolution1D(16, 3, input_dim=4)
    layer(Tensor(np.zeros((1, 6, 4), dtype=np.float32)))
    limit = np.sqrt(6.0 / (4 * 16 * (1 + 3)))  # spec 6.11 init quirk
    assert 0.9 * limit < np.abs(layer.W.data).max() <= limit


def test_user_init_without_dim_ordering_is_accepted():
    layer = C.Convolution2D(2, 3, 3, init=lambda shape, name: K.variable(np.ones(shape), name=name))
    layer(Tensor(np.zeros((1, 1, 4, 4), dtype=np.float32)))
    assert np.all(layer.W.data == 1)


def test_conv2d_config_round_trip():
    layer = C.Convolution2D(4, 3, 2, border_mode="same", subsample=(2, 1), dim_ordering="tf",
                            activation="relu", bias=False, name="conv")
    config = layer.get_config()
    for key in ("nb_filter", "nb_row", "nb_col", "init", "activation", "border_mode",
                "subsample", "dim_ordering", "W_regularizer", "b_regularizer",
                "activity_regularizer", "W_constraint", "b_constraint", "bias"):
        assert key in config
    assert config["subsample"] == (2, 1) and config["activation"] == "relu"
    assert C.Convolution2D.from_config(config).get_config() == config


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="Convolution2D: `border_mode`"):
        C.Convolution2D(2, 3, 3, border_mode="causal")
    with pytest.raises(ValueError, match="dim_ordering"):
        C.Convolution2D(2, 3, 3, dim_ordering="nchw")
    with pytest.raises(ValueError, match="SeparableConvolution2D: `border_mode`"):
        C.SeparableConvolution2D(2, 3, 3, border_mode="full")


def test_aliases():
    assert C.Conv2D is C.Convolution2D and C.Conv1D is C.Convolution1D
    assert C.AtrousConv2D is C.AtrousConvolution2D and C.Deconv2D is C.Deconvolution2D


# ---- Convolution1D / Atrous ---------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stride, rate", [(1, 1), (2, 1), (1, 2), (3, 2)])
def test_conv1d_forward(mode, stride, rate):
    x = np.random.default_rng(1).standard_normal((2, 11, 3))
    layer = (C.AtrousConvolution1D(4, 3, atrous_rate=rate, border_mode=mode,
                                   subsample_length=stride) if rate > 1 else
             C.Convolution1D(4, 3, border_mode=mode, subsample_length=stride))
    got = run(layer, x)
    # the 1.2.2 kernel (k, 1, C, F) is a 'tf' 2-D kernel over (B, steps, 1, C)
    ref = ref_conv2d_layer(x[:, :, None, :], layer.W.data, layer.b.data, (stride, 1), mode,
                           "tf", (rate, 1))[:, :, 0, :]
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-10)
    assert layer.W.shape == (3, 1, 3, 4)
    assert got.shape[1:] == layer.get_output_shape_for((None, 11, 3))[1:]


def test_conv1d_gradients():
    layer = C.AtrousConvolution1D(3, 2, atrous_rate=2, border_mode="same", subsample_length=2)
    x = np.random.default_rng(2).standard_normal((2, 7, 2))
    assert layer_gradcheck(layer, x, ["W", "b"])


def test_conv1d_config_and_input_dim():
    layer = C.AtrousConvolution1D(4, 3, atrous_rate=2, input_dim=5, input_length=10)
    assert layer.batch_input_shape == (None, 10, 5)
    config = layer.get_config()
    assert config["atrous_rate"] == 2 and config["filter_length"] == 3
    assert config["subsample_length"] == 1 and config["input_dim"] == 5
    assert C.AtrousConvolution1D.from_config(config).get_config() == config


# ---- Deconvolution2D --------------------------------------------------------------------
@pytest.mark.parametrize("ordering", ORDERINGS)
@pytest.mark.parametrize("mode, stride, in_hw, out_hw", [
    ("valid", (1, 1), (4, 5), (6, 7)), ("valid", (2, 2), (3, 3), (7, 8)),
    ("same", (2, 2), (3, 4), (6, 7)), ("same", (1, 1), (4, 4), (4, 4))])
def test_deconv2d_forward(ordering, mode, stride, in_hw, out_hw):
    x = image(ordering, b=2, c=3, h=in_hw[0], w=in_hw[1])
    full = (None, 2) + out_hw if ordering == "th" else (None,) + out_hw + (2,)
    layer = C.Deconvolution2D(2, 3, 3, output_shape=full, subsample=stride, border_mode=mode,
                              dim_ordering=ordering)
    got = run(layer, x)
    W_th = layer.W.data if ordering == "th" else layer.W.data.transpose(3, 2, 0, 1)
    ref = ref_deconv2d_th(to_th(x, ordering), W_th, out_hw, stride, mode)
    ref = from_th(ref + layer.b.data[None, :, None, None], ordering)
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-10)
    assert layer.get_output_shape_for((None,) + x.shape[1:]) == full


def test_deconv2d_gradients():
    layer = C.Deconvolution2D(2, 3, 2, output_shape=(None, 2, 7, 6), subsample=(2, 2),
                              dim_ordering="th")
    x = image("th", b=1, c=2, h=3, w=3)
    assert layer_gradcheck(layer, x, ["W", "b"])


def test_deconv2d_config():
    layer = C.Deconvolution2D(3, 3, 3, output_shape=(None, 3, 14, 14), dim_ordering="th")
    config = layer.get_config()
    assert config["output_shape"] == (None, 3, 14, 14)
    assert C.Deconvolution2D.from_config(config).get_config() == config


# ---- SeparableConvolution2D ----------------------------------------------------------
def ref_separable(x, dw, pw, b, stride, mode, ordering):
    x = to_th(x, ordering)
    if ordering == "th":
        dw = dw.transpose(1, 0, 2, 3)  # (C, m, r, c); pw is already (F, C*m, 1, 1)
    else:
        dw, pw = dw.transpose(2, 3, 0, 1), pw.transpose(3, 2, 0, 1)
    C_, m = dw.shape[:2]
    maps = [ref_conv2d_th(x[:, c:c + 1], dw[c, j][None, None], stride, mode)
            for c in range(C_) for j in range(m)]  # channel c*m + j
    depth = np.concatenate(maps, axis=1)
    out = np.einsum("bkhw,fk->bfhw", depth, pw[:, :, 0, 0]) + b[None, :, None, None]
    return from_th(out, ordering)


@pytest.mark.parametrize("ordering", ORDERINGS)
@pytest.mark.parametrize("mode", MODES)
def test_separable_conv2d_forward(ordering, mode):
    x = image(ordering, c=2)
    layer = C.SeparableConvolution2D(4, 3, 3, depth_multiplier=2, border_mode=mode,
                                     subsample=(2, 2), dim_ordering=ordering)
    got = run(layer, x)
    dw, pw, b = (w.data for w in layer.weights)
    np.testing.assert_allclose(got, ref_separable(x, dw, pw, b, (2, 2), mode, ordering),
                               rtol=1e-10, atol=1e-10)
    shapes = {"th": [(2, 2, 3, 3), (4, 4, 1, 1), (4,)], "tf": [(3, 3, 2, 2), (1, 1, 4, 4), (4,)]}
    assert [w.shape for w in layer.weights] == shapes[ordering]


def test_separable_conv2d_gradients():
    layer = C.SeparableConvolution2D(2, 2, 2, depth_multiplier=2, border_mode="same",
                                     dim_ordering="tf")
    x = image("tf", b=1, c=2, h=4, w=3)
    assert layer_gradcheck(layer, x, ["depthwise_kernel", "pointwise_kernel", "b"])


def test_separable_config_keys():
    config = C.SeparableConvolution2D(2, 3, 3, depth_multiplier=3).get_config()
    assert config["depth_multiplier"] == 3 and "depthwise_regularizer" in config
    assert "W_regularizer" not in config
    assert C.SeparableConvolution2D.from_config(config).get_config() == config


def test_positional_arguments_follow_1_2_2_order():
    layer = C.AtrousConvolution2D(4, 3, 3, "he_normal", "relu", None, "same", (1, 1), (2, 2), "tf")
    assert (layer.atrous_rate, layer.dim_ordering, layer.border_mode) == ((2, 2), "tf", "same")
    layer = C.AtrousConvolution1D(4, 3, "glorot_uniform", "relu", None, "same", 1, 2)
    assert layer.atrous_rate == 2 and layer.border_mode == "same"
    layer = C.SeparableConvolution2D(4, 3, 3, "glorot_uniform", "relu", None, "same", (2, 2), 3)
    assert layer.depth_multiplier == 3 and layer.subsample == (2, 2)
    layer = C.Deconvolution2D(3, 3, 3, (None, 3, 14, 14), "glorot_uniform", "relu")
    assert layer.activation.__name__ == "relu"
    with pytest.raises(TypeError, match="depthwise_regularizer"):
        C.SeparableConvolution2D(4, 3, 3, W_regularizer="l2")


def test_kernel_larger_than_input_is_named():
    with pytest.raises(ValueError, match="conv_big: the input of shape .* too small"):
        C.Convolution2D(4, 5, 5, name="conv_big", dim_ordering="th").get_output_shape_for(
            (None, 1, 3, 3))
    assert C.Convolution2D(4, 5, 5, border_mode="same", dim_ordering="th"
                           ).get_output_shape_for((None, 1, 3, 3)) == (None, 4, 3, 3)
