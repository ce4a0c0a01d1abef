"""Correlate3D and the 3-D pooling composites: forward against direct loops, both
implementations against each other, gradients against central differences."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.autodiff.harness import check_case, with_options
from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.autodiff import functional as F
from tinygrad_keras.autodiff.gradcheck import gradcheck
from tinygrad_keras.autodiff.ops.conv3d import Correlate3D
from tinygrad_keras.testing import strategies as tst

TESTED_OPS = {"Correlate3D"}


def direct_correlate3d(x, w, stride, padding, dilation):
    """Independent reference: one dot product per output position."""
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple(tuple(p) for p in padding))
    eff = [k + (k - 1) * (d - 1) for k, d in zip(w.shape[2:], dilation)]
    outs = [(n - e) // s + 1 for n, e, s in zip(xp.shape[2:], eff, stride)]
    out = np.zeros((x.shape[0], w.shape[0], *outs))
    for i in range(outs[0]):
        for j in range(outs[1]):
            for m in range(outs[2]):
                a, b, c = i * stride[0], j * stride[1], m * stride[2]
                patch = xp[:, :, a:a + eff[0]:dilation[0], b:b + eff[1]:dilation[1],
                           c:c + eff[2]:dilation[2]]
                out[:, :, i, j, m] = np.einsum("bctuv,fctuv->bf", patch, w)
    return out


CASES = [  # (x shape, w shape, stride, padding, dilation)
    ((2, 3, 4, 5, 3), (2, 3, 2, 3, 2), (1, 1, 1), ((0, 0),) * 3, (1, 1, 1)),
    ((1, 2, 5, 5, 6), (3, 2, 3, 2, 3), (2, 1, 2), ((1, 1), (0, 1), (2, 0)), (1, 1, 1)),
    ((2, 1, 6, 4, 5), (2, 1, 2, 2, 2), (1, 2, 1), ((0, 0), (1, 1), (0, 0)), (2, 1, 2)),
]


@pytest.mark.parametrize("xs, ws, stride, padding, dilation", CASES)
@pytest.mark.parametrize("impl", ["im2col", "scipy"])
def test_forward_matches_direct_loop(xs, ws, stride, padding, dilation, impl):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    got = F.conv3d(Tensor(x), Tensor(w), stride, padding, dilation, impl=impl).data
    np.testing.assert_allclose(got, direct_correlate3d(x, w, stride, padding, dilation),
                               rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("xs, ws, stride, padding, dilation", CASES)
@pytest.mark.parametrize("impl", ["im2col", "scipy"])
def test_grad_Correlate3D(xs, ws, stride, padding, dilation, impl):
    rng = np.random.default_rng(2)
    x = Tensor(rng.standard_normal(xs), requires_grad=True)
    w = Tensor(rng.standard_normal(ws), requires_grad=True)
    assert gradcheck(lambda a, b: F.conv3d(a, b, stride, padding, dilation, impl=impl), x, w)


@pytest.mark.parametrize("mode, expect", [("valid", (3, 4, 2)), ("same", (5, 6, 4)),
                                          ("full", (7, 8, 6))])
def test_border_modes_give_keras_lengths(mode, expect):
    out = F.conv3d(Tensor(np.ones((1, 1, 5, 6, 4))), Tensor(np.ones((1, 1, 3, 3, 3))),
                   padding=mode)
    assert out.shape[2:] == expect


def test_conv3d_of_depth_one_is_conv2d():
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 3, 1, 6, 5)), rng.standard_normal((4, 3, 1, 3, 2))
    got = F.conv3d(Tensor(x), Tensor(w), (1, 2, 1), "same").data[:, :, 0]
    ref = F.conv2d(Tensor(x[:, :, 0]), Tensor(w[:, :, 0]), (2, 1), "same").data
    np.testing.assert_allclose(got, ref, rtol=1e-10)


def test_float32_stays_float32():
    x = Tensor(np.ones((1, 2, 3, 4, 4), dtype=np.float32), requires_grad=True)
    w = Tensor(np.ones((3, 2, 2, 2, 2), dtype=np.float32), requires_grad=True)
    out = F.conv3d(x, w, padding="same")
    out.sum().backward()
    assert {out.dtype, x.grad.dtype, w.grad.dtype} == {np.dtype(np.float32)}


def test_declared_first_order_only():
    assert Correlate3D.first_order_only is True


def test_bad_shapes_and_impl_are_named():
    with pytest.raises(ValueError, match="conv3d expects"):
        F.conv3d(Tensor(np.ones((1, 1, 3, 3))), Tensor(np.ones((1, 1, 2, 2))))
    with pytest.raises(ValueError, match="impl"):
        F.conv3d(Tensor(np.ones((1, 1, 3, 3, 3))), Tensor(np.ones((1, 1, 2, 2, 2))), impl="fft")
    with pytest.raises(ValueError, match="triple"):
        F.conv3d(Tensor(np.ones((1, 1, 3, 3, 3))), Tensor(np.ones((1, 1, 2, 2, 2))), stride=(1, 2))


@st.composite
def conv3d_draws(draw):
    b, c, f = (draw(st.integers(1, n)) for n in (2, 2, 2))
    k = tuple(draw(st.integers(1, 2)) for _ in range(3))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(3))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(3))
    padding = tuple((draw(st.integers(0, 1)), draw(st.integers(0, 1))) for _ in range(3))
    dhw = [draw(st.integers(max(1, (kk - 1) * d + 1 - sum(p)), 4))
           for kk, d, p in zip(k, dilation, padding)]
    x, w = draw(tst.arrays((b, c, *dhw))), draw(tst.arrays((f, c, *k)))
    return (x, w), {"stride": stride, "padding": padding, "dilation": dilation}


CONV3D_CASE = with_options(
    "conv3d", lambda x, w, **o: F.conv3d(x, w, **o),
    lambda x, w, stride, padding, dilation: direct_correlate3d(x, w, stride, padding, dilation),
    conv3d_draws(), covers=("Correlate3D",))


@settings(max_examples=25)
@given(CONV3D_CASE.draw)
def test_conv3d_property(drawn):
    """The shared harness: forward = direct loop, gradcheck, no mutation, float32 kept."""
    check_case(CONV3D_CASE, drawn)


# ---- 3-D pooling (composites of two 2-D poolings) ---------------------------------------
def direct_pool3d(x, pool, stride, mode, reduce):
    """Reference: each window sliced out of x directly; 'same' windows clipped to x."""
    dims = x.shape[2:]
    if mode == "same":
        outs = [-(-n // s) for n, s in zip(dims, stride)]
        before = [max((o - 1) * s + k - n, 0) // 2 for o, s, k, n in zip(outs, stride, pool, dims)]
    else:
        outs = [(n - k) // s + 1 for n, k, s in zip(dims, pool, stride)]
        before = [0, 0, 0]
    out = np.zeros(x.shape[:2] + tuple(outs))
    for idx in np.ndindex(*outs):
        lo = [i * s - b for i, s, b in zip(idx, stride, before)]
        box = x[(slice(None), slice(None)) +
                tuple(slice(max(a, 0), a + k) for a, k in zip(lo, pool))]
        out[(slice(None), slice(None)) + idx] = reduce(box, axis=(2, 3, 4))
    return out


POOL_CASES = [((2, 2, 4, 5, 6), (2, 2, 2), None, "valid"),
              ((1, 3, 5, 4, 5), (3, 2, 2), (2, 1, 2), "same"),
              ((2, 1, 3, 6, 3), (1, 3, 2), (1, 2, 1), "valid")]


@pytest.mark.parametrize("shape, pool, stride, mode", POOL_CASES)
@pytest.mark.parametrize("fn, reduce", [(F.max_pool3d, np.max), (F.avg_pool3d, np.mean)])
def test_pool3d_matches_direct_loop_and_gradcheck(shape, pool, stride, mode, fn, reduce):
    x = np.random.default_rng(4).permutation(np.prod(shape)).reshape(shape) / 7.0
    ref = direct_pool3d(x, pool, stride or pool, mode, reduce)
    np.testing.assert_allclose(fn(Tensor(x), pool, stride, mode).data, ref, rtol=1e-12)
    assert gradcheck(lambda t: fn(t, pool, stride, mode), Tensor(x, requires_grad=True))


def test_pool3d_rejects_wrong_rank():
    with pytest.raises(ValueError, match=r"\(B, C, D, H, W\)"):
        F.max_pool3d(Tensor(np.ones((1, 2, 4, 4))))


def test_channel_mismatch_is_named():
    with pytest.raises(ValueError, match="3 channels but the kernel"):
        F.conv3d(Tensor(np.ones((1, 3, 3, 3, 3))), Tensor(np.ones((1, 2, 2, 2, 2))))
