"""Hypothesis strategies for property-testing Tensor ops (needs ``hypothesis``).

A learner who wrote an op can test it in a few lines::

    from hypothesis import given
    from tinygrad_keras import gradcheck
    from tinygrad_keras.testing import strategies as tst

    @given(tst.tensors(domain="positive"))
    def test_my_log(x):
        assert gradcheck(lambda t: MyLog.apply(t), x)

Domains name where an op is smooth, so the finite differences of ``gradcheck``
are meaningful:

==============  =====================================================
``"real"``      any value in ``[-bound, bound]``
``"positive"``  ``[margin, bound]`` (log, sqrt, a ** b)
``"nonzero"``   ``|x| >= margin`` (division, abs: away from the kink)
``"unit"``      ``(-1 + margin, 1 - margin)`` (arcsin-like ops)
==============  =====================================================
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..autodiff.tensor import Tensor

DOMAINS = ("real", "positive", "nonzero", "unit")


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
           max_side: int = 4) -> st.SearchStrategy:
    """Array shapes (tuples), size-1 axes included."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcastable_shapes(num_shapes: int = 2, min_dims: int = 0, max_dims: int = 3,
                         max_side: int = 4) -> st.SearchStrategy:
    """Tuples of ``num_shapes`` shapes that broadcast together (numpy rules),
    including missing leading axes and stretched size-1 axes."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, max_side=max_side
    ).map(lambda s: s.input_shapes)


def floats(domain: str = "real", bound: float = 3.0, margin: float = 0.1) -> st.SearchStrategy:
    """Finite float64 scalars inside ``domain`` (see the module docstring)."""
    if domain == "real":
        return st.floats(-bound, bound, allow_nan=False, allow_infinity=False)
    if domain == "positive":
        return st.floats(margin, bound, allow_nan=False, allow_infinity=False)
    if domain == "nonzero":
        mag = st.floats(margin, bound, allow_nan=False, allow_infinity=False)
        return st.tuples(st.sampled_from((-1.0, 1.0)), mag).map(lambda p: p[0] * p[1])
    if domain == "unit":
        return st.floats(-1 + margin, 1 - margin, allow_nan=False, allow_infinity=False)
    raise ValueError(f"floats: unknown domain {domain!r}; expected one of {DOMAINS}")


def arrays(shape=None, domain: str = "real", bound: float = 3.0, margin: float = 0.1,
           dtype=np.float64) -> st.SearchStrategy:
    """numpy arrays of ``dtype`` with values in ``domain``; ``shape`` is a tuple or
    a strategy of tuples (default: ``shapes()``)."""
    return hnp.arrays(dtype, shapes() if shape is None else shape,
                      elements=floats(domain, bound, margin))


def tensors(shape=None, domain: str = "real", bound: float = 3.0, margin: float = 0.1,
            dtype=np.float64, requires_grad: bool = True) -> st.SearchStrategy:
    """Tensors (float64 and requiring grad by default) built on ``arrays``."""
    return arrays(shape, domain, bound, margin, dtype).map(
        lambda a: Tensor(a, requires_grad=requires_grad))


def away_from(values, points=(0.0,), margin: float = 1e-3) -> bool:
    """True when no element of ``values`` is within ``margin`` of any of ``points``:
    use with ``hypothesis.assume`` to keep finite differences off a kink."""
    arr = np.asarray(values.data if isinstance(values, Tensor) else values)
    return all(bool(np.all(np.abs(arr - p) > margin)) for p in points)


def well_separated(values, margin: float = 1e-3) -> bool:
    """True when all elements differ pairwise by more than ``margin`` (so a max,
    min or sort has no near-tie that central differences would straddle)."""
    flat = np.sort(np.asarray(values.data if isinstance(values, Tensor) else values).ravel())
    return flat.size < 2 or bool(np.min(np.diff(flat)) > margin)
