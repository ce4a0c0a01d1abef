"""The fused primitives of ``ops/fused.py`` (and ``Mean``) give the numbers of the
readable composites they replace (values and gradients, to the last bit on float32), to
second order; the callers fall back to the composite where the primitive does not apply.

Their gradient and second-order checks are the ``linear`` and
``categorical_crossentropy`` lines of the op table (``test_ops.py``).
"""
from __future__ import annotations

import numpy as np
import pytest

from tests.autodiff.harness import graph_ops
from tinygrad_keras import Tensor
from tinygrad_keras import backend as K
from tinygrad_keras._backend import nn as NN
from tinygrad_keras.autodiff import functional as F
from tinygrad_keras.autodiff import grad
from tinygrad_keras.autodiff.ops import fused as FU
from tinygrad_keras.layers import Dense

RNG = np.random.default_rng(0)


def _leaves(*arrays, dtype=np.float32) -> list:
    return [Tensor(a.astype(dtype), requires_grad=True) for a in arrays]


def _value_and_grads(fn, arrays, upstream):
    leaves = _leaves(*arrays)
    out = fn(*leaves)
    out.backward(upstream)
    return out, [t.grad for t in leaves]


def _assert_same(fused, composite, arrays, upstream, fused_op: str):
    out_f, grads_f = _value_and_grads(fused, arrays, upstream)
    out_c, grads_c = _value_and_grads(composite, arrays, upstream)
    assert graph_ops(fused(*_leaves(*arrays))) == {fused_op}
    assert fused_op not in graph_ops(composite(*_leaves(*arrays)))
    np.testing.assert_array_equal(out_f.data, out_c.data)
    for gf, gc in zip(grads_f, grads_c):
        np.testing.assert_array_equal(gf, gc)


@pytest.mark.parametrize("activation", [{}, {"relu": True}, {"softmax": True}])
@pytest.mark.parametrize("bias", [False, True])
def test_linear_equals_matmul_add_activation(activation, bias):
    arrays = [RNG.standard_normal((32, 20)), RNG.standard_normal((20, 16))]
    arrays += [RNG.standard_normal(16)] if bias else []
    upstream = RNG.standard_normal((32, 16)).astype(np.float32)
    _assert_same(lambda *t: F.linear(*t, **activation),
                 lambda *t: F.linear_composite(*t, **activation), arrays, upstream, "Linear")


def test_linear_softmax_of_huge_logits_and_no_double_activation():
    x, w, b = _leaves(np.ones((2, 3)), np.array([[1e4, -1e4], [0, 0], [0, 0]]), np.zeros(2))
    out = F.linear(x, w, b, softmax=True)
    np.testing.assert_array_equal(out.data, [[1.0, 0.0], [1.0, 0.0]])
    out.sum().backward()
    assert np.isfinite(w.grad).all()
    with pytest.raises(ValueError, match="relu and softmax"):
        F.linear(x, w, b, relu=True, softmax=True)


def test_linear_relu_at_exact_zero_passes_no_gradient():
    """relu'(0) = 0, as the Relu op: a pre-activation of exactly 0 gets no gradient."""
    x, w, b = _leaves(np.ones((1, 2)), np.array([[1.0], [-1.0]]), np.zeros(1))
    F.linear(x, w, b, relu=True).sum().backward()
    assert np.all(w.grad == 0) and np.all(b.grad == 0)


@pytest.mark.parametrize("make, why", [
    (lambda: (Tensor(np.ones((2, 3, 4), np.float32)), Tensor(np.ones((4, 5), np.float32))),
     "3-D input"),
    (lambda: (Tensor(np.ones((2, 4), np.float32)), Tensor(np.ones((4, 5), np.float64))),
     "mixed dtypes"),
    (lambda: (Tensor(np.ones((2, 4), np.float32)), np.ones((4, 5), np.float32)),
     "a weight that is not a Tensor"),
])
def test_linear_falls_back_to_the_composite(make, why):
    x, w = make()
    x.requires_grad = True
    out = F.linear(x, w, relu=True)
    assert "Linear" not in graph_ops(out), why
    assert {"MatMul", "Relu"} <= graph_ops(out), why
    np.testing.assert_allclose(out.data, np.maximum(x.data @ np.asarray(w, x.dtype), 0))


def test_linear_second_derivative_equals_the_composite():
    arrays = [RNG.standard_normal((5, 3)), RNG.standard_normal((3, 4)), RNG.standard_normal(4)]

    def second(fn, **activation):
        x, w, b = _leaves(*arrays, dtype=np.float64)
        loss = (fn(x, w, b, **activation) ** 2).sum()
        gw, = grad(loss, [w], create_graph=True)
        return [g.data for g in grad((gw ** 2).sum(), [x, w, b])]

    for activation in ({"relu": True}, {"softmax": True}):
        for a, b in zip(second(F.linear, **activation),
                        second(F.linear_composite, **activation)):
            np.testing.assert_allclose(a, b, rtol=1e-12)


def test_rows_linear_equals_matmul_add_to_rounding():
    """``RowsLinear`` sums the bias inside the product (``[x, 1] @ [w; b]``), so it
    agrees with ``x @ w + b`` to float32 rounding, not to the bit; a transposed view as
    ``x`` (a recurrent layer's time-major input) and its gradient come out right."""
    arrays = [RNG.standard_normal((7, 5, 20)), RNG.standard_normal((20, 16)),
              RNG.standard_normal(16)]
    upstream = RNG.standard_normal((5, 7, 16)).astype(np.float32)

    def run(fn):
        x, w, b = _leaves(*arrays)
        out = fn(F.transpose(x, (1, 0, 2)), w, b)
        out.backward(upstream)
        return out, [x.grad, w.grad, b.grad]

    (fast, fast_grads), (slow, slow_grads) = run(FU.rows_linear), run(F.linear_composite)
    assert "RowsLinear" in graph_ops(fast) and fast.shape == slow.shape == (5, 7, 16)
    np.testing.assert_allclose(fast.data, slow.data, rtol=1e-5, atol=1e-5)
    for a, b in zip(fast_grads, slow_grads):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_rows_linear_second_derivative_equals_the_composite():
    arrays = [RNG.standard_normal((2, 5, 3)), RNG.standard_normal((3, 4)), RNG.standard_normal(4)]

    def second(fn):
        x, w, b = _leaves(*arrays, dtype=np.float64)
        loss = (fn(x, w, b) ** 3).sum()
        gw, gb = grad(loss, [w, b], create_graph=True)
        return [g.data for g in grad((gw ** 2).sum() + (gb ** 2).sum(), [x, w, b])]

    for a, b in zip(second(FU.rows_linear), second(F.linear_composite)):
        np.testing.assert_allclose(a, b, rtol=1e-10)


def _probabilities(shape, zero_row=False, saturated=False):
    p = RNG.random(shape) + 0.01
    p /= p.sum(axis=-1, keepdims=True)
    if saturated:  # one entry clipped at 1 - eps, the others below eps
        p[0] = 1e-9
        p[0, 0] = 1.0
    if zero_row:
        p[1] = [0.5, -0.5] + [0.0] * (shape[-1] - 2)
    return p


@pytest.mark.parametrize("zero_row, saturated", [(False, False), (True, False), (False, True),
                                                 (True, True)])
def test_crossentropy_equals_the_composite(zero_row, saturated):
    p = _probabilities((8, 5), zero_row, saturated)
    t = RNG.random((8, 5))
    upstream = RNG.standard_normal(8).astype(np.float32)
    _assert_same(lambda a, b: FU.CategoricalCrossentropy.apply(a, b, eps=K.epsilon()),
                 NN.categorical_crossentropy_composite, [p, t], upstream,
                 "CategoricalCrossentropy")


@pytest.mark.parametrize("shape", [(8, 5), (3, 4, 5)])
@pytest.mark.parametrize("zero_row, saturated", [(False, False), (True, True)])
def test_crossentropy_mean_equals_the_mean_of_the_composite(shape, zero_row, saturated):
    p = _probabilities(shape, zero_row, saturated)
    t = RNG.random(shape)
    upstream = np.asarray(RNG.standard_normal(), dtype=np.float32)
    _assert_same(lambda a, b: FU.CategoricalCrossentropy.apply(a, b, eps=K.epsilon(), mean=True),
                 lambda a, b: NN.categorical_crossentropy_composite(a, b).mean(), [p, t],
                 upstream, "CategoricalCrossentropy")


def test_crossentropy_mean_second_derivative_equals_the_composite():
    p, t = _probabilities((4, 3)), RNG.random((4, 3))

    def second(fn):
        pp, tt = _leaves(p, t, dtype=np.float64)
        gp, = grad(fn(pp, tt), [pp], create_graph=True)
        return [g.data for g in grad((gp * gp).sum(), [pp, tt])]

    fused = second(lambda a, b: FU.CategoricalCrossentropy.apply(a, b, mean=True))
    for a, b in zip(fused, second(lambda a, b: NN.categorical_crossentropy_composite(a, b).mean())):
        np.testing.assert_allclose(a, b, rtol=1e-10)


def test_training_loss_is_one_node_with_default_weights_only():
    from tinygrad_keras.engine import compile_utils as C
    from tinygrad_keras.objectives import categorical_crossentropy as cce
    p = Tensor(_probabilities((4, 3)).astype(np.float32), requires_grad=True)
    t = Tensor(np.eye(3, dtype=np.float32)[[0, 1, 2, 0]])
    fused = C.weighted_loss(cce, t, p, C.unit_weights((4,)))
    assert graph_ops(fused) == {"CategoricalCrossentropy"}
    for weights, mask in [(np.ones(4), None), (C.unit_weights((4,)), np.ones(4))]:
        plain = C.weighted_loss(cce, t, p, weights, mask)
        assert "Mean" in graph_ops(plain)
        assert float(plain.data) == float(fused.data)
    with pytest.raises(ValueError, match="categorical"):  # the loss's own shape message
        C.weighted_loss(cce, Tensor(np.ones((4,), np.float32)), p, C.unit_weights((4,)))


def test_the_backend_loss_uses_the_fused_op_and_falls_back_for_other_shapes():
    p = Tensor(_probabilities((4, 3)).astype(np.float32), requires_grad=True)
    assert graph_ops(K.categorical_crossentropy(p, np.eye(3)[[0, 1, 2, 0]])) == {
        "CategoricalCrossentropy"}
    broadcast_target = K.categorical_crossentropy(p, np.array([1.0, 0.0, 0.0]))
    assert "CategoricalCrossentropy" not in graph_ops(broadcast_target)
    np.testing.assert_allclose(broadcast_target.data, -np.log(p.data[:, 0]), rtol=1e-6)


def test_crossentropy_second_derivative_equals_the_composite():
    p, t = _probabilities((4, 3), zero_row=True), RNG.random((4, 3))

    def second(fn):
        pp, tt = _leaves(p, t, dtype=np.float64)
        gp, = grad(fn(pp, tt).sum(), [pp], create_graph=True)
        return [g.data for g in grad((gp * gp).sum(), [pp, tt])]

    fused = second(lambda a, b: FU.CategoricalCrossentropy.apply(a, b, eps=K.epsilon()))
    for a, b in zip(fused, second(NN.categorical_crossentropy_composite)):
        np.testing.assert_allclose(a, b, rtol=1e-10)


def test_dense_records_one_node_for_relu_or_softmax_and_the_activation_after_it_otherwise():
    x = Tensor(np.ones((2, 4), np.float32))
    relu_dense, tanh_dense = Dense(3, input_dim=4, activation="relu"), Dense(3, input_dim=4,
                                                                          activation="tanh")
    assert graph_ops(relu_dense(x)) == {"Linear"}
    assert graph_ops(tanh_dense(x)) == {"Linear", "Tanh"}
    leaky = Dense(3, input_dim=4, activation=lambda v: K.relu(v, alpha=0.1))
    assert "Relu" in graph_ops(leaky(x))  # only the plain relu is fused
    soft = Dense(3, input_dim=4, activation="softmax")
    assert graph_ops(soft(x)) == {"Linear"}  # a 2-D softmax too
    x3 = Tensor(np.ones((2, 5, 4), np.float32))
    assert "Softmax" in graph_ops(soft(x3))  # 3-D: MatMul, Add, then activations.softmax
    np.testing.assert_allclose(soft(x3).data.sum(axis=-1), 1.0, rtol=1e-6)
    with pytest.raises(ValueError, match="not 2D or 3D"):  # Keras 1.2.2's check stays
        soft(Tensor(np.ones((2, 1, 5, 4), np.float32)))


@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, True), ((0, 2), False), (-1, True)])
def test_mean_equals_sum_times_reciprocal(axis, keepdims):
    a = RNG.standard_normal((3, 4, 5))
    upstream = RNG.standard_normal(np.mean(a, axis=axis, keepdims=keepdims).shape)
    _assert_same(lambda t: F.mean(t, axis, keepdims), lambda t: F.mean_composite(t, axis, keepdims),
                 [a], upstream.astype(np.float32), "Mean")


def test_mean_of_integers_gives_the_composites_dtype():
    ints = Tensor(np.arange(6).reshape(2, 3))
    assert F.mean(ints, axis=0).dtype == F.mean_composite(ints, axis=0).dtype
    np.testing.assert_array_equal(F.mean(ints, axis=0).data, [1.5, 2.5, 3.5])
