"""Activations: values against numpy, the softmax rank rule, stability, lookup."""
import numpy as np
import pytest

from tinygrad_keras import activations
from tinygrad_keras.autodiff import Tensor

X = np.array([[-3.0, -1.0, -0.2, 0.0, 0.4, 2.0, 4.0]], dtype=np.float32)


def _np_softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("name,expected", [
    ("relu", np.maximum(X, 0)),
    ("tanh", np.tanh(X)),
    ("sigmoid", 1 / (1 + np.exp(-X))),
    ("hard_sigmoid", np.clip(0.2 * X + 0.5, 0, 1)),
    ("softplus", np.log1p(np.exp(X))),
    ("softsign", X / (1 + np.abs(X))),
    ("elu", np.where(X > 0, X, np.exp(X) - 1)),
    ("linear", X),
    ("softmax", _np_softmax(X)),
])
def test_values_match_numpy(name, expected):
    out = activations.get(name)(Tensor(X))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, expected, rtol=1e-5, atol=1e-6)


def test_none_is_linear_and_names_are_kept():
    assert activations.get(None) is activations.linear
    for name in ["softmax", "elu", "softplus", "softsign", "relu", "tanh", "sigmoid",
                 "hard_sigmoid", "linear"]:
        assert activations.get(name).__name__ == name


def test_relu_leaky_and_capped():
    out = activations.relu(Tensor(X), alpha=0.1, max_value=1.5).data
    np.testing.assert_allclose(out, np.where(X > 0, np.minimum(X, 1.5), 0.1 * X), rtol=1e-6)


def test_elu_alpha():
    out = activations.elu(Tensor(X), alpha=0.5).data
    np.testing.assert_allclose(out, np.where(X > 0, X, 0.5 * (np.exp(X) - 1)), rtol=1e-6)


def test_softmax_3d_is_over_last_axis():
    x = np.random.RandomState(0).randn(2, 3, 4)
    np.testing.assert_allclose(activations.softmax(Tensor(x)).data, _np_softmax(x), rtol=1e-12)


@pytest.mark.parametrize("shape", [(4,), (2, 2, 2, 2)])
def test_softmax_rejects_other_ranks(shape):
    with pytest.raises(ValueError, match=f"not 2D or 3D.*ndim={len(shape)}"):
        activations.softmax(Tensor(np.zeros(shape)))


@pytest.mark.parametrize("name", ["softmax", "softplus", "sigmoid", "elu", "tanh", "softsign"])
def test_huge_inputs_stay_finite_forward_and_backward(name):
    x = Tensor(np.array([[-1e4, -50.0, 0.0, 50.0, 1e4]], dtype=np.float32), requires_grad=True)
    out = activations.get(name)(x)
    (out * Tensor(np.arange(5.0, dtype=np.float32))).sum().backward()
    assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(x.grad))


def test_gradients_match_finite_differences():
    rng = np.random.RandomState(3)
    x0 = rng.uniform(-2, 2, size=(3, 5)) + 0.05        # away from the kinks at 0, +-2.5
    w = rng.randn(3, 5)
    for name in ["relu", "elu", "softplus", "softsign", "hard_sigmoid", "softmax", "tanh"]:
        fn = activations.get(name)
        x = Tensor(x0, requires_grad=True)
        (fn(x) * Tensor(w)).sum().backward()
        num = np.zeros_like(x0)
        for idx in np.ndindex(x0.shape):
            d = np.zeros_like(x0)
            d[idx] = 1e-6
            num[idx] = ((fn(Tensor(x0 + d)).data * w).sum()
                        - (fn(Tensor(x0 - d)).data * w).sum()) / 2e-6
        np.testing.assert_allclose(x.grad, num, rtol=1e-5, atol=1e-7, err_msg=name)


def test_softplus_gradient_at_zero_is_one_half():
    x = Tensor(np.zeros(1), requires_grad=True)
    activations.softplus(x).sum().backward()
    assert x.grad[0] == pytest.approx(0.5)


def test_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match="Invalid activation function: 'rleu'.*relu"):
        activations.get("rleu")
    fn = lambda x: x * 2
    assert activations.get(fn) is fn
