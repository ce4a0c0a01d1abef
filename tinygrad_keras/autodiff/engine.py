"""The backward pass: reverse-mode differentiation over the recorded graph.

The whole algorithm is ``run_backward`` below:

1. ``toposort`` lists every node that leads to the outputs through ops that
   need a gradient, parents before children, with an explicit stack (no
   recursion: a 10 000-step chain is fine) and parents in recorded order
   (deterministic).
2. Walking that list backwards, a node's gradient is complete when we reach it
   (every consumer came earlier), so we hand it to the node's op: its
   ``backward`` turns d loss / d result into d loss / d parent, one per parent
   (the chain rule: upstream gradient times the local derivative).
3. Each parent's gradient is summed back to the parent's shape
   (``unbroadcast``) and added to what the parent already received from its
   other consumers (a node used twice gets both contributions).
4. Leaves get their sums *added* to ``.grad`` (PyTorch style: call
   ``zero_grad()`` between steps), at the end, so a pass that fails leaves every
   ``.grad`` as it was.  Unless ``retain_graph``, each node lets go of its op
   once done, which frees the graph as we go.

**Gradients are Tensors too.**  With ``create_graph=True`` the same loop runs on
Tensors: each op's backward is written once with operations that work on numpy
arrays and on Tensors (``function.py``), so under ``create_graph`` it records a
graph of its own and the gradient can be differentiated again, to any order.
``grad()`` returns those gradients; ``Tensor.backward`` stores plain arrays.

How the pending sums are kept (and the in-place tricks that make the ordinary
pass fast) lives in ``gradient_sums.py``, apart from the algorithm.
"""
from __future__ import annotations

import numpy as np

from .first_order import is_first_order_only, wrap_array_gradients
from .grad_mode import enable_grad
from .gradient_sums import (  # noqa: F401
    ArraySums,
    ScatterGrad,
    TensorSums,
    scatter_add_rows,
    store_grad,
    unbroadcast,
)

RETAIN_HINT = ("pass retain_graph=True to the backward() (or grad()) that ran first, "
               "or compute the forward again")


def toposort(roots) -> list:
    """Nodes reachable from ``roots`` (a Tensor or a list) through recorded ops that
    need a gradient, parents before children."""
    return _toposort(roots if isinstance(roots, (list, tuple)) else [roots])[0]


def _toposort(roots: list) -> tuple:
    """``(order, released)``: the order, and the results reached whose op an earlier
    backward already let go of (their part of the graph is gone).

    A node goes on the stack twice: once to visit its parents, once (``expanded``) to
    be placed after them.  A leaf has no parents, so it is placed at its first visit."""
    order, visited, released = [], set(), []
    stack = [(root, False) for root in reversed(roots)]
    place, seen, push = order.append, visited.add, stack.append
    while stack:
        node, expanded = stack.pop()
        if expanded:
            place(node)
            continue
        key = id(node)
        if key in visited:
            continue
        seen(key)
        fn = node._fn
        if fn is None:
            if node._op_name is not None:
                released.append(node)
            place(node)
            continue
        push((node, True))
        for parent in reversed(fn.parents):
            if parent.requires_grad and id(parent) not in visited:
                push((parent, False))
    return order, released


def run_backward(roots: list, seeds: list, retain_graph: bool = False,
                 create_graph: bool = False, capture: list | None = None) -> dict:
    """Propagate ``seeds`` (d loss / d root, one per root) down the graph.

    Without ``capture`` the gradients of leaves (and of ``retain_grad`` results)
    are added into ``.grad``; with it, nothing is stored and the gradients of
    the captured Tensors are returned as ``{id(tensor): gradient}``.
    """
    retain_graph = retain_graph or create_graph  # the gradient's graph is built on it
    order, released = _toposort(roots)
    if released:
        raise RuntimeError(f"backward through a graph that an earlier backward already "
                           f"released (this {released[0].op} result was backpropagated "
                           f"before): the gradient would be partial; {RETAIN_HINT}")
    wanted = None if capture is None else _leading_to(order, capture)
    sums = TensorSums() if create_graph else ArraySums(keep_rows=capture is None)
    pending, owned, add = sums.pending, sums.owned, sums.add
    for root, seed in zip(roots, seeds):
        add(_SEED, root, seed)
    found, to_store = {}, []
    with enable_grad() if create_graph else _NOTHING:
        for node in reversed(order):
            key = id(node)
            if wanted is not None and key not in wanted:
                continue
            g = pending.pop(key, None)
            if g is None:
                continue
            owned.discard(id(g))  # handed on: never added into again
            fn = node._fn
            if capture is not None:
                found[key] = g
            elif fn is None or node._retains_grad:
                to_store.append((node, g))
            if fn is None:
                continue
            grads = _recorded_backward(fn, node, g) if create_graph else fn.backward(g)
            if type(grads) is not tuple or len(grads) != len(fn.parents):
                grads = _as_grad_tuple(fn, grads)
            for parent, pg, needs in zip(fn.parents, grads, fn.needs_grad):
                if not needs or pg is None:
                    continue
                key = id(parent)
                if wanted is not None and key not in wanted:
                    continue
                data = parent.data
                if (type(pg) is np.ndarray and key not in pending  # the common edge:
                        and pg.shape == data.shape and pg.dtype == data.dtype):  # kept as is
                    pending[key] = pg
                else:
                    add(fn, parent, pg)
            if not retain_graph:
                node._release()
    handed = {id(seed) for seed in seeds}  # the caller's arrays are never stored as .grad
    for node, g in to_store:
        store_grad(node, g, handed)
    return found


def _leading_to(order: list, targets: list) -> set:
    """ids of the nodes in ``order`` from which a target can be reached (``grad()``
    computes only those: no gradient of a weight when you asked for an input's)."""
    wanted = {id(t) for t in targets}
    for node in order:  # parents come first
        fn = node._fn
        if fn is not None and any(id(p) in wanted for p in fn.parents):
            wanted.add(id(node))
    return wanted


def _recorded_backward(fn, node, g) -> tuple:
    """``fn.backward(g)`` for ``create_graph``: run on the graph's own Tensors, so that
    its arithmetic is recorded (see ``function.py``)."""
    if is_first_order_only(fn):
        return wrap_array_gradients(fn, g, _as_grad_tuple(fn, fn.backward(g.data)))
    arrays, array_out = fn.inputs, fn.output
    for parent, array in zip(fn.parents, arrays):
        if parent.data is not array:
            raise RuntimeError(f"{fn.name}: an input's .data was replaced after the forward "
                               f"pass, so its gradient cannot be recorded")
    fn.inputs, fn.output = fn.parents, node
    try:
        grads = _as_grad_tuple(fn, fn.backward(g))
    finally:
        fn.inputs, fn.output = arrays, array_out
    for pg in grads:
        if isinstance(pg, (np.ndarray, ScatterGrad)):
            raise TypeError(f"{fn.name}.backward returned a numpy array under "
                            f"create_graph=True, so its gradient would have no graph: "
                            f"compute it from grad, self.inputs and self.output with Tensor "
                            f"operations, or set first_order_only = True on the class")
    return grads


def _as_grad_tuple(fn, grads) -> tuple:
    if not isinstance(grads, tuple):
        if isinstance(grads, list):
            raise TypeError(f"{fn.name}.backward returned a list of {len(grads)}; return a "
                               f"tuple with one gradient per input ({len(fn.parents)}), "
                               f"None for an input without one")
        grads = (grads,)
    if len(grads) != len(fn.parents):
        kinds = ", ".join(type(g).__name__ for g in grads)
        raise RuntimeError(f"{fn.name}.backward returned {len(grads)} gradients ({kinds}) "
                           f"for {len(fn.parents)} inputs; return one per input, in the "
                           f"order of forward's arguments (None for an input without one)")
    return grads


class _Seed:
    """Stands for "the caller" in shape errors about a seed gradient."""
    name = "the upstream gradient"


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_SEED, _NOTHING = _Seed(), _Nothing()


def backward(root, grad, retain_graph: bool = False, create_graph: bool = False) -> None:
    """Add d root / d leaf (times ``grad``) into ``.grad`` of every leaf below ``root``."""
    run_backward([root], [grad], retain_graph=retain_graph, create_graph=create_graph)
