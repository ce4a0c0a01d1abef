"""An Embedding table's gradient kept as rows (``row_grad.py``): the sums equal
``np.add.at``, and everyone who reads the gradient (``.grad``, ``grad()``, a second
contribution, a second backward, ``create_graph``) sees the dense value."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_keras.autodiff import Tensor, grad
from tinygrad_keras.autodiff.row_grad import _SHORT_RUN, RowGrad, coalesce_rows, row_grad_of

INDEX = np.array([[0, 3, 0], [-1, 2, 0]])


def dense_reference(table_shape, rows, values):
    expected = np.zeros(table_shape, dtype=values.dtype)
    np.add.at(expected, rows, values)
    return expected


@given(n=st.integers(1, 6), d=st.integers(1, 3), seed=st.integers(0, 1000),
       rows=st.lists(st.integers(-6, 5), max_size=3 * _SHORT_RUN + 4))
def test_coalesce_equals_np_add_at_exactly(n, d, rows, seed):
    """Repeats are summed in arrival order, as np.add.at does: the same bits (long runs
    of one row, past _SHORT_RUN, included)."""
    rows = np.array([r % n if r >= 0 else -((-r - 1) % n) - 1 for r in rows], dtype=np.int64)
    values = np.random.default_rng(seed).standard_normal((rows.size, d)).astype(np.float32)
    unique, sums = coalesce_rows(rows, values, n)
    assert np.all(np.diff(unique) > 0)
    got = np.zeros((n, d), np.float32)
    got[unique] = sums
    np.testing.assert_array_equal(got, dense_reference((n, d), rows, values))


@pytest.mark.parametrize("n", [1 << 16, (1 << 16) + 5])  # 16-bit sort keys, and too many rows
def test_coalesce_at_the_edge_of_the_16_bit_sort(n):
    rng = np.random.default_rng(n)
    rows = np.concatenate([[n - 1, 0, n - 1, -1], rng.integers(-n, n, 200), [65535, 65535]])
    values = rng.standard_normal((rows.size, 2)).astype(np.float32)
    unique, sums = coalesce_rows(rows, values, n)
    expected = dense_reference((n, 2), rows, values)
    np.testing.assert_array_equal(unique, np.flatnonzero(np.any(expected != 0, axis=1)))
    np.testing.assert_array_equal(sums, expected[unique])


def test_a_lookup_leaves_rows_and_grad_reads_them_dense():
    table = Tensor(np.zeros((5, 2), np.float32), requires_grad=True)
    weights = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    (table[INDEX] * Tensor(weights)).sum().backward()
    rows = row_grad_of(table)
    assert isinstance(rows, RowGrad) and rows.rows.tolist() == [0, 2, 3, 4]
    expected = dense_reference((5, 2), INDEX, weights)
    g = table.grad
    assert isinstance(g, np.ndarray) and g.dtype == np.float32
    np.testing.assert_array_equal(g, expected)
    assert row_grad_of(table) is None and table.grad is g  # dense from now on, kept


def test_rows_own_their_arrays():
    """Changing the index or the upstream values after backward changes nothing."""
    table = Tensor(np.zeros((5, 2)), requires_grad=True)
    idx = INDEX.copy()
    table[idx].sum().backward()
    idx[:] = 1
    np.testing.assert_array_equal(table.grad[:, 0], [3, 0, 1, 1, 1])


def test_a_second_contribution_makes_it_dense():
    table = Tensor(np.ones((5, 2)), requires_grad=True)
    (table[INDEX].sum() + (table * 2.0).sum()).backward()
    assert row_grad_of(table) is None
    np.testing.assert_array_equal(table.grad[:, 0], [5, 2, 3, 3, 3])


def test_two_backwards_accumulate():
    table = Tensor(np.ones((5, 2)), requires_grad=True)
    table[INDEX].sum().backward()
    table[INDEX[:1]].sum().backward()
    np.testing.assert_array_equal(table.grad[:, 0], [5, 0, 1, 2, 1])


def test_what_grad_returns_is_dense_with_or_without_create_graph():
    table = Tensor(np.ones((5, 2)), requires_grad=True)
    (g,) = grad(table[INDEX].sum(), [table])
    np.testing.assert_array_equal(np.asarray(g.data)[:, 0], [3, 0, 1, 1, 1])
    (g2,) = grad((table[INDEX] ** 2).sum(), [table], create_graph=True)
    np.testing.assert_array_equal(g2.data[:, 0], [6, 0, 2, 2, 2])
    assert table.grad is None


def test_an_intermediate_gets_a_dense_gradient():
    """Only leaves keep rows; an op's backward always receives an array."""
    table = Tensor(np.ones((5, 2)), requires_grad=True)
    ((table * 3.0)[INDEX]).sum().backward()
    np.testing.assert_array_equal(table.grad[:, 0], [9, 0, 3, 3, 3])


def test_a_slice_is_not_kept_as_rows():
    table = Tensor(np.ones((5, 2)), requires_grad=True)
    table[1:3].sum().backward()
    assert row_grad_of(table) is None
    np.testing.assert_array_equal(table.grad[:, 0], [0, 1, 1, 0, 0])
