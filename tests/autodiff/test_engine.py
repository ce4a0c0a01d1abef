"""The backward engine: order, accumulation, errors, graph release, grad modes."""
from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

from tinygrad_keras import Function, Tensor, enable_grad, gradcheck, no_grad
from tinygrad_keras.autodiff.engine import toposort, unbroadcast


def leaf(values, dtype=np.float64):
    return Tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def test_op_and_parents_are_recorded_in_argument_order():
    a, b = leaf([1.0]), leaf([2.0])
    y = a * b - b
    assert y.op == "Sub" and y.parents[0].op == "Mul" and y.parents[1] is b
    assert y.parents[0].parents == (a, b)
    assert a.op is None and a.is_leaf and a.parents == ()


def test_diamond_gives_both_contributions():
    x = leaf([3.0])
    a, b = x * 2, x * 5
    (a * b).sum().backward()  # d(10 x^2)/dx = 20 x
    assert x.grad.tolist() == [60.0]


def test_same_tensor_twice_in_one_op():
    x = leaf([3.0, -1.0])
    (x * x).sum().backward()
    assert x.grad.tolist() == [6.0, -2.0]


def test_ten_thousand_node_chain_needs_no_recursion():
    x = leaf([1.0])
    y = x
    for _ in range(10_000):
        y = y + 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0] and y.item() == 10_001.0


def test_toposort_is_deterministic_and_parents_first():
    x = leaf([1.0])
    a, b = x * 2, x * 3
    y = a + b
    order = toposort(y)
    assert order[-1] is y and order[0] is x
    assert [id(n) for n in order] == [id(n) for n in toposort(y)]
    assert order.index(a) < order.index(y) and order.index(b) < order.index(y)


def test_gradients_accumulate_until_zero_grad():
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    (x * 4).sum().backward()
    assert x.grad.tolist() == [7.0, 7.0]
    x.zero_grad()
    assert x.grad is None


def test_unbroadcast_sums_leading_and_stretched_axes():
    assert unbroadcast(np.ones((4, 2, 3)), (2, 1)).tolist() == [[12.0], [12.0]]
    assert unbroadcast(np.ones((2, 3)), ()).item() == 6.0
    b = leaf([[1.0], [2.0]])
    (leaf(np.ones((5, 2, 3))) * b).sum().backward()
    assert b.grad.tolist() == [[15.0], [15.0]]


def test_backward_of_a_non_scalar_needs_a_gradient():
    y = leaf([1.0, 2.0]) * 2
    with pytest.raises(RuntimeError, match=r"scalar.*\(2,\)"):
        y.backward()


def test_backward_with_a_gradient_of_the_wrong_shape():
    y = leaf([1.0, 2.0]) * 2
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        y.backward(np.ones(3))


def test_backward_with_an_explicit_gradient():
    x = leaf([1.0, 2.0])
    (x * 2).backward(np.array([1.0, 10.0]))
    assert x.grad.tolist() == [2.0, 20.0]


def test_backward_without_any_grad_input_is_an_error():
    with pytest.raises(RuntimeError, match="requires_grad"):
        (Tensor([1.0]) * 2).sum().backward()


def test_graph_is_released_and_a_second_backward_is_refused():
    x = leaf([1.0])
    y = (x * 2).sum()
    y.backward()
    assert y.parents == () and y.op == "Sum"
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0])
    y = (x * 2).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0]


def test_a_wrong_gradient_shape_names_the_op():
    class BadShape(Function):
        def forward(self, a):
            return a * 1

        def backward(self, grad):
            return grad.T

    x = leaf(np.ones((2, 3)))
    with pytest.raises(AssertionError, match="BadShape"):
        BadShape.apply(x).sum().backward()


def test_retain_grad_keeps_an_intermediate_gradient():
    x = leaf([1.0, 2.0])
    h = (x * 3).retain_grad()
    (h * h).sum().backward()
    assert h.grad.tolist() == [6.0, 12.0] and x.grad.tolist() == [18.0, 36.0]


def test_no_grad_context_and_decorator():
    w = leaf([1.0])
    with no_grad():
        y = w * 2
        with enable_grad():
            z = w * 2
    assert y.op is None and not y.requires_grad and z.op == "Mul"

    @no_grad()
    def step():
        return w * 3

    assert step().op is None and (w * 3).op == "Mul"


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(ZeroDivisionError), no_grad():
        raise ZeroDivisionError
    assert (leaf([1.0]) * 2).requires_grad


def test_detach_shares_data_and_stops_the_gradient():
    x = leaf([2.0])
    d = (x * 3).detach()
    assert not d.requires_grad and d.op is None
    (x * d).sum().backward()
    assert x.grad.tolist() == [6.0]


def _live_tensors() -> int:
    gc.collect()
    return sum(isinstance(o, Tensor) for o in gc.get_objects())


def test_repeated_training_steps_do_not_grow_the_graph():
    w = leaf(np.ones((4, 3)))
    x = Tensor(np.ones((5, 4)))

    def step():
        loss = ((x @ w).tanh() ** 2).mean()
        loss.backward()
        with no_grad():
            w.data -= 0.1 * w.grad
        w.zero_grad()

    step()
    before = _live_tensors()
    for _ in range(20):
        step()
    assert _live_tensors() <= before


def test_backward_frees_intermediate_results():
    x = leaf(np.ones(3))
    h = x * 2
    watch = weakref.ref(h)
    y = (h.exp()).sum()
    del h
    assert watch() is not None  # y's graph keeps h alive ...
    y.backward()
    gc.collect()
    assert watch() is None  # ... until backward releases it


FLOAT32_EXPRESSIONS = [
    lambda t: 2 * t, lambda t: t + np.ones(3), lambda t: 1 / t, lambda t: t ** 2,
    lambda t: 2 ** t, lambda t: t - 0.5, lambda t: t @ np.ones((3, 2)),
    lambda t: np.ones(3) * t, lambda t: t.maximum(0.0), lambda t: t.clip(0, 1),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("expr", FLOAT32_EXPRESSIONS)
def test_the_tensor_dtype_wins_over_numbers_and_arrays(expr, dtype):
    t = leaf([0.5, 1.0, 2.0], dtype=dtype)
    out = expr(t)
    out.sum().backward()
    assert out.dtype == dtype and t.grad.dtype == dtype


def test_python_data_becomes_float32_and_arrays_keep_their_dtype():
    assert Tensor([1, 2]).dtype == np.float32 and Tensor(3.0).dtype == np.float32
    assert Tensor(np.arange(3)).dtype == np.arange(3).dtype
    assert Tensor(np.ones(2)).dtype == np.float64
    assert Tensor([1, 2], dtype=np.float64).dtype == np.float64


def test_cast_sends_the_gradient_back_in_the_input_dtype():
    x = leaf([1.0, 2.0], dtype=np.float32)
    (x.astype(np.float64) * 2).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [2.0, 2.0]


def test_inplace_subtract_rebinds_and_keeps_the_graph_right():
    x = leaf([[1.0, 2.0, 6.0]])
    h = x * 1
    before = h
    h -= h.mean(axis=1, keepdims=True)  # a Keras-1 custom-layer idiom
    assert h is not before and before.data.tolist() == [[1.0, 2.0, 6.0]]
    assert h.data.tolist() == [[-2.0, -1.0, 3.0]]
    (h * h).sum().backward()
    # d/dx sum((x - mean x)^2) = 2 (x - mean x)
    assert x.grad.tolist() == [[-4.0, -2.0, 6.0]]


def test_inplace_on_a_leaf_leaves_the_leaf_untouched():
    w = leaf([1.0])
    original = w
    w *= 3
    assert original.data.tolist() == [1.0] and w.op == "Mul"


class SmoothAbs(Function):
    """A learner's op: sqrt(x^2 + 1), written as the Function docs describe."""

    def forward(self, x):
        self.out = np.sqrt(x * x + 1)
        self.x = x
        return self.out

    def backward(self, grad):
        return grad * self.x / self.out


def test_a_user_defined_op_passes_gradcheck():
    x = leaf(np.random.default_rng(0).standard_normal((3, 4)))
    y = SmoothAbs.apply(x)
    assert y.op == "SmoothAbs" and y.parents == (x,)
    assert gradcheck(lambda t: SmoothAbs.apply(t) * t, x)


def test_a_user_op_returning_too_few_gradients_is_named():
    class TwoInputs(Function):
        def forward(self, a, b):
            return a + b

        def backward(self, grad):
            return grad

    with pytest.raises(RuntimeError, match=r"TwoInputs.*1 gradients \(ndarray\) for 2 inputs"):
        TwoInputs.apply(leaf([1.0]), leaf([2.0])).sum().backward()


def test_a_user_op_returning_a_list_is_told_to_return_a_tuple():
    class ListBackward(Function):
        def forward(self, a, b):
            return a + b

        def backward(self, grad):
            return [grad, grad]

    with pytest.raises(TypeError, match="ListBackward.*a list of 2; return a tuple"):
        ListBackward.apply(leaf([1.0]), leaf([2.0])).sum().backward()


def test_stored_gradients_are_private_writable_arrays():
    """The engine skips copies where it can; it must never let two .grad share memory,
    store the caller's upstream array, or store a read-only broadcast view."""
    a, b = leaf(np.ones(3)), leaf(np.ones(3))
    upstream = np.ones(3)
    (a + b).backward(upstream)
    assert not np.shares_memory(a.grad, b.grad)
    assert not np.shares_memory(a.grad, upstream) and not np.shares_memory(b.grad, upstream)
    bias = leaf(np.zeros(3))
    (leaf(np.ones((4, 3))) + bias.reshape(1, 3)).sum().backward()
    c = leaf(2.0)
    c.broadcast_to((5,)).sum().backward()
    for g in (a.grad, b.grad, bias.grad, c.grad):
        g *= 2  # an optimizer may scale .grad in place
    assert a.grad.tolist() == [2.0, 2.0, 2.0] and b.grad.tolist() == [2.0, 2.0, 2.0]
    assert bias.grad.tolist() == [8.0, 8.0, 8.0] and c.grad.item() == 10.0


def test_slicing_once_per_timestep_accumulates_every_slice():
    x = leaf(np.arange(12.0).reshape(4, 3))
    weights = np.arange(1.0, 5.0)
    total = x[0].sum() * 0.0
    for t in range(4):
        total = total + (x[t] * weights[t]).sum() + x[t, 1]  # two slices of row t
    total.backward()
    expected = np.repeat(weights[:, None], 3, axis=1)
    expected[:, 1] += 1
    assert x.grad.tolist() == expected.tolist()


def test_in_place_accumulation_never_writes_a_shared_gradient():
    p, q = leaf([1.0, 1.0]), leaf([1.0, 1.0])
    s = p + q  # Add hands the same array to p and q
    upstream = np.ones(2)
    (s + p * 2 + q * 3 + p * 4).backward(upstream)
    assert p.grad.tolist() == [7.0, 7.0] and q.grad.tolist() == [4.0, 4.0]
    assert upstream.tolist() == [1.0, 1.0]
