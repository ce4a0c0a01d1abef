"""Second (and on a few ops third) derivatives against PyTorch float64.

For each op ``f`` and fixed random ``x``, ``v``, ``u``: the Hessian-vector product
``d/dx sum(u * d/dx sum(v * f(x)))`` from ``grad(..., create_graph=True)`` must
equal ``torch.autograd.grad(..., create_graph=True)``'s.  Skipped without torch.
"""
from __future__ import annotations

import numpy as np
import pytest

from tinygrad_keras import Tensor
from tinygrad_keras.autodiff import functional as F
from tinygrad_keras.autodiff import grad

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((4, 2))
ROW = RNG.standard_normal((1, 4))
POS = RNG.uniform(0.5, 2.0, (3, 4))

# name: (ours(x), theirs(x), x)
OPS = {
    "add": (lambda x: (x + Tensor(ROW)) * x, lambda x: (x + torch.tensor(ROW)) * x, A),
    "sub_neg": (lambda x: -(x - x * x), lambda x: -(x - x * x), A),
    "mul_broadcast": (lambda x: x * x[:1], lambda x: x * x[:1], A),
    "div": (lambda x: x / (x * x + 1.0), lambda x: x / (x * x + 1.0), A),
    "pow": (lambda x: x ** x, lambda x: x ** x, POS),
    "pow_const": (lambda x: x ** 3.5, lambda x: x ** 3.5, POS),
    "exp_log_sqrt": (lambda x: x.exp().log() * x.sqrt(), lambda x: x.exp().log() * x.sqrt(), POS),
    "sin_cos": (lambda x: x.sin() * x.cos(), lambda x: x.sin() * x.cos(), A),
    "tanh": (lambda x: (x * x).tanh(), lambda x: (x * x).tanh(), A),
    "sigmoid": (lambda x: (x * x).sigmoid(), lambda x: (x * x).sigmoid(), A),
    "relu_abs": (lambda x: x.relu() * x + x.abs() * x, lambda x: x.relu() * x + x.abs() * x, A),
    "maximum_clip": (lambda x: x.maximum(x * 0.5) * x + x.clip(-0.5, 0.5) * x,
                     lambda x: torch.maximum(x, x * 0.5) * x + x.clamp(-0.5, 0.5) * x, A),
    "where": (lambda x: F.where(A > 0, x * x, x.exp()),
              lambda x: torch.where(torch.tensor(A > 0), x * x, x.exp()), A),
    "sum_mean": (lambda x: x.sum(axis=0) * x.mean(axis=1, keepdims=True),
                 lambda x: x.sum(0) * x.mean(1, keepdim=True), A),
    "max_min": (lambda x: x.max(axis=1) ** 2 + x.min(axis=1) ** 3,
                lambda x: x.amax(1) ** 2 + x.amin(1) ** 3, A),
    "prod": (lambda x: x.prod(axis=1), lambda x: x.prod(1), A),
    "reshape_transpose": (lambda x: (x.reshape(4, 3).T * x) ** 2,
                          lambda x: (x.reshape(4, 3).T * x) ** 2, A),
    "broadcast_getitem": (lambda x: x.broadcast_to((2, 3, 4))[:, 1:, ::2] ** 2 * x[[0, 0, 2]][1:, ::2],
                          lambda x: x.broadcast_to((2, 3, 4))[:, 1:, ::2] ** 2
                          * x[[0, 0, 2]][1:, ::2], A),
    "concat_pad": (lambda x: F.concatenate([x, x * x], axis=1).pad(((1, 0), (0, 2))) ** 2,
                   lambda x: torch.nn.functional.pad(torch.cat([x, x * x], 1), (0, 2, 1, 0)) ** 2,
                   A),
    "matmul": (lambda x: (x @ (x.T @ x)) ** 2, lambda x: (x @ (x.T @ x)) ** 2, A),
    "matmul_vector": (lambda x: (x @ x[0]) ** 2 + (x[0] @ x.T) ** 3,
                      lambda x: (x @ x[0]) ** 2 + (x[0] @ x.T) ** 3, A),
    "matmul_batched": (lambda x: (x.reshape(2, 3, 2) @ x.reshape(2, 2, 3)).tanh(),
                       lambda x: (x.reshape(2, 3, 2) @ x.reshape(2, 2, 3)).tanh(), A),
    "matmul_rows": (lambda x: (x.reshape(2, 3, 2) @ Tensor(B[:2]) @ x[:2, :2]) ** 2,
                    lambda x: (x.reshape(2, 3, 2) @ torch.tensor(B[:2]) @ x[:2, :2]) ** 2, A),
    "softmax": (lambda x: x.softmax(axis=1) * x, lambda x: x.softmax(1) * x, A),
    "log_softmax": (lambda x: x.log_softmax(axis=0) * x, lambda x: x.log_softmax(0) * x, A),
    "astype": (lambda x: (x.astype(np.float32).astype(np.float64)) ** 3,
               lambda x: (x.float().double()) ** 3, A),
}


def _ours(op, x, vectors, order):
    t = Tensor(x.copy(), requires_grad=True)
    out = op(t)
    for k in range(order):
        v = vectors[k].reshape(-1)[:out.size].reshape(out.shape)
        out = grad((out * Tensor(v)).sum(), t, create_graph=k < order - 1)[0]
    return out.data


def _theirs(op, x, vectors, order):
    t = torch.tensor(x.copy(), requires_grad=True)
    out = op(t)
    for k in range(order):
        v = torch.tensor(vectors[k].reshape(-1)[:out.numel()].reshape(tuple(out.shape)))
        out = torch.autograd.grad((out * v).sum(), t, create_graph=k < order - 1)[0]
    return out.detach().numpy()


def _vectors(shape_size: int) -> list:
    rng = np.random.default_rng(11)
    return [rng.standard_normal(64) for _ in range(3)]


@pytest.mark.parametrize("name", sorted(OPS))
def test_second_derivative_matches_torch(name):
    ours, theirs, x = OPS[name]
    vectors = _vectors(x.size)
    np.testing.assert_allclose(_ours(ours, x, vectors, 2), _theirs(theirs, x, vectors, 2),
                               rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "softmax", "matmul", "prod", "pow",
                                  "log_softmax", "div"])
def test_third_derivative_matches_torch(name):
    ours, theirs, x = OPS[name]
    vectors = _vectors(x.size)
    np.testing.assert_allclose(_ours(ours, x, vectors, 3), _theirs(theirs, x, vectors, 3),
                               rtol=1e-8, atol=1e-9)
