"""Constraints: the 1.2.2 formulas against numpy, config, aliases, lookup."""
import numpy as np
import pytest

from tinygrad_keras import backend as K
from tinygrad_keras import constraints
from tinygrad_keras.autodiff import Tensor

P = np.random.RandomState(0).randn(4, 3).astype(np.float32) * 3


def _norm(p, axis):
    return np.sqrt(np.sum(p ** 2, axis=axis, keepdims=True))


@pytest.mark.parametrize("axis", [0, 1])
def test_maxnorm(axis):
    out = constraints.MaxNorm(m=2, axis=axis)(Tensor(P)).data
    n = _norm(P, axis)
    np.testing.assert_allclose(out, P * np.clip(n, 0, 2) / (n + K.epsilon()), rtol=1e-5)
    assert np.all(_norm(out, axis) <= 2 + 1e-5)


def test_maxnorm_leaves_small_weights_alone():
    small = P / 100
    np.testing.assert_allclose(constraints.MaxNorm(m=2)(Tensor(small)).data, small, rtol=1e-5)


def test_nonneg():
    np.testing.assert_array_equal(constraints.NonNeg()(Tensor(P)).data, np.maximum(P, 0))


def test_unitnorm():
    out = constraints.UnitNorm(axis=0)(Tensor(P)).data
    np.testing.assert_allclose(_norm(out, 0), np.ones((1, 3)), rtol=1e-5)


@pytest.mark.parametrize("rate", [1.0, 0.5])
def test_minmaxnorm(rate):
    out = constraints.MinMaxNorm(low=1.0, high=2.0, rate=rate, axis=0)(Tensor(P)).data
    n = _norm(P, 0)
    desired = rate * np.clip(n, 1.0, 2.0) + (1 - rate) * n
    np.testing.assert_allclose(out, P * desired / (n + K.epsilon()), rtol=1e-5)


def test_constraint_keeps_dtype():
    assert constraints.MaxNorm()(Tensor(P)).dtype == np.float32
    assert constraints.NonNeg()(Tensor(P.astype(np.float64))).dtype == np.float64


def test_aliases_config_and_get():
    assert constraints.maxnorm is constraints.MaxNorm
    assert constraints.nonneg is constraints.NonNeg
    assert constraints.unitnorm is constraints.UnitNorm
    c = constraints.MaxNorm(m=3, axis=1)
    assert c.get_config() == {"name": "MaxNorm", "m": 3, "axis": 1}
    again = constraints.get(c.get_config())
    assert (type(again), again.m, again.axis) == (constraints.MaxNorm, 3, 1)
    assert isinstance(constraints.get("maxnorm"), constraints.MaxNorm)
    assert isinstance(constraints.get("nonneg"), constraints.NonNeg)
    assert constraints.get(c) is c and constraints.get(None) is None
    assert constraints.MinMaxNorm(0.5, 1.5, 0.7, 1).get_config() == {
        "name": "MinMaxNorm", "low": 0.5, "high": 1.5, "rate": 0.7, "axis": 1}
    with pytest.raises(ValueError, match="Invalid constraint: 'max_norm'.*maxnorm"):
        constraints.get("max_norm")
