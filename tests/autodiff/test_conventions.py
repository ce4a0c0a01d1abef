"""Decisions at kinks and for extreme values, pinned (the op docstrings state them)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from tinygrad_keras import Tensor
from tinygrad_keras.autodiff import functional as F


def grad_of(fn, values):
    x = Tensor(np.asarray(values, dtype=np.float64), requires_grad=True)
    fn(x).sum().backward()
    return x.grad


def test_relu_derivative_at_zero_is_zero():
    assert grad_of(lambda x: x.relu(), [-1.0, 0.0, 2.0]).tolist() == [0.0, 0.0, 1.0]


def test_abs_derivative_at_zero_is_zero():
    assert grad_of(lambda x: x.abs(), [-2.0, 0.0, 3.0]).tolist() == [-1.0, 0.0, 1.0]


def test_sqrt_derivative_at_zero_is_infinite():
    g = grad_of(lambda x: x.sqrt(), [0.0, 4.0])
    assert np.isposinf(g[0]) and g[1] == 0.25


def test_max_reduction_ties_share_the_gradient_equally():
    assert grad_of(lambda x: x.max(), [1.0, 3.0, 3.0]).tolist() == [0.0, 0.5, 0.5]
    assert grad_of(lambda x: x.min(axis=1), [[2.0, 2.0, 2.0, 5.0]]).tolist() == [
        [1 / 3, 1 / 3, 1 / 3, 0.0]]


def test_maximum_and_minimum_ties_split_in_half():
    a = Tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    b = Tensor([1.0, 0.0], requires_grad=True, dtype=np.float64)
    (a.maximum(b) + a.minimum(b) * 10).sum().backward()
    assert a.grad.tolist() == [5.5, 1.0]
    assert b.grad.tolist() == [5.5, 10.0]


def test_clip_passes_the_gradient_at_its_bounds():
    assert grad_of(lambda x: x.clip(0.0, 1.0), [-0.5, 0.0, 0.5, 1.0, 1.5]).tolist() == [
        0.0, 1.0, 1.0, 1.0, 0.0]


def test_where_gives_no_gradient_to_the_condition_and_routes_the_rest():
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = Tensor([9.0, 9.0, 9.0], requires_grad=True)
    F.where(a > 1.5, a, b).sum().backward()
    assert a.grad.tolist() == [0.0, 1.0, 1.0] and b.grad.tolist() == [1.0, 0.0, 0.0]


def test_comparisons_and_argmax_carry_no_gradient():
    x = Tensor([1.0, 5.0, 2.0], requires_grad=True)
    assert (x > 1.5).op is None and not (x > 1.5).requires_grad
    assert x.argmax().item() == 1 and x.argmin().item() == 0 and not x.argmax().requires_grad


def test_prod_gradient_is_exact_with_zeros():
    # d/dx_i prod = product of the others, even when one or two factors are 0
    assert grad_of(lambda x: x.prod(), [0.0, 2.0, 3.0]).tolist() == [6.0, 0.0, 0.0]
    assert grad_of(lambda x: x.prod(), [0.0, 2.0, 0.0]).tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_family_is_finite_for_huge_logits(dtype):
    logits = Tensor(np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype=dtype),
                    requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning is a failure
        p = logits.softmax(axis=-1)
        lp = logits.log_softmax(axis=-1)
        (p.sum() + lp.sum()).backward()
    assert np.isfinite(p.data).all() and np.isfinite(lp.data).all()
    assert np.isfinite(logits.grad).all()
    np.testing.assert_allclose(p.data[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(lp.data[1], np.log([1 / 3] * 3), rtol=1e-6)


def test_sigmoid_does_not_overflow():
    x = Tensor(np.array([-1e4, 0.0, 1e4], dtype=np.float32), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = x.sigmoid()
        y.sum().backward()
    assert y.data.tolist() == [0.0, 0.5, 1.0]
    assert x.grad.tolist() == [0.0, 0.25, 0.0]


def test_gather_with_repeated_indices_accumulates():
    w = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    w[np.array([2, 0, 2, 2])].sum().backward()
    assert w.grad.tolist() == [[1.0, 1.0], [0.0, 0.0], [3.0, 3.0]]


def test_float_index_arrays_are_used_as_integers():
    # Keras feeds word ids as floatx; an Embedding gathers with them
    w = Tensor(np.arange(6.0).reshape(3, 2))
    ids = Tensor([[2, 0]])  # a Python list: becomes float32
    assert ids.dtype == np.float32
    assert w[ids].data.tolist() == [[[4.0, 5.0], [0.0, 1.0]]]
