"""Gradients are Tensors too: grad(), create_graph, released graphs, first_order_only."""
from __future__ import annotations

import gc

import numpy as np
import pytest

from tinygrad_keras import Function, Tensor, gradgradcheck
from tinygrad_keras.autodiff import functional as F
from tinygrad_keras.autodiff import grad
from tinygrad_keras.autodiff.viz import to_dot


def leaf(values):
    return Tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def test_gradient_of_a_gradient_is_6x():
    x = leaf([1.0, -2.0])
    g, = grad((x * x * x).sum(), x, create_graph=True)
    assert g.requires_grad and g.tolist() == [3.0, 12.0]
    h, = grad(g.sum(), x, create_graph=True)
    assert h.tolist() == [6.0, -12.0]
    third, = grad(h.sum(), x)
    assert third.tolist() == [6.0, 6.0] and not third.requires_grad


def test_the_grad_function_leaves_dot_grad_alone_and_returns_constants_by_default():
    x = leaf([2.0])
    x.grad = np.array([7.0])
    g, = grad((x * x).sum(), x)
    assert g.tolist() == [4.0] and not g.requires_grad and x.grad.tolist() == [7.0]


def test_the_grad_function_with_respect_to_an_intermediate_and_several_outputs():
    x = leaf([1.0, 2.0])
    h = x * 3
    gh, gx = grad([(h * h).sum(), x.sum()], [h, x])
    assert gh.tolist() == [6.0, 12.0] and gx.tolist() == [19.0, 37.0]


def test_the_grad_function_outputs_give_a_vector_jacobian_product():
    x = leaf([1.0, 2.0])
    g, = grad(x * x, x, grad_outputs=np.array([1.0, 10.0]))
    assert g.tolist() == [2.0, 40.0]
    with pytest.raises(RuntimeError, match="grad_outputs"):
        grad(x * x, x)


def test_unused_inputs_are_an_error_or_none():
    x, y = leaf([1.0]), leaf([2.0])
    with pytest.raises(RuntimeError, match="input 1.*not used.*allow_unused"):
        grad((x * 2).sum(), [x, y])
    assert grad((x * 2).sum(), [x, y], allow_unused=True)[1] is None
    with pytest.raises(RuntimeError, match="input 0 does not require grad"):
        grad((x * 2).sum(), [Tensor([1.0])])


def test_backward_create_graph_stores_arrays_and_keeps_the_graph():
    x = leaf([3.0])
    y = (x * x).sum()
    y.backward(create_graph=True)
    assert isinstance(x.grad, np.ndarray) and x.grad.tolist() == [6.0]
    y.backward()  # the graph was kept
    assert x.grad.tolist() == [12.0]


def test_hessian_vector_product_matches_finite_differences():
    rng = np.random.default_rng(0)
    a, v = rng.standard_normal((3, 3)), rng.standard_normal(3)

    def f(t):
        return ((Tensor(a) @ t).tanh() ** 2).sum()

    x = leaf(rng.standard_normal(3))
    g, = grad(f(x), x, create_graph=True)
    hv, = grad((g * Tensor(v)).sum(), x)
    eps = 1e-6

    def grad_at(p):
        t = leaf(p)
        return grad(f(t), t)[0].data
    numeric = (grad_at(x.data + eps * v) - grad_at(x.data - eps * v)) / (2 * eps)
    np.testing.assert_allclose(hv.data, numeric, rtol=1e-6, atol=1e-8)


# ---- released graphs ---------------------------------------------------------------------
def test_second_backward_through_a_released_graph_is_refused_without_partial_gradient():
    w = leaf([0.5, -1.0])
    h = (w * w).tanh()
    h.sum().backward()
    first = w.grad.copy()
    with pytest.raises(RuntimeError, match="released.*retain_graph=True"):
        (h * 2).sum().backward()
    assert w.grad.tolist() == first.tolist()  # untouched, never a partial gradient


def test_retain_graph_allows_the_second_pass_through_a_shared_result():
    w = leaf([0.5])
    h = (w * w).tanh()
    h.sum().backward(retain_graph=True)
    (h * 2).sum().backward()
    expected = 3 * (1 - np.tanh(0.25) ** 2) * 2 * 0.5
    np.testing.assert_allclose(w.grad, [expected])


def test_drawing_a_released_graph_says_so():
    w = leaf([1.0, 2.0])
    loss = (w * w).sum()
    assert "Mul" in to_dot(loss, show_grads=True)
    loss.backward()
    with pytest.raises(RuntimeError, match="released.*retain_graph=True"):
        to_dot(loss, show_grads=True)


# ---- first_order_only and ops that have not declared ------------------------------------
def test_first_order_only_ops_give_first_derivatives_and_refuse_second_naming_the_op():
    from tinygrad_keras.autodiff.ops.recurrent import lstm_cell
    rng = np.random.default_rng(0)
    xz, hc = leaf(rng.standard_normal((2, 8))), leaf(rng.standard_normal((2, 4)))
    g, = grad((lstm_cell(xz * xz, xz, hc) ** 2).sum(), xz, create_graph=True)
    expected, = grad((lstm_cell(xz * xz, xz, hc) ** 2).sum(), xz)
    np.testing.assert_allclose(g.data, expected.data)  # first order through it is right
    with pytest.raises(RuntimeError, match="LSTMCell.*first_order_only = True"):
        grad(g.sum(), xz)


def test_pooling_is_differentiable_twice():
    x = leaf(np.random.default_rng(3).standard_normal((1, 2, 4, 4)))
    assert gradgradcheck(lambda t: F.max_pool2d(t * t, 2, padding="same"), x)
    assert gradgradcheck(lambda t: F.avg_pool2d(t * t, 3, 2, padding="same"), x)


def test_convolution_is_differentiable_twice():
    rng = np.random.default_rng(1)
    x, w = leaf(rng.standard_normal((1, 2, 5, 5))), leaf(rng.standard_normal((2, 2, 2, 2)))
    assert gradgradcheck(lambda a, b: F.conv2d(a, b, 2, "same"), x, w)
    y = leaf(rng.standard_normal((1, 2, 3, 3)))
    assert gradgradcheck(lambda a, b: F.conv_transpose2d(a, b, (5, 5), 2, "same"), y, w)


def test_fused_recurrent_cells_refuse_a_second_derivative():
    from tinygrad_keras.autodiff.ops.recurrent import gru_gates, gru_output, lstm_cell
    rng = np.random.default_rng(2)
    xz, hc = leaf(rng.standard_normal((2, 8))), leaf(rng.standard_normal((2, 4)))
    cases = {"LSTMCell": lambda: lstm_cell(xz, xz * 1, hc),
             "GRUGates": lambda: gru_gates(xz[:, :6], xz[:, :4], hc[:, :2]),
             "GRUOutput": lambda: gru_output(xz[:, :6], xz[:, :2], hc, hc[:, :2])}
    for name, make in cases.items():
        g, = grad((make() ** 2).sum(), xz, create_graph=True)
        with pytest.raises(RuntimeError, match=name):
            grad((g * g).sum(), xz)


class Cube(Function):
    first_order_only = False

    def forward(self, x):
        return x ** 3

    def backward(self, grad):
        x, = self.inputs
        return 3 * x ** 2 * grad


class DetachedCube(Function):
    """Claims to be differentiable, but its backward uses a constant copy of x."""
    first_order_only = False

    def forward(self, x):
        self.x = x
        return x ** 3

    def backward(self, grad):
        return grad * Tensor(3 * self.x ** 2)


class OldStyleCube(Function):
    """A learner's op that has not declared anything (reads arrays kept on self)."""

    def forward(self, x):
        self.x = x
        return x ** 3

    def backward(self, grad):
        return 3 * self.x ** 2 * grad


def test_a_user_op_written_with_self_inputs_is_differentiable_twice():
    x = leaf([1.0, 2.0])
    assert gradgradcheck(lambda t: Cube.apply(t), x)


def test_gradgradcheck_catches_a_backward_that_returns_a_detached_constant():
    with pytest.raises(AssertionError, match="gradgradcheck.*input 0"):
        gradgradcheck(lambda t: DetachedCube.apply(t), leaf([1.0, 2.0]))


def test_an_undeclared_user_op_refuses_a_second_derivative_instead_of_a_zero():
    x = leaf([1.0, 2.0])
    g, = grad(OldStyleCube.apply(x).sum(), x, create_graph=True)
    assert g.tolist() == [3.0, 12.0]
    with pytest.raises(RuntimeError, match="OldStyleCube does not declare.*first_order_only"):
        grad(g.sum(), x)


def test_a_backward_returning_an_array_under_create_graph_is_named():
    class ArrayBack(Function):
        first_order_only = False

        def forward(self, x):
            return x * 2

        def backward(self, grad):
            return np.asarray(grad.data) * 2

    x = leaf([1.0])
    with pytest.raises(TypeError, match="ArrayBack.backward returned a numpy array"):
        grad(ArrayBack.apply(x).sum(), x, create_graph=True)


# ---- memory ------------------------------------------------------------------------------
def _live_tensors() -> int:
    gc.collect()
    return sum(type(o) is Tensor for o in gc.get_objects())


def test_create_graph_keeps_nothing_once_its_results_are_dropped():
    x = leaf(np.ones(5))
    before = _live_tensors()
    for _ in range(3):
        y = ((x * x).tanh() * x).sum()
        g, = grad(y, x, create_graph=True)
        h, = grad((g * g).sum(), x)
        del y, g, h
    assert _live_tensors() == before


def test_the_grad_function_computes_only_the_part_of_the_graph_leading_to_the_inputs():
    w, x = leaf(np.ones((3, 2))), leaf(np.ones((4, 3)))
    g, = grad(((x @ w).tanh()).sum(), x, create_graph=True)
    ops_in_gradient = set()
    stack, seen = [g], set()
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        ops_in_gradient.add(t.op)
        stack.extend(t.parents)
    assert w.grad is None and "MatMul" in ops_in_gradient


# ---- messages for learners -----------------------------------------------------------------
def test_minus_equals_on_a_parameter_explains_the_rebinding_on_the_next_step():
    w = leaf([1.0, 2.0])
    (w * w).sum().backward()
    w -= 0.1 * w.grad  # rebinds w to a new, non-leaf Tensor
    (w * w).sum().backward()
    with pytest.raises(TypeError, match=r"rebinds the name w.*w.data -= lr \* w.grad"):
        w -= 0.1 * w.grad


def test_backward_without_grad_mentions_the_rebinding_under_no_grad():
    from tinygrad_keras import no_grad
    w = leaf([1.0, 2.0])
    (w * w).sum().backward()
    with no_grad():
        w -= 0.1 * w.grad
    with pytest.raises(RuntimeError, match=r"does not require grad.*`-=`.*w.data -="):
        (w * w).sum().backward()


def test_matmul_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4, 5\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"batch axes \(2,\) and \(3,\)"):
        Tensor(np.ones((2, 4, 3))) @ Tensor(np.ones((3, 3, 5)))


def test_gradcheck_failure_shows_the_input_value_and_explains_the_upstream_vector():
    from tests.autodiff.test_gradcheck import WrongSquare
    from tinygrad_keras import gradcheck
    with pytest.raises(AssertionError, match=r"input value 3.*random array of the output"):
        gradcheck(lambda t: WrongSquare.apply(t), leaf([3.0]))


def test_any_declared_first_order_only_op_refuses_by_name():
    """The engine's refusal is generic: a new fused op only has to declare the attribute."""
    class FusedSquare(Function):
        first_order_only = True

        def forward(self, x):
            self.x = x
            return x * x

        def backward(self, grad):
            return 2 * self.x * grad

    x = leaf([1.5])
    g, = grad(FusedSquare.apply(x).sum(), x, create_graph=True)
    assert g.tolist() == [3.0]
    with pytest.raises(RuntimeError, match=r"FusedSquare's gradient cannot be differentiated again"):
        grad(g.sum(), x)
