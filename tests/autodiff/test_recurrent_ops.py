"""The fused LSTM cell: forward equals the composite of elementary ops, gradients pass
gradcheck (float64), dtype is kept."""
import numpy as np
import pytest

from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.autodiff import functional as F
from tinygrad_keras.autodiff.gradcheck import gradcheck
from tinygrad_keras.autodiff.ops.recurrent import gru_gates, gru_output, lstm_cell

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


# ---- GRU ----------------------------------------------------------------------------------
def gru_composite(xz, hzr, hh_in_fn, h, gate):
    """One GRU step from elementary ops: returns (zrh, new h)."""
    act = F.sigmoid if gate == "sigmoid" else (lambda a: F.clip(a, 0.0, 1.0))
    s = act(xz[:, :2 * U] + hzr)
    zrh = F.concatenate([s[:, :U], s[:, U:] * h], axis=1)
    hh = F.tanh(xz[:, 2 * U:] + hh_in_fn(zrh[:, U:]))
    z = zrh[:, :U]
    return zrh, hh + z * (h - hh)


def gru_draw(seed):
    rng = np.random.RandomState(seed)
    xz, hzr, h = rng.uniform(-2, 2, (2, 3 * U)), rng.uniform(-1, 1, (2, 2 * U)), \
        rng.uniform(-1, 1, (2, U))
    Uh = rng.uniform(-1, 1, (U, U))
    if seed % 2:  # 'clip' cases: keep the pre-activations away from the kinks
        pre = xz[:, :2 * U] + hzr
        xz[:, :2 * U] += np.where(np.abs(pre) < 0.05, 0.1, 0) + np.where(np.abs(pre - 1) < 0.05,
                                                                         0.1, 0)
    return xz, hzr, h, Uh


def gru_fused(xz, hzr, h, Uh, gate):
    zrh = gru_gates(xz, hzr, h, gate)
    return gru_output(xz, zrh[:, U:] @ Uh, zrh, h)


@pytest.mark.parametrize("gate,seed", [("sigmoid", 0), ("clip", 1), ("sigmoid", 2), ("clip", 3)])
def test_gru_forward_equals_composite(gate, seed):
    xz, hzr, h, Uh = (Tensor(a) for a in gru_draw(seed))
    want = gru_composite(xz, hzr, lambda rh: rh @ Uh, h, gate)[1]
    np.testing.assert_allclose(gru_fused(xz, hzr, h, Uh, gate).data, want.data, rtol=1e-12)


@pytest.mark.parametrize("gate,seed", [("sigmoid", 0), ("clip", 1), ("sigmoid", 2), ("clip", 3)])
def test_grad_GRUGates(gate, seed):
    xz, hzr, h, _ = gru_draw(seed)
    assert gradcheck(lambda a, b, c: gru_gates(a, b, c, gate), Tensor(xz, requires_grad=True),
                     Tensor(hzr, requires_grad=True), Tensor(h, requires_grad=True))


@pytest.mark.parametrize("seed", [0, 1])
def test_grad_GRUOutput(seed):
    xz, hzr, h, _ = gru_draw(seed)
    zrh = np.concatenate([1 / (1 + np.exp(-hzr[:, :U])), hzr[:, U:]], axis=1)
    assert gradcheck(gru_output, Tensor(xz, requires_grad=True), Tensor(hzr[:, :U] * 2,
                     requires_grad=True), Tensor(zrh, requires_grad=True),
                     Tensor(h, requires_grad=True))


def test_gru_chain_gradient_equals_the_composite_gradient():
    arrays = gru_draw(0)
    grads = []
    for fused in (True, False):
        ts = [Tensor(a, requires_grad=True) for a in arrays]
        xz, hzr, h, Uh = ts
        if fused:
            out = gru_fused(xz, hzr, h, Uh, "sigmoid")
        else:
            out = gru_composite(xz, hzr, Uh.__rmatmul__, h, "sigmoid")[1]
        out.backward(np.arange(6.0).reshape(2, 3))
        grads.append([t.grad for t in ts])
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)
