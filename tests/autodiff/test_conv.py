"""Correlate2D / CorrelateTranspose2D: forward against a direct loop and against the
scipy reference, gradients against central differences (float64)."""
import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.autodiff.harness import check_case, with_options
from tinygrad_keras.autodiff import Tensor, no_grad
from tinygrad_keras.autodiff import functional as F
from tinygrad_keras.autodiff.gradcheck import gradcheck
from tinygrad_keras.testing import strategies as tst


def direct_correlate(x, w, stride, padding, dilation):
    """Independent reference: a loop over output positions, one dot product each."""
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple(padding))
    F_, _, kh, kw = w.shape
    eh, ew = (k + (k - 1) * (d - 1) for k, d in zip((kh, kw), dilation))
    oh = (xp.shape[2] - eh) // stride[0] + 1
    ow = (xp.shape[3] - ew) // stride[1] + 1
    out = np.zeros((x.shape[0], F_, oh, ow))
    for i in range(oh):
        for j in range(ow):
            r, c = i * stride[0], j * stride[1]
            patch = xp[:, :, r:r + eh:dilation[0], c:c + ew:dilation[1]]
            out[:, :, i, j] = np.einsum("bcuv,fcuv->bf", patch, w)
    return out


CASES = [  # (x shape, w shape, stride, padding, dilation)
    ((2, 3, 6, 5), (4, 3, 3, 2), (1, 1), ((0, 0), (0, 0)), (1, 1)),
    ((2, 2, 7, 7), (3, 2, 3, 3), (2, 2), ((1, 1), (1, 1)), (1, 1)),
    ((1, 2, 8, 6), (2, 2, 2, 3), (3, 2), ((0, 1), (2, 0)), (1, 1)),
    ((2, 1, 9, 9), (2, 1, 3, 2), (1, 2), ((0, 0), (1, 1)), (2, 3)),
]


@pytest.mark.parametrize("xs, ws, stride, padding, dilation", CASES)
@pytest.mark.parametrize("impl", ["shifted", "im2col", "scipy"])
def test_forward_matches_direct_loop(xs, ws, stride, padding, dilation, impl):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    got = F.conv2d(Tensor(x), Tensor(w), stride, padding, dilation, impl=impl).data
    np.testing.assert_allclose(got, direct_correlate(x, w, stride, padding, dilation),
                               rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("xs, ws, stride, padding, dilation", CASES)
@pytest.mark.parametrize("fast", ["shifted", "im2col", "auto"])
def test_fast_gradients_match_scipy_reference(xs, ws, stride, padding, dilation, fast):
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    grads = {}
    for impl in (fast, "scipy"):
        tx, tw = Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)
        out = F.conv2d(tx, tw, stride, padding, dilation, impl=impl)
        out.backward(np.cos(np.arange(out.data.size)).reshape(out.shape))
        grads[impl] = (tx.grad, tw.grad)
    for got, ref in zip(grads[fast], grads["scipy"]):
        np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("xs, ws, stride, padding, dilation", CASES)
@pytest.mark.parametrize("impl", ["shifted", "im2col", "scipy"])
def test_grad_Correlate2D(xs, ws, stride, padding, dilation, impl):
    rng = np.random.default_rng(2)
    x = Tensor(rng.standard_normal(xs), requires_grad=True)
    w = Tensor(rng.standard_normal(ws), requires_grad=True)
    assert gradcheck(lambda a, b: F.conv2d(a, b, stride, padding, dilation, impl=impl), x, w)


@pytest.mark.parametrize("mode, expect", [("valid", (4, 3)), ("same", (6, 5)), ("full", (8, 7))])
def test_border_modes_give_keras_lengths(mode, expect):
    x = Tensor(np.ones((1, 1, 6, 5)))
    assert F.conv2d(x, Tensor(np.ones((1, 1, 3, 3))), padding=mode).shape[2:] == expect


def test_same_padding_is_tensorflow_style():
    # in 7, k 3, stride 2: out 4, total pad (4-1)*2+3-7 = 2 -> 1 before, 1 after
    assert F.conv_padding("same", (7, 8), (3, 3), (2, 2), (1, 1)) == \
        ((1, 1), (0, 1))


def test_float32_stays_float32():
    x = Tensor(np.ones((1, 2, 5, 5), dtype=np.float32), requires_grad=True)
    w = Tensor(np.ones((3, 2, 3, 3), dtype=np.float32), requires_grad=True)
    out = F.conv2d(x, w, padding="same")
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32 and w.grad.dtype == np.float32


def test_conv1d_is_conv2d_of_height_one():
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 3, 9)), rng.standard_normal((4, 3, 2))
    got = F.conv1d(Tensor(x), Tensor(w), stride=2, dilation=2, padding="same").data
    ref = direct_correlate(x[:, :, None], w[:, :, None], (1, 2),
                           ((0, 0), F.conv_padding("same", (1, 9), (1, 2), (1, 2), (1, 2))[1]),
                           (1, 2))[:, :, 0]
    np.testing.assert_allclose(got, ref, rtol=1e-10)


TRANSPOSE_CASES = [  # (x shape, w shape, out_hw, stride, padding)
    ((2, 3, 4, 4), (3, 2, 3, 3), (6, 6), (1, 1), "valid"),
    ((1, 2, 3, 4), (2, 3, 3, 2), (7, 8), (2, 2), "valid"),
    ((1, 2, 4, 3), (2, 2, 3, 3), (8, 6), (2, 2), "same"),
]


@pytest.mark.parametrize("xs, ws, out_hw, stride, padding", TRANSPOSE_CASES)
def test_transpose_is_adjoint_of_correlation(xs, ws, out_hw, stride, padding):
    """<corr(y, w), x> == <corr_T(x, w), y> for every y: the definition of the transpose."""
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    y = rng.standard_normal((xs[0], ws[1]) + out_hw)
    lhs = np.sum(F.conv2d(Tensor(y), Tensor(w), stride, padding).data * x)
    rhs = np.sum(F.conv_transpose2d(Tensor(x), Tensor(w), out_hw, stride, padding).data * y)
    np.testing.assert_allclose(lhs, rhs, rtol=1e-10)


@pytest.mark.parametrize("xs, ws, out_hw, stride, padding", TRANSPOSE_CASES)
def test_grad_CorrelateTranspose2D(xs, ws, out_hw, stride, padding):
    rng = np.random.default_rng(5)
    x = Tensor(rng.standard_normal(xs), requires_grad=True)
    w = Tensor(rng.standard_normal(ws), requires_grad=True)
    assert gradcheck(lambda a, b: F.conv_transpose2d(a, b, out_hw, stride, padding), x, w)


def test_transpose_rejects_inconsistent_output_size():
    with pytest.raises(ValueError, match="corresponds to an input of size"):
        F.conv_transpose2d(Tensor(np.ones((1, 1, 4, 4))), Tensor(np.ones((1, 1, 3, 3))), (9, 9))


def test_unknown_impl_is_named():
    with pytest.raises(ValueError, match="impl"):
        F.conv2d(Tensor(np.ones((1, 1, 3, 3))), Tensor(np.ones((1, 1, 2, 2))), impl="fft")


def test_retained_graph_and_recycled_buffers_give_the_same_gradients():
    rng = np.random.default_rng(6)
    x = Tensor(rng.standard_normal((2, 3, 6, 6)), requires_grad=True)
    w = Tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
    out = F.conv2d(x, w, padding="same")
    out.sum().backward(retain_graph=True)
    first = (x.grad.copy(), w.grad.copy())
    out.sum().backward()  # the patch matrix is still there for a second pass
    np.testing.assert_allclose(x.grad, 2 * first[0])
    np.testing.assert_allclose(w.grad, 2 * first[1])
    del out
    for _ in range(3):  # later steps reuse released patch matrices
        x.grad = w.grad = None
        F.conv2d(x, w, padding="same").sum().backward()
        np.testing.assert_allclose(x.grad, first[0])
        np.testing.assert_allclose(w.grad, first[1])


@st.composite
def conv_draws(draw):
    """x, w of small random shapes with a random stride, zero padding and dilation;
    the input is at least one (dilated) window tall and wide once padded."""
    b, c, f = (draw(st.integers(1, n)) for n in (2, 3, 3))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(2))
    hw = [draw(st.integers(max(1, (kk - 1) * d + 1 - sum(p)), 7))
          for kk, d, p in zip(k, dilation, padding)]
    x, w = draw(tst.arrays((b, c, *hw))), draw(tst.arrays((f, c, *k)))
    return (x, w), {"stride": stride, "padding": padding, "dilation": dilation}


CONV_CASE = with_options(
    "conv2d", lambda x, w, **o: F.conv2d(x, w, **o),
    lambda x, w, stride, padding, dilation: direct_correlate(x, w, stride, padding, dilation),
    conv_draws(), covers=("Correlate2D",))


@given(CONV_CASE.draw)
def test_conv2d_property(drawn):
    """The shared harness: forward = direct loop, gradcheck, no mutation, float32 kept."""
    check_case(CONV_CASE, drawn)


@pytest.mark.parametrize("xs, ws, stride, padding, dilation", CASES)
@pytest.mark.parametrize("impl", ["shifted", "im2col", "scipy"])
@pytest.mark.parametrize("relu", [False, True])
def test_grad_Correlate2DBias(xs, ws, stride, padding, dilation, impl, relu):
    """The fused op against the composite it replaces (forward and all three gradients),
    and against central differences."""
    rng = np.random.default_rng(7)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    results = []
    for fused in (True, False):
        tx, tw, tb = (Tensor(a, requires_grad=True) for a in (x, w, b))
        if fused:
            out = F.conv2d(tx, tw, stride, padding, dilation, impl=impl, bias=tb, relu=relu)
        else:
            out = F.conv2d(tx, tw, stride, padding, dilation, impl=impl) + \
                F.reshape(tb, (1, -1, 1, 1))
            out = F.relu(out) if relu else out
        out.backward(np.cos(np.arange(out.data.size)).reshape(out.shape))
        results.append((out.data, tx.grad, tw.grad, tb.grad))
    for got, ref in zip(*results):
        np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)
    tx, tw, tb = (Tensor(a, requires_grad=True) for a in (x, w, b))
    assert gradcheck(lambda a, c, d: F.conv2d(a, c, stride, padding, dilation, impl=impl,
                                              bias=d, relu=relu), tx, tw, tb)


def test_bias_of_the_wrong_shape_is_named():
    with pytest.raises(ValueError, match="bias must have shape"):
        F.conv2d(Tensor(np.ones((1, 1, 3, 3))), Tensor(np.ones((2, 1, 2, 2))),
                 bias=Tensor(np.ones(3)))


def test_kernel_larger_than_the_input_is_named():
    with pytest.raises(ValueError, match="does not fit"):
        F.conv2d(Tensor(np.ones((1, 1, 2, 2))), Tensor(np.ones((1, 1, 3, 3))), impl="shifted")


def test_fused_float32_stays_float32_and_spatial_major_output_reads_right():
    """The shifted path returns a strided view of its grid; values and dtype as the
    composite's, whatever the memory order."""
    rng = np.random.default_rng(8)
    x = Tensor(rng.standard_normal((3, 2, 6, 5)).astype(np.float32), requires_grad=True)
    w = Tensor(rng.standard_normal((4, 2, 3, 3)).astype(np.float32), requires_grad=True)
    b = Tensor(rng.standard_normal(4).astype(np.float32), requires_grad=True)
    out = F.conv2d(x, w, bias=b, relu=True)
    out.sum().backward()
    ref = np.maximum(direct_correlate(x.data.astype(np.float64), w.data.astype(np.float64),
                                      (1, 1), ((0, 0), (0, 0)), (1, 1))
                     + b.data.reshape(1, -1, 1, 1), 0)
    assert out.dtype == x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32
    np.testing.assert_allclose(np.ascontiguousarray(out.data), ref, rtol=1e-5, atol=1e-5)


def test_auto_picks_shifted_at_stride_one_and_im2col_otherwise():
    from tinygrad_keras.autodiff.ops.conv import resolve_impl
    assert resolve_impl(None, (1, 1)) == "shifted"
    assert resolve_impl(None, (2, 1)) == "im2col"
    assert resolve_impl(None, (1, 1), (2, 2)) == "im2col"
    assert resolve_impl("scipy", (1, 1)) == "scipy"


def test_auto_keeps_shifted_for_recorded_convolutions_with_a_kernel_larger_than_one():
    from tinygrad_keras.autodiff.ops.conv import choose_impl
    assert choose_impl(None, (1, 1), (1, 1), (3, 3), recording=True) == "shifted"
    assert choose_impl(None, (1, 1), (1, 1), (3, 3), recording=False) == "im2col"
    assert choose_impl(None, (1, 1), (1, 1), (1, 1), recording=True) == "im2col"
    assert choose_impl("shifted", (1, 1), (1, 1), (1, 1), recording=False) == "shifted"
    assert choose_impl("scipy", (1, 1), (1, 1), (3, 3), recording=True) == "scipy"
    # inference: shifted only up to 256 channels, with output rows at least C long
    assert choose_impl(None, (1, 1), (1, 1), (3, 3), False, run=(64, 448)) == "shifted"
    assert choose_impl(None, (1, 1), (1, 1), (3, 3), False, run=(64, 56)) == "im2col"
    assert choose_impl(None, (1, 1), (1, 1), (3, 3), False, run=(512, 4096)) == "im2col"
    assert choose_impl(None, (1, 1), (1, 1), (1, 1), False, run=(64, 448)) == "im2col"
    assert choose_impl(None, (2, 2), (1, 1), (3, 3), False, run=(64, 448)) == "im2col"


@pytest.mark.parametrize("xs, inference_impl", [((4, 3, 9, 9), "shifted"),
                                                 ((1, 16, 9, 9), "im2col")])
def test_inference_and_training_give_the_same_convolution(xs, inference_impl, monkeypatch):
    from tinygrad_keras.autodiff.ops import conv
    chosen, choose = [], conv.choose_impl

    def spy(*args, **kwargs):
        chosen.append(choose(*args, **kwargs))
        return chosen[-1]
    monkeypatch.setattr(conv, "choose_impl", spy)
    rng = np.random.default_rng(3)
    x = rng.standard_normal(xs).astype(np.float32)
    w = Tensor(rng.standard_normal((5, xs[1], 3, 3)).astype(np.float32), requires_grad=True)
    trained = F.conv2d(Tensor(x), w, padding="same")          # recorded: shifted
    with no_grad():                                           # rows of 36 >= 3 channels,
        inferred = F.conv2d(Tensor(x), w, padding="same")     # of 9 < 16: im2col
    assert trained._fn is not None and inferred._fn is None
    assert chosen == ["shifted", inference_impl]
    np.testing.assert_allclose(inferred.data, trained.data, rtol=1e-5, atol=1e-5)


def test_dilated_kernel_ignores_an_inf_pixel_no_window_reads():
    # W=8, a kernel of 3 dilated by 3 spans 7 pixels: the two windows of a row read
    # pixels 0,1,3,4,6,7, never 2, so an inf there must not reach d w (0 * inf is NaN;
    # the shifted implementation would multiply it by the zero gradient of its grid)
    x = np.ones((64, 2, 4, 8), dtype=np.float32)
    x[:, :, :, 2] = np.inf
    w = Tensor(np.ones((3, 2, 1, 3), dtype=np.float32), requires_grad=True)
    F.conv2d(Tensor(x), w, dilation=(1, 3)).sum().backward()
    np.testing.assert_array_equal(w.grad, np.full((3, 2, 1, 3), 64 * 4 * 2, np.float32))


SHIFTED_CASE = with_options(
    "conv2d shifted", lambda x, w, **o: F.conv2d(x, w, impl="shifted", **o),
    lambda x, w, stride, padding, dilation: direct_correlate(x, w, stride, padding, dilation),
    conv_draws(), covers=("Correlate2D",))


@given(SHIFTED_CASE.draw)
def test_conv2d_shifted_property(drawn):
    """The shifted implementation at every stride (it subsamples its grid result)."""
    check_case(SHIFTED_CASE, drawn)


@st.composite
def conv_bias_draws(draw):
    (x, w), options = draw(conv_draws())
    b = draw(tst.arrays((w.shape[0],)))
    return (x, w, b), {**options, "relu": draw(st.booleans())}


def _conv_bias_ref(x, w, b, stride, padding, dilation, relu):
    out = direct_correlate(x, w, stride, padding, dilation) + b.reshape(1, -1, 1, 1)
    return np.maximum(out, 0) if relu else out


BIAS_CASE = with_options(
    "conv2d bias relu", lambda x, w, b, relu, **o: F.conv2d(x, w, bias=b, relu=relu, **o),
    _conv_bias_ref, conv_bias_draws(), covers=("Correlate2DBias",),
    valid=lambda x, w, b, relu, **o: not relu or  # keep away from relu's kink
    np.abs(_conv_bias_ref(x, w, b, relu=False, **o)).min() > 1e-3)


@given(BIAS_CASE.draw)
def test_conv2d_bias_relu_property(drawn):
    check_case(BIAS_CASE, drawn)


@pytest.mark.parametrize("xs, ws, padding, dilation", [
    ((64, 3, 9, 10), (5, 3, 3, 2), "valid", 1),
    ((40, 2, 11, 9), (4, 2, 3, 3), "same", 2),
    ((300, 1, 5, 5), (2, 1, 2, 2), "valid", 1),
])
@pytest.mark.parametrize("tap_channels, run_rows", [(1, 4096), (1000, 4096), (1, 70), (1000, 70)])
def test_shifted_runs_of_big_batches_match_im2col(xs, ws, padding, dilation, tap_channels,
                                                  run_rows, monkeypatch):
    """Batches big enough that the stride-1 runs are cut in pieces (``run_rows``; 70
    cuts the third case's runs of 1200 rows in pieces of 66 and 67), with one product
    per tap (``tap_channels`` 1) or one patch block per piece (1000): the same numbers
    as im2col, gradients included."""
    from tinygrad_keras.autodiff.ops import conv_shifted
    monkeypatch.setattr(conv_shifted, "TAP_CHANNELS", tap_channels)
    monkeypatch.setattr(conv_shifted, "RUN_ROWS", run_rows)
    rng = np.random.default_rng(9)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    results = []
    for impl in ("shifted", "im2col"):
        tx, tw, tb = (Tensor(a, requires_grad=True) for a in (x, w, b))
        out = F.conv2d(tx, tw, 1, padding, dilation, impl=impl, bias=tb, relu=True)
        out.backward(np.cos(np.arange(out.data.size)).reshape(out.shape))
        results.append((out.data, tx.grad, tw.grad, tb.grad))
    for got, ref in zip(*results):
        np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("xs, ws, stride, padding, dilation", CASES)
@pytest.mark.parametrize("relu", [False, True])
def test_shifted_with_a_product_per_tap_is_gradient_checked(xs, ws, stride, padding, dilation, relu,
                                             monkeypatch):
    """The per-tap products (``TAP_CHANNELS`` >= C, as for a wide layer) gradient-checked
    on the small cases, with and without the fused bias and relu."""
    from tinygrad_keras.autodiff.ops import conv_shifted
    monkeypatch.setattr(conv_shifted, "TAP_CHANNELS", 1)
    rng = np.random.default_rng(11)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    b += np.sign(b) * 2.0  # keep the outputs, mostly, away from relu's kink
    x, w, b = (Tensor(a, requires_grad=True) for a in (x, w, b))
    assert gradcheck(lambda a, c, d: F.conv2d(a, c, stride, padding, dilation, impl="shifted",
                                               bias=d, relu=relu), x, w, b)
    assert gradcheck(lambda a, c: F.conv2d(a, c, stride, padding, dilation, impl="shifted"),
                     x, w)


def test_shifted_runs_in_float32_match_float64():
    """A wide float32 layer (the per-tap BLAS products, sgemm) against the float64 run."""
    rng = np.random.default_rng(12)
    x, w, b = (rng.standard_normal(s) for s in ((16, 20, 9, 8), (24, 20, 3, 3), (24,)))
    grads = {}
    for dtype in (np.float32, np.float64):
        tx, tw, tb = (Tensor(a.astype(dtype), requires_grad=True) for a in (x, w, b))
        out = F.conv2d(tx, tw, padding="same", bias=tb, relu=True)
        out.backward(np.cos(np.arange(out.data.size)).reshape(out.shape).astype(dtype))
        grads[dtype] = (out.data, tx.grad, tw.grad, tb.grad)
        assert all(a.dtype == dtype for a in grads[dtype])
    for got, ref in zip(grads[np.float32], grads[np.float64]):
        np.testing.assert_allclose(got, ref, rtol=2e-4, atol=2e-4)


def test_reused_buffers_never_overwrite_an_array_still_held():
    """Outputs and gradients of the shifted convolution and of max pooling come from
    arrays reused from batch to batch; one still referenced is never handed out again."""
    rng = np.random.default_rng(13)
    x = rng.standard_normal((8, 3, 10, 10)).astype(np.float32)
    w = Tensor(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), requires_grad=True)
    kept = []
    for step in range(3):
        tx = Tensor(x * (step + 1), requires_grad=True)
        out = F.conv2d(tx, w, bias=Tensor(np.ones(4, np.float32)), relu=True)
        pooled = F.max_pool2d(out, (2, 2))
        pooled.sum().backward()
        kept.append((out.data, tx.grad, (out.data.copy(), tx.grad.copy())))
    for out, grad, (out_then, grad_then) in kept:
        np.testing.assert_array_equal(out, out_then)
        np.testing.assert_array_equal(grad, grad_then)
    assert not np.array_equal(kept[0][0], kept[1][0])


def test_kept_arrays_stay_within_their_bounds(monkeypatch):
    """Arrays over ``KEEP_BYTES`` are made afresh and never held between batches; past
    ``KEEP_TOTAL`` the idle ones make room, and busy ones are never dropped."""
    from tinygrad_keras.autodiff.ops import kept
    monkeypatch.setattr(kept, "KEPT", type(kept.KEPT)())
    monkeypatch.setattr(kept, "KEEP_BYTES", 1000)
    monkeypatch.setattr(kept, "KEEP_TOTAL", 1500)

    def held():
        return sorted(a.shape for kind in (kept.KEPT.lent, kept.KEPT.free)
                      for v in kind.values() for a in v)

    big, small = kept.lend((300,), np.float32), kept.lend((10,), np.float32)
    kept.give(kept.take((400,), np.float32), kept.take((20,), np.float32))
    assert held() == [(10,), (20,)] and big.shape == (300,)
    busy = kept.lend((200,), np.float32)            # 800 bytes: 920 held
    other = kept.lend((150,), np.float32)           # room made by the idle scratch
    assert held() == [(10,), (150,), (200,)]
    kept.lend((250,), np.float32)                   # nothing idle: made, not kept
    assert held() == [(10,), (150,), (200,)]
    del busy, other                                 # now idle: they make room
    kept.lend((250,), np.float32)
    assert held() == [(10,), (250,)] and small.shape == (10,)


@pytest.mark.parametrize("sides, rows", [(32 * 32, 976), (16 * 16, 3906), (288, 3472),
                                         (64 * 64, 244), (128 * 128, 4096)])
def test_shifted_pieces_fit_openblas_small_products(sides, rows):
    """Pieces short enough for OpenBLAS's small-matrix kernel (M*N*K <= 100**3) when that
    leaves at least MIN_PIECE rows, else RUN_ROWS; near-equal, covering the run once."""
    from tinygrad_keras.autodiff.ops import conv_shifted
    assert conv_shifted._piece_rows(sides) == rows
    pieces = conv_shifted._pieces(10_000, sides)
    assert pieces[0][0] == 0 and pieces[-1][1] == 10_000
    assert all(b == c for (_, b), (c, _) in itertools.pairwise(pieces))
    assert max(b - a for a, b in pieces) <= rows
    assert max(b - a for a, b in pieces) - min(b - a for a, b in pieces) <= 1
