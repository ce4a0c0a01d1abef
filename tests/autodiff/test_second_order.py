"""Second derivatives of every primitive, one line per op: the same case table as
``test_ops.py`` (broadcasting pairs included), each draw checked by
``gradgradcheck`` (see ``harness.check_case_second_order``).

``SECOND_ORDER_OPS`` is read by the meta-test in ``test_coverage.py``: every
primitive is in it or declares ``first_order_only = True``.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.autodiff.harness import check_case_second_order, covered_ops
from tests.autodiff.test_ops import CASES
from tests.autodiff.test_pool import AVG_CASE, MAX_CASE

SECOND_ORDER_OPS = covered_ops(CASES) | {"MaxPool2D", "AvgPool2D"}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@settings(max_examples=12)
@given(data=st.data())
def test_second_order(case, data):
    check_case_second_order(case, data.draw(case.draw))


@pytest.mark.parametrize("case", [MAX_CASE, AVG_CASE], ids=lambda c: c.name)
@settings(max_examples=6)
@given(data=st.data())
def test_second_order_pooling(case, data):
    check_case_second_order(case, data.draw(case.draw))
