"""Where the engine adds up gradients: the speed paths, kept out of ``engine.py``.

The algorithm in ``engine.py`` only says "add this gradient to the pending sum of
that node" (``add``) and takes a node's finished sum out of ``pending`` when it
gets there.  Two classes keep the sums:

* ``TensorSums`` (``create_graph=True``): pending sums are Tensors and adding is
  the ``Add`` op, so the sum itself is recorded and can be differentiated.
* ``ArraySums`` (the ordinary pass): pending sums are numpy arrays, and three
  tricks make the common case cheap, none of which changes a number:

  1. the first gradient of a node is kept as it is, without a copy;
  2. later ones are added *in place* into a buffer the engine made itself
     (``owned``): an RNN slices one Tensor per timestep, and a fresh array per
     addition would cost T full copies;
  3. a backward may return a ``ScatterGrad`` -- "zero except ``values`` at
     ``index``" (``GetItem`` does) -- which is added into that buffer without
     ever building the mostly-zero array;
  4. when a *leaf*'s only gradient is a scatter of rows (an Embedding table's),
     it is not made dense at all: the leaf gets a ``RowGrad`` (``row_grad.py``),
     which ``Tensor.grad`` makes dense when read, and which plain SGD uses as is.

Both check each gradient against its input once: summed back to the input's
shape (``unbroadcast``) and cast to its dtype, with an error naming the op when
the shape cannot be right.
"""
from __future__ import annotations

import numpy as np

from .row_grad import RowGrad, coalesce_rows
from .tensor import Tensor


def unbroadcast(grad, shape: tuple):
    """Sum ``grad`` (an array or a Tensor) over the axes that broadcasting added or
    stretched, so that it has ``shape``.

    >>> unbroadcast(np.ones((4, 2, 3)), (2, 1)).tolist()
    [[12.0], [12.0]]
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    # a full numpy sum gives a numpy scalar, not a 0-d array
    return grad if isinstance(grad, Tensor) else np.asarray(grad)


def fit_to_input(fn, parent, pg):
    """``pg`` with ``parent``'s shape and dtype, or an error naming the op."""
    shape, dtype = parent.data.shape, parent.data.dtype
    if type(pg) is ScatterGrad:
        if pg.shape != shape:
            raise AssertionError(f"{fn.name}.backward gave a scatter gradient of shape "
                                 f"{pg.shape} for an input of shape {shape}")
        return pg
    if not isinstance(pg, (np.ndarray, Tensor)):
        pg = np.asarray(pg)
    if pg.shape != shape:
        pg = unbroadcast(pg, shape)
        if pg.shape != shape:
            raise AssertionError(f"{fn.name}.backward gave a gradient of shape "
                                 f"{pg.shape} for an input of shape {shape}")
    return pg if pg.dtype == dtype else pg.astype(dtype)


def scatter_add_rows(out: np.ndarray, rows: np.ndarray, values: np.ndarray) -> None:
    """``out[rows] += values`` where repeated rows add up (an Embedding's gradient).

    Same result as ``np.add.at(out, rows, values)`` (the repeats are summed in the
    same order, by ``coalesce_rows``), several times faster for thousands of rows.
    """
    if rows.size == 0:
        return
    unique, sums = coalesce_rows(rows, values, out.shape[0])
    out[unique] += sums


class ScatterGrad:
    """A gradient that is zero except at ``index``, where it is ``values``.

    ``GetItem.backward`` returns one, so that slicing a tensor T times costs one
    zero buffer, not T.  ``basic`` indices (ints, slices, None, Ellipsis) select
    each element at most once; others (integer arrays) may repeat and add up.
    """

    __slots__ = ("basic", "index", "shape", "values")

    def __init__(self, shape: tuple, index, values: np.ndarray, basic: bool):
        self.shape, self.index, self.values, self.basic = shape, index, values, basic

    def add_into(self, out: np.ndarray) -> np.ndarray:
        if self.basic:
            out[self.index] += self.values
        elif isinstance(self.index, np.ndarray) and self.index.dtype.kind in "iu":
            scatter_add_rows(out, self.index, self.values)
        else:
            np.add.at(out, self.index, self.values)
        return out

    def dense(self, dtype) -> np.ndarray:
        return self.add_into(np.zeros(self.shape, dtype=dtype))

    def is_rows(self) -> bool:
        """Whether this scatters whole rows by an integer array (an Embedding lookup)."""
        return (not self.basic and isinstance(self.index, np.ndarray)
                and self.index.dtype.kind in "iu")


class TensorSums:
    """Pending gradients as Tensors (``create_graph=True``): every addition is recorded."""

    def __init__(self):
        self.pending = {}
        self.owned = set()  # never used: Tensors are not added into in place

    def add(self, fn, parent, pg) -> None:
        if type(pg) is ScatterGrad:
            pg = Tensor(pg.dense(parent.data.dtype))
        pg = fit_to_input(fn, parent, pg)
        old = self.pending.get(id(parent))
        self.pending[id(parent)] = pg if old is None else old + pg


class ArraySums:
    """Pending gradients as numpy arrays, added in place where that is safe.

    With ``keep_rows`` (a ``backward()`` that stores ``.grad``, not a ``grad()``
    call), a leaf whose only gradient is a row scatter (an Embedding table's) keeps
    it as it came; ``store_grad`` hands it to the leaf as a ``RowGrad``."""

    def __init__(self, keep_rows: bool = False):
        self.pending = {}
        self.owned = set()  # ids of pending buffers made here and referenced nowhere else
        self.keep_rows = keep_rows

    def add(self, fn, parent, pg) -> None:
        data = parent.data
        if type(pg) is not np.ndarray or pg.shape != data.shape or pg.dtype != data.dtype:
            pg = fit_to_input(fn, parent, pg)
        key = id(parent)
        old = self.pending.get(key)
        if old is None and type(pg) is np.ndarray:  # most edges: first arrival, kept as is
            self.pending[key] = pg
            return
        scatter = type(pg) is ScatterGrad
        if old is None:
            if scatter and self.keep_rows and parent._fn is None and pg.is_rows():
                self.pending[key] = pg  # a leaf's rows: not made dense (row_grad.py)
                return
            pg = pg.dense(data.dtype)
            self.owned.add(id(pg))
            self.pending[key] = pg
            return
        if type(old) is ScatterGrad:  # kept rows, and now a second gradient: go dense
            old = old.dense(data.dtype)
            self.owned.add(id(old))
            self.pending[key] = old
        if id(old) in self.owned:
            pg.add_into(old) if scatter else np.add(old, pg, out=old)
        else:
            # asarray: adding two 0-d arrays gives a numpy scalar, which cannot be added into
            new = pg.add_into(old.copy()) if scatter else np.asarray(old + pg)
            self.owned.add(id(new))
            self.pending[key] = new


def store_grad(node, g, handed: set) -> None:
    """Add ``g`` into ``node.grad`` (always a numpy array the user may change in place).

    The first gradient is kept without a copy when this pass made it and gave it
    to nobody else (copying every weight gradient costs more than this
    bookkeeping); views, read-only broadcasts and arrays already handed out are
    copied."""
    if type(g) is ScatterGrad:  # rows kept for a leaf (ArraySums.keep_rows)
        g = RowGrad.summed(g.shape, g.index, g.values, node.data.dtype)
        if node._grad is None:
            node.grad = g  # made dense by Tensor.grad if anyone reads it
            return
        g = g.dense()
    if isinstance(g, Tensor):
        g = g.data
        handed.add(id(g))  # the gradient Tensor keeps using this array
    if node._grad is not None:
        g = node.grad + g
    elif id(g) in handed or g.base is not None or not g.flags.writeable:
        g = g.copy()
    node.grad = g
    handed.add(id(g))
