"""The backward pass: topological order, gradient accumulation, unbroadcasting.

Kept apart from the Tensor so that a student can read the whole reverse-mode
algorithm on one screen:

1. ``toposort`` walks from the output to every node that needs a gradient,
   with an explicit stack (no recursion, so a 10 000-step chain is fine) and
   parents in recorded order (deterministic).
2. Going through that order backwards, each op's ``backward`` turns the
   gradient of its result into gradients of its parents.
3. ``unbroadcast`` sums each gradient back to its parent's shape, once, here,
   so that no op has to care about broadcasting.
4. Gradients of a node used twice are added up before the node is processed
   (in place, into a buffer the engine made itself: an RNN slices one tensor
   per timestep, and a fresh array per addition would cost T full copies).
   A backward may return a ``ScatterGrad`` -- "zero except ``values`` at
   ``index``" -- which is added into that buffer without ever being densified.
5. Leaves that require grad get the sum *added* to ``.grad`` (PyTorch style:
   call ``zero_grad()`` between steps); the graph is released as we go.
"""
from __future__ import annotations

import numpy as np


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched.

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
    return np.asarray(grad)  # a full sum gives a numpy scalar, not a 0-d array


def scatter_add_rows(out: np.ndarray, rows: np.ndarray, values: np.ndarray) -> None:
    """``out[rows] += values`` where repeated rows add up (an Embedding's gradient).

    Same result as ``np.add.at(out, rows, values)``, computed as a sort plus one
    ``np.add.reduceat`` over the runs of equal rows: several times faster than
    ``np.add.at`` for thousands of looked-up rows.
    """
    flat = rows.ravel()
    if flat.size == 0:
        return
    flat = np.where(flat < 0, flat + out.shape[0], flat)  # -1 and n-1 are the same row
    vals = values.reshape((flat.size,) + out.shape[1:])
    order = np.argsort(flat, kind="stable")
    sorted_rows = flat[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_rows[1:] != sorted_rows[:-1])))
    out[sorted_rows[starts]] += np.add.reduceat(vals[order], starts, axis=0)


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


def toposort(root) -> list:
    """Nodes reachable from ``root`` through recorded ops, parents before children."""
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        fn = node._fn
        if fn is not None:
            for parent in reversed(fn.parents):
                if parent.requires_grad and id(parent) not in visited:
                    stack.append((parent, False))
    return order


def _as_grad_tuple(fn, grads) -> tuple:
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != len(fn.parents):
        raise RuntimeError(f"{fn.name}.backward returned {len(grads)} gradients "
                           f"for {len(fn.parents)} inputs")
    return grads


def _store(node, g: np.ndarray, handed: set) -> None:
    """Accumulate ``g`` into ``node.grad``.  The first gradient is kept without a
    copy when this pass made it and gave it to nobody else (copying every weight
    gradient costs more than the bookkeeping); views, read-only broadcasts and
    arrays already handed out are copied, so ``.grad`` may be changed in place."""
    if node.grad is not None:
        node.grad = node.grad + g
    elif id(g) in handed or g.base is not None or not g.flags.writeable:
        node.grad = g.copy()
    else:
        node.grad = g
    handed.add(id(node.grad))


def _checked(fn, parent, pg):
    """``pg`` as a gradient of ``parent``'s shape and dtype (unbroadcast, cast)."""
    data = parent.data
    if type(pg) is ScatterGrad:
        if pg.shape != data.shape:
            raise AssertionError(f"{fn.name}.backward gave a scatter gradient of shape "
                                 f"{pg.shape} for an input of shape {data.shape}")
        return pg
    if type(pg) is not np.ndarray:
        pg = np.asarray(pg)
    if pg.shape != data.shape:
        pg = unbroadcast(pg, data.shape)
        if pg.shape != data.shape:
            raise AssertionError(f"{fn.name}.backward gave a gradient of shape "
                                 f"{pg.shape} for an input of shape {data.shape}")
    if pg.dtype != data.dtype:
        pg = pg.astype(data.dtype)
    return pg


def _accumulate(grads: dict, owned: set, parent, pg) -> None:
    """Add ``pg`` to the pending gradient of ``parent``.  Only buffers in ``owned``
    (made here, referenced nowhere else) are added into in place."""
    key = id(parent)
    old = grads.get(key)
    scatter = type(pg) is ScatterGrad
    if old is None:
        if scatter:
            pg = pg.dense(parent.data.dtype)
            owned.add(id(pg))
        grads[key] = pg
    elif id(old) in owned:
        pg.add_into(old) if scatter else np.add(old, pg, out=old)
    else:
        # asarray: adding two 0-d arrays gives a numpy scalar, which cannot be added into
        new = pg.add_into(old.copy()) if scatter else np.asarray(old + pg)
        owned.add(id(new))
        grads[key] = new


def backward(root, grad: np.ndarray, retain_graph: bool = False) -> None:
    """Propagate ``grad`` (d loss / d root) to every leaf below ``root``."""
    grads = {id(root): grad}
    handed = {id(grad)}  # the caller's array is never stored as a .grad
    owned = set()  # ids of pending buffers the engine made (alive in ``grads``)
    for node in reversed(toposort(root)):
        g = grads.pop(id(node), None)
        if g is not None:
            owned.discard(id(g))  # popped: never written into again
        fn = node._fn
        if fn is None:
            if g is not None and node.requires_grad:
                _store(node, g, handed)
            continue
        if node._retains_grad and g is not None:
            _store(node, g, handed)
        if g is None:
            continue
        parent_grads = _as_grad_tuple(fn, fn.backward(g))
        for parent, pg, needs in zip(fn.parents, parent_grads, fn.needs_grad):
            if not needs or pg is None:
                continue
            data = parent.data
            # fast path (most edges): an array of the right shape and dtype, first arrival
            if type(pg) is not np.ndarray or pg.shape != data.shape or pg.dtype != data.dtype:
                pg = _checked(fn, parent, pg)
            if type(pg) is np.ndarray and id(parent) not in grads:
                grads[id(parent)] = pg
            else:
                _accumulate(grads, owned, parent, pg)
        if not retain_graph:
            node._release()
