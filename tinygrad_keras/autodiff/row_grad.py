"""Gradients that are zero except on some rows: an Embedding's, kept sparse for the optimizer.

An Embedding looks up at most ``B * T`` rows of its ``(V, d)`` table per batch (2 560
of 20 000 in the benchmark), so d loss / d table is zero on every other row.  Making
it a dense ``(V, d)`` array costs a zero fill and a scatter per step, and an
optimizer whose rule leaves zero-gradient rows exactly as they were (plain SGD) then
walks the whole table for nothing.

So the engine hands such a leaf a ``RowGrad`` -- the looked-up ``rows`` (sorted,
each once) and their summed gradients -- instead of the dense array, and
``Tensor.grad`` turns it into the dense array the first time anyone reads it: a
reader of ``.grad`` always sees the right numbers.  An optimizer that can use the
rows directly reads them with ``row_grad_of`` without making them dense.

Summing the repeats (``coalesce_rows``) goes through each run of equal rows in the
order the rows came, as ``np.add.at`` does, so the sums are its sums.
"""
from __future__ import annotations

import numpy as np

_SHORT_RUN = 8  # runs of a repeated row up to this long are summed a step at a time


def coalesce_rows(rows: np.ndarray, values: np.ndarray, n: int) -> tuple:
    """``(unique_rows, sums)``: ``values`` summed over equal entries of ``rows``.

    ``rows`` holds integer indices into ``n`` rows (any shape; negative ones count
    from the end); ``values`` has shape ``rows.shape + row_shape``.  Returns the
    distinct rows, sorted, ``(k,)``, and their sums ``(k,) + row_shape``.

    >>> r, s = coalesce_rows(np.array([3, 1, 3]), np.array([[1.0], [2.0], [4.0]]), 5)
    >>> r.tolist(), s.tolist()
    ([1, 3], [[2.0], [5.0]])
    """
    flat = rows.ravel()
    if flat.size and flat.min() < 0:
        flat = np.where(flat < 0, flat + n, flat)  # -1 and n-1 are the same row
    vals = values.reshape((flat.size,) + values.shape[rows.ndim:])
    if flat.size == 0:
        return flat.astype(np.intp), vals.copy()
    # equal rows stay in the order they came; row numbers that fit 16 bits are sorted
    # as such, by numpy's radix sort (~8x faster than int64's merge sort for an
    # Embedding's 2 560 rows: the same order, as the sort is stable)
    keys = flat.astype(np.uint16) if n <= 1 << 16 else flat
    order = np.argsort(keys, kind="stable")
    sorted_rows = flat[order]
    new_run = np.empty(flat.size, dtype=bool)
    new_run[0] = True
    np.not_equal(sorted_rows[1:], sorted_rows[:-1], out=new_run[1:])
    starts = np.flatnonzero(new_run)
    lengths = np.diff(np.append(starts, flat.size))
    sums = vals[order[starts]]  # each run's first value (a copy we own)
    _add_repeats(sums, vals, order, starts, lengths)
    return sorted_rows[starts], sums


def _add_repeats(sums, vals, order, starts, lengths) -> None:
    """Add the 2nd, 3rd ... value of every run into ``sums``, in arrival order.

    Short runs: one vectorised addition per position in the run (a handful of passes
    when words repeat a few times).  Long runs (a padding index, a frequent word) are
    summed each in one call, so the passes never number more than ``_SHORT_RUN``."""
    for j in np.flatnonzero(lengths > _SHORT_RUN):
        run = order[starts[j]:starts[j] + lengths[j]]
        sums[j] = np.add.reduce(vals[run], axis=0)
    live = np.flatnonzero((lengths > 1) & (lengths <= _SHORT_RUN))
    k = 1
    while live.size:
        sums[live] += vals[order[starts[live] + k]]
        k += 1
        live = live[lengths[live] > k]


class RowGrad:
    """A gradient of shape ``shape`` that is zero except on ``rows`` (sorted, distinct,
    ``(k,)``), which hold ``values`` ``(k,) + shape[1:]``.  It owns both arrays."""

    __slots__ = ("rows", "shape", "values")

    def __init__(self, shape: tuple, rows: np.ndarray, values: np.ndarray):
        self.shape, self.rows, self.values = shape, rows, values

    @classmethod
    def summed(cls, shape: tuple, rows: np.ndarray, values: np.ndarray, dtype) -> RowGrad:
        """From looked-up ``rows`` (repeats allowed) and their gradients ``values``."""
        unique, sums = coalesce_rows(rows, values, shape[0])
        return cls(shape, unique, sums.astype(dtype, copy=False))

    def dense(self) -> np.ndarray:
        """The whole gradient as an array of ``shape``."""
        out = np.zeros(self.shape, dtype=self.values.dtype)
        out[self.rows] += self.values  # += as a scatter-add would (0 + v, also for -0.0)
        return out


def row_grad_of(tensor) -> RowGrad | None:
    """``tensor``'s gradient as a ``RowGrad`` if the engine left it as rows (and nothing
    has read ``.grad`` since), else None; never makes it dense."""
    g = tensor._grad
    return g if type(g) is RowGrad else None


def row_grads_of(tensors: list) -> list | None:
    """``row_grad_of`` of each of ``tensors``, or None when none of them has rows (the
    optimizer asks at every step; one loop instead of a call per tensor)."""
    rows = None
    for i, t in enumerate(tensors):
        if type(t._grad) is RowGrad:
            if rows is None:
                rows = [None] * len(tensors)
            rows[i] = t._grad
    return rows


def has_grad(tensor) -> bool:
    """Whether ``tensor`` holds a gradient, without making a ``RowGrad`` dense."""
    return tensor._grad is not None


def without_grad(tensors) -> list:
    """Those of ``tensors`` that hold no gradient (``has_grad`` of each, in one call)."""
    return [t for t in tensors if t._grad is None]


def clear_grads(tensors) -> None:
    """``t.grad = None`` for each of ``tensors`` (in one call: done at every training step)."""
    for t in tensors:
        t._grad = None
