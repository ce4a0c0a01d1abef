"""Second derivatives of every primitive, one line per op: the same case table as
``test_ops.py`` (broadcasting pairs included), each draw checked by
``gradgradcheck`` (see ``harness.check_case_second_order``).

``SECOND_ORDER_OPS`` is read by the meta-test in ``test_coverage.py``: every
primitive is in it or declares ``first_order_only = True``.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.autodiff.harness import check_case_second_order, covered_ops
from tests.autodiff.test_ops import CASES
from tests.autodiff.test_pool import AVG_CASE, MAX_CASE
from tinygrad_keras import Tensor, gradgradcheck
from tinygrad_keras.autodiff import functional as F

SECOND_ORDER_OPS = covered_ops(CASES) | {"MaxPool2D", "AvgPool2D", "Correlate2D",
                                         "CorrelateTranspose2D", "Correlate2DBias"}


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


CONV_CASES = [  # (x shape, w shape, stride, padding, dilation): small, every option used
    ((1, 2, 4, 4), (2, 2, 2, 2), (1, 1), ((0, 0), (0, 0)), (1, 1)),
    ((2, 1, 5, 5), (1, 1, 3, 2), (2, 1), ((1, 0), (0, 2)), (1, 1)),
    ((1, 1, 6, 5), (2, 1, 2, 2), (1, 2), ((0, 1), (1, 0)), (2, 1)),
]


@pytest.mark.parametrize("xs, ws, stride, padding, dilation", CONV_CASES)
@pytest.mark.parametrize("impl", ["shifted", "im2col", "scipy"])
def test_second_order_convolution(xs, ws, stride, padding, dilation, impl):
    rng = np.random.default_rng(5)
    x = Tensor(rng.standard_normal(xs), requires_grad=True)
    w = Tensor(rng.standard_normal(ws), requires_grad=True)
    assert gradgradcheck(lambda a, b: F.conv2d(a, b, stride, padding, dilation, impl=impl), x, w)
    y = Tensor(rng.standard_normal(F.conv2d(x, w, stride, padding, dilation).shape),
               requires_grad=True)
    assert gradgradcheck(lambda a, b: F.conv_transpose2d(a, b, xs[2:], stride, padding, dilation,
                                                         impl=impl), y, w)


@pytest.mark.parametrize("xs, ws, stride, padding, dilation", CONV_CASES)
@pytest.mark.parametrize("impl", ["shifted", "im2col"])
@pytest.mark.parametrize("relu", [False, True])
def test_second_order_convolution_with_bias_and_relu(xs, ws, stride, padding, dilation, impl,
                                                     relu):
    rng = np.random.default_rng(6)
    x = Tensor(rng.standard_normal(xs), requires_grad=True)
    w = Tensor(rng.standard_normal(ws), requires_grad=True)
    b = Tensor(rng.standard_normal(ws[0]), requires_grad=True)
    assert gradgradcheck(lambda a, c, d: F.conv2d(a, c, stride, padding, dilation, impl=impl,
                                                  bias=d, relu=relu), x, w, b)
