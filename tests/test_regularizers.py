"""Regularizers: the L1/L2 penalty, factories and their defaults, config, lookup."""
import numpy as np
import pytest

from tinygrad_keras import regularizers
from tinygrad_keras.autodiff import Tensor

W = np.array([[0.5, -2.0], [1.5, 0.0]], dtype=np.float32)


def test_l1l2_penalty_and_gradient():
    w = Tensor(W, requires_grad=True)
    penalty = regularizers.L1L2Regularizer(l1=0.1, l2=0.3)(w)
    assert float(penalty) == pytest.approx(0.1 * 4.0 + 0.3 * 6.5, rel=1e-6)
    penalty.backward()
    np.testing.assert_allclose(w.grad, 0.1 * np.sign(W) + 0.6 * W, rtol=1e-6)


@pytest.mark.parametrize("factory,l1,l2", [
    (regularizers.l1, 0.01, 0.0), (regularizers.l2, 0.0, 0.01),
    (regularizers.l1l2, 0.01, 0.01), (regularizers.activity_l1, 0.01, 0.0),
    (regularizers.activity_l2, 0.0, 0.01), (regularizers.activity_l1l2, 0.01, 0.01),
])
def test_factories_default_to_0_01(factory, l1, l2):
    reg = factory()
    assert (reg.l1, reg.l2) == (pytest.approx(l1), pytest.approx(l2))
    expected = l1 * np.abs(W).sum() + l2 * np.square(W).sum()
    assert float(reg(Tensor(W))) == pytest.approx(expected, rel=1e-6)


def test_activity_penalty_sums_over_the_batch():
    batch = np.ones((8, 3), dtype=np.float32)
    assert float(regularizers.activity_l2(0.5)(Tensor(batch))) == pytest.approx(0.5 * 24)


def test_penalty_is_a_scalar_of_the_weight_dtype():
    out = regularizers.l2(0.1)(Tensor(W.astype(np.float64)))
    assert out.shape == () and out.dtype == np.float64
    assert float(regularizers.L1L2Regularizer()(Tensor(W))) == 0.0


def test_config_round_trip_and_aliases():
    reg = regularizers.l1l2(l1=0.2, l2=0.05)
    config = reg.get_config()
    assert config == {"name": "L1L2Regularizer", "l1": pytest.approx(0.2), "l2": pytest.approx(0.05)}
    again = regularizers.get(config)
    assert (again.l1, again.l2) == (reg.l1, reg.l2)
    assert regularizers.WeightRegularizer is regularizers.ActivityRegularizer \
        is regularizers.L1L2Regularizer


def test_get():
    reg = regularizers.get("l2")
    assert isinstance(reg, regularizers.L1L2Regularizer) and reg.l2 == pytest.approx(0.01)
    assert regularizers.get(reg) is reg
    assert regularizers.get(None) is None
    assert regularizers.get("l1", kwargs={"l": 0.3}).l1 == pytest.approx(0.3)
    with pytest.raises(ValueError, match="Invalid regularizer: 'l3'.*l1l2"):
        regularizers.get("l3")


def test_eigenvalue_regularizer_is_k_times_the_spectral_norm():
    w = np.random.RandomState(0).randn(6, 4)
    reg = regularizers.EigenvalueRegularizer(0.5)
    penalty = reg(Tensor(w))
    assert float(penalty) == pytest.approx(0.5 * np.linalg.norm(w, 2), rel=1e-3)
    assert regularizers.get(reg.get_config()).k == 0.5
    with pytest.raises(ValueError, match="rank 2"):
        reg(Tensor(np.ones(3)))
