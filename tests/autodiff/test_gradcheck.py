"""gradcheck and gradcheck_directional: they pass right gradients and catch wrong ones."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from tinygrad_keras import Function, Tensor, gradcheck, gradcheck_directional
from tinygrad_keras.testing import strategies as tst


class WrongSquare(Function):
    """Forward x^2, backward off by a factor (the bug gradcheck must catch)."""

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, grad):
        return grad * 1.5 * self.x


class HalfWrongMul(Function):
    """Right for the first input, wrong for the second at one element only."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, grad):
        gb = grad * self.a
        gb.reshape(-1)[-1] += 1.0
        return grad * self.b, gb


def test_passes_a_correct_gradient():
    rng = np.random.default_rng(0)
    a = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = Tensor(rng.standard_normal((4,)), requires_grad=True)
    assert gradcheck(lambda x, y: (x * y).tanh().sum(axis=0), a, b) is True


def test_names_the_input_element_and_both_values():
    a = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.full((2, 3), 2.0), requires_grad=True)
    with pytest.raises(AssertionError) as info:
        gradcheck(lambda x, y: HalfWrongMul.apply(x, y), a, b, grad_output=np.ones((2, 3)))
    msg = str(info.value)
    assert "input 1" in msg and "(1, 2)" in msg
    assert "expected 1 " in msg and "received 2 " in msg


def test_catches_a_scaled_gradient():
    x = Tensor([0.5, -2.0, 3.0], requires_grad=True)
    with pytest.raises(AssertionError, match="input 0"):
        gradcheck(lambda t: WrongSquare.apply(t), x)


def test_constants_and_unused_inputs():
    x = Tensor([1.0, 2.0], requires_grad=True)
    unused = Tensor([5.0], requires_grad=True)
    assert gradcheck(lambda t, c, u: t * c, x, np.array([3.0, 4.0]), unused)


def test_leaves_the_callers_tensors_alone():
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    gradcheck(lambda t: t.exp(), x)
    assert x.grad is None and x.dtype == np.float32 and x.data.tolist() == [1.0, 2.0]


def test_refuses_a_float32_output_and_a_check_with_nothing_to_check():
    x = Tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="float64"):
        gradcheck(lambda t: t.astype(np.float32), x)
    with pytest.raises(ValueError, match="requires_grad"):
        gradcheck(lambda t: t * 2, Tensor([1.0]))


def test_directional_check_on_a_big_input():
    rng = np.random.default_rng(1)
    x = Tensor(rng.standard_normal((64, 100)), requires_grad=True)
    w = Tensor(rng.standard_normal((100, 10)), requires_grad=True)
    assert gradcheck_directional(lambda a, b: (a @ b).log_softmax(), x, w)
    with pytest.raises(AssertionError, match="input 0 .*random direction"):
        gradcheck_directional(lambda a: WrongSquare.apply(a), x)


@given(tst.tensors(domain="positive"))
def test_a_learner_can_property_test_an_op_in_a_few_lines(x):
    assert gradcheck(lambda t: (t.log() * t).sqrt(), x + 1.0)
