"""MaxPool2D / AvgPool2D: forward against a direct loop (TensorFlow 'same' rules),
gradients against central differences (float64)."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.autodiff.harness import check_case, with_options
from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.autodiff import functional as F
from tinygrad_keras.autodiff.gradcheck import gradcheck
from tinygrad_keras.testing import strategies as tst


def direct_pool(x, pool, stride, mode, reduce):
    """Loop over output positions; 'same' windows are clipped to the real cells."""
    H, W = x.shape[2:]
    if mode == "same":
        oh, ow = -(-H // stride[0]), -(-W // stride[1])
        top = max((oh - 1) * stride[0] + pool[0] - H, 0) // 2
        left = max((ow - 1) * stride[1] + pool[1] - W, 0) // 2
    else:
        oh, ow = (H - pool[0]) // stride[0] + 1, (W - pool[1]) // stride[1] + 1
        top = left = 0
    out = np.zeros(x.shape[:2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * stride[0] - top, j * stride[1] - left
            cell = x[:, :, max(r0, 0):r0 + pool[0], max(c0, 0):c0 + pool[1]]
            out[:, :, i, j] = reduce(cell, axis=(2, 3))
    return out


CASES = [  # (shape, pool, stride, mode)
    ((2, 3, 4, 6), (2, 2), (2, 2), "valid"),
    ((2, 2, 5, 7), (2, 2), (2, 2), "same"),
    ((1, 2, 7, 6), (3, 2), (2, 1), "valid"),
    ((1, 2, 7, 6), (3, 3), (2, 2), "same"),
    ((1, 1, 5, 5), (3, 3), (1, 1), "same"),
]


@pytest.mark.parametrize("shape, pool, stride, mode", CASES)
@pytest.mark.parametrize("fn, reduce", [(F.max_pool2d, np.max), (F.avg_pool2d, np.mean)])
def test_forward_matches_direct_loop(shape, pool, stride, mode, fn, reduce):
    x = np.random.default_rng(0).standard_normal(shape)
    got = fn(Tensor(x), pool, stride, mode).data
    np.testing.assert_allclose(got, direct_pool(x, pool, stride, mode, reduce), rtol=1e-12)


@pytest.mark.parametrize("shape, pool, stride, mode", CASES)
def test_grad_MaxPool2D(shape, pool, stride, mode):
    # a permutation keeps the values apart, away from the tie kink
    x = np.random.default_rng(1).permutation(np.prod(shape)).reshape(shape) * 0.1
    assert gradcheck(lambda t: F.max_pool2d(t, pool, stride, mode), Tensor(x, requires_grad=True))


@pytest.mark.parametrize("shape, pool, stride, mode", CASES)
def test_grad_AvgPool2D(shape, pool, stride, mode):
    x = Tensor(np.random.default_rng(2).standard_normal(shape), requires_grad=True)
    assert gradcheck(lambda t: F.avg_pool2d(t, pool, stride, mode), x)


def test_max_pool_ties_share_the_gradient():
    x = Tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    F.max_pool2d(x).sum().backward()
    np.testing.assert_allclose(x.grad, np.full((1, 1, 2, 2), 0.25))


def test_same_average_excludes_padding():
    # 3x3 window centred on the corner sees 4 real cells of value 1: mean 1, not 4/9
    out = F.avg_pool2d(Tensor(np.ones((1, 1, 3, 3))), 3, 1, "same").data
    np.testing.assert_allclose(out, np.ones((1, 1, 3, 3)))


def test_pool1d_composites():
    x = np.random.default_rng(3).standard_normal((2, 3, 7))
    got = F.max_pool1d(Tensor(x), 2, padding="same").data
    ref = direct_pool(x[:, :, None], (1, 2), (1, 2), "same", np.max)[:, :, 0]
    np.testing.assert_allclose(got, ref)
    got = F.avg_pool1d(Tensor(x), 3, 2).data
    np.testing.assert_allclose(got, direct_pool(x[:, :, None], (1, 3), (1, 2), "valid",
                                                np.mean)[:, :, 0])


def test_float32_stays_float32():
    x = Tensor(np.ones((1, 1, 4, 4), dtype=np.float32), requires_grad=True)
    out = F.avg_pool2d(x, 3, 1, "same") + F.max_pool2d(x)[:, :, :1, :1]
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32


@st.composite
def pool_draws(draw):
    pool = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    mode = draw(st.sampled_from(["valid", "same"]))
    hw = [draw(st.integers(k, 7)) for k in pool]
    x = draw(tst.arrays((draw(st.integers(1, 2)), draw(st.integers(1, 2)), *hw)))
    return (x,), {"pool": pool, "stride": stride, "padding": mode}


def _ref(reduce):
    return lambda x, pool, stride, padding: direct_pool(x, pool, stride, padding, reduce)


MAX_CASE = with_options("max_pool2d", lambda x, **o: F.max_pool2d(x, **o), _ref(np.max),
                        pool_draws(), covers=("MaxPool2D",),
                        valid=lambda x, **o: tst.well_separated(x))
AVG_CASE = with_options("avg_pool2d", lambda x, **o: F.avg_pool2d(x, **o), _ref(np.mean),
                        pool_draws(), covers=("AvgPool2D",))


@given(MAX_CASE.draw)
def test_max_pool2d_property(drawn):
    check_case(MAX_CASE, drawn)


@given(AVG_CASE.draw)
def test_avg_pool2d_property(drawn):
    check_case(AVG_CASE, drawn)


def test_max_pool2d_backward_twice_with_retained_graph():
    # K.gradients (retain_graph=True) inside a model, then the training step's own backward,
    # both pass through the same MaxPool2D node (Keras 1.2.2 examples/mnist_swwae.py).
    rng = np.random.default_rng(7)
    x = Tensor(rng.standard_normal((2, 3, 4, 4)), requires_grad=True)
    out = F.max_pool2d(x * 2.0)
    out.sum().backward(retain_graph=True)
    first = x.grad.copy()
    out.sum().backward()
    np.testing.assert_allclose(x.grad, 2 * first)
    assert first.sum() == pytest.approx(2.0 * out.size)


def test_a_window_of_256_tied_cells_shares_the_gradient():
    """The count of tied maxima is kept in uint8 only for windows of fewer than 256 cells."""
    x = Tensor(np.ones((1, 1, 16, 16), np.float32), requires_grad=True)
    F.max_pool2d(x, (16, 16)).sum().backward()
    np.testing.assert_array_equal(x.grad, np.full((1, 1, 16, 16), 1 / 256, np.float32))


@pytest.mark.parametrize("shape, pool, stride, mode", CASES)
@pytest.mark.parametrize("block_elements", [1, 1 << 16])
def test_max_pool_array_backward_in_row_blocks_equals_the_recorded_one(
        shape, pool, stride, mode, block_elements, monkeypatch):
    """The array backward, one output row at a time (``BLOCK_ELEMENTS`` 1) or all at
    once, gives the recorded backward's numbers (its ScatterAdd ops), ties included."""
    from tinygrad_keras.autodiff.ops import pool as pool_ops
    monkeypatch.setattr(pool_ops, "BLOCK_ELEMENTS", block_elements)
    rng = np.random.default_rng(3)
    x = rng.integers(0, 3, shape).astype(np.float64)  # many tied maxima
    g = rng.standard_normal(F.max_pool2d(Tensor(x), pool, stride, mode).shape)
    grads = []
    for create_graph in (False, True):
        tx = Tensor(x, requires_grad=True)
        F.max_pool2d(tx, pool, stride, mode).backward(g, create_graph=create_graph)
        grads.append(tx.grad.data if isinstance(tx.grad, Tensor) else tx.grad)
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, atol=1e-12)
