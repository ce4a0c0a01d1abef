"""The fused LSTM cell: forward equals the composite of elementary ops, gradients pass
gradcheck (float64), dtype is kept."""
import numpy as np
import pytest

from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.autodiff import functional as F
from tinygrad_keras.autodiff.gradcheck import gradcheck
from tinygrad_keras.autodiff.ops.recurrent import lstm_cell

U = 3


def composite(z, hc, gate):
    """The same step written with elementary ops (the reference)."""
    act = F.sigmoid if gate == "sigmoid" else (lambda a: F.clip(a, 0.0, 1.0))
    s = act(z[:, :3 * U])
    g = F.tanh(z[:, 3 * U:])
    c = s[:, U:2 * U] * hc[:, U:] + s[:, :U] * g
    return F.concatenate([s[:, 2 * U:] * F.tanh(c), c], axis=1)


def draw(seed, scale=2.0):
    rng = np.random.RandomState(seed)
    return rng.uniform(-scale, scale, (2, 4 * U)), rng.uniform(-1, 1, (2, 2 * U))


def cell(z, hc, gate):
    """The cell with ``z`` split into an input part and a recurrent part."""
    return lstm_cell(z * 0.25, z * 0.75, hc, gate)


@pytest.mark.parametrize("gate", ["sigmoid", "clip"])
def test_forward_equals_composite(gate):
    z, hc = draw(0)
    np.testing.assert_allclose(cell(Tensor(z), Tensor(hc), gate).data,
                               composite(Tensor(z), Tensor(hc), gate).data, rtol=1e-12)


@pytest.mark.parametrize("gate", ["sigmoid", "clip"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_grad_LSTMCell(gate, seed):
    z, hc = draw(seed)
    if gate == "clip":  # keep away from the kinks at 0 and 1
        pre = z[:, :3 * U]
        pre[np.abs(pre) < 0.05] += 0.1
        pre[np.abs(pre - 1) < 0.05] += 0.1
    xz, hz = z * 0.3, z * 0.7
    assert gradcheck(lambda a, b, c: lstm_cell(a, b, c, gate), Tensor(xz, requires_grad=True),
                     Tensor(hz, requires_grad=True), Tensor(hc, requires_grad=True))


def test_gradient_equals_the_composite_gradient():
    z, hc = draw(3)
    grads = []
    for fn in (lambda a, b: cell(a, b, "sigmoid"), lambda a, b: composite(a, b, "sigmoid")):
        a, b = Tensor(z, requires_grad=True), Tensor(hc, requires_grad=True)
        fn(a, b).backward(np.arange(12.0).reshape(2, 6))
        grads.append((a.grad, b.grad))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-10)
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-10, atol=1e-14)


def test_dtype_kept_and_bad_gate_named():
    z, hc = draw(0)
    out = cell(Tensor(z.astype("float32")), Tensor(hc.astype("float32")), "clip")
    assert out.dtype == np.float32
    with pytest.raises(ValueError, match="gate must be"):
        cell(Tensor(z), Tensor(hc), "relu")
