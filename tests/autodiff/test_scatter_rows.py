"""The Embedding-style scatter-add fast path equals np.add.at (repeats, negatives, shapes)."""
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_keras import Tensor
from tinygrad_keras.autodiff.engine import scatter_add_rows


@given(n=st.integers(1, 6), d=st.integers(1, 3), rows=st.lists(st.integers(-6, 5), max_size=12),
       seed=st.integers(0, 1000))
def test_equals_np_add_at(n, d, rows, seed):
    rows = np.array([r % n if r >= 0 else -((-r - 1) % n) - 1 for r in rows], dtype=np.int64)
    values = np.random.default_rng(seed).standard_normal((rows.size, d))
    expected = np.zeros((n, d))
    np.add.at(expected, rows, values)
    got = np.zeros((n, d))
    scatter_add_rows(got, rows, values)
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_gather_gradient_counts_every_repeat():
    table = Tensor(np.zeros((4, 2)), requires_grad=True)
    idx = np.array([[0, 3, 0], [-1, 2, 0]])
    table[idx].sum().backward()
    np.testing.assert_array_equal(table.grad[:, 0], [3, 0, 1, 2])
