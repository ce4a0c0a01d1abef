"""The public hypothesis strategies draw what they promise."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_keras import Tensor
from tinygrad_keras.testing import strategies as tst


@given(tst.shapes(min_dims=1, max_dims=3, max_side=4))
def test_shapes_respect_their_bounds(shape):
    assert 1 <= len(shape) <= 3 and all(1 <= n <= 4 for n in shape)


@given(tst.broadcastable_shapes(3))
def test_broadcastable_shapes_broadcast(shapes):
    assert len(shapes) == 3
    np.broadcast_shapes(*shapes)  # raises if they do not


@pytest.mark.parametrize("domain,ok", [
    ("real", lambda a: np.all(np.abs(a) <= 3)),
    ("positive", lambda a: np.all(a >= 0.1)),
    ("nonzero", lambda a: np.all(np.abs(a) >= 0.1)),
    ("unit", lambda a: np.all(np.abs(a) < 1)),
])
@given(data=st.data())
def test_arrays_stay_inside_their_domain(domain, ok, data):
    a = data.draw(tst.arrays(domain=domain))
    assert a.dtype == np.float64 and np.isfinite(a).all() and ok(a)


@given(tst.tensors(shape=(2, 3), domain="positive"))
def test_tensors_require_grad_in_float64(t):
    assert isinstance(t, Tensor) and t.requires_grad and t.dtype == np.float64
    assert t.shape == (2, 3)


def test_unknown_domain_is_named():
    with pytest.raises(ValueError, match="'complex'"):
        tst.floats("complex")


def test_kink_filters():
    assert tst.away_from(np.array([0.5, -0.5])) and not tst.away_from(np.array([1e-4]))
    assert tst.away_from(Tensor([2.0]), points=(1.0, -1.0), margin=0.5)
    assert tst.well_separated(np.array([1.0, 2.0])) and not tst.well_separated([1.0, 1.0])
