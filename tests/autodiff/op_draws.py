"""Hypothesis strategies of ``(arrays, options)`` for the ops that take options.

Each returns what ``OpCase.draw`` expects: a tuple of float64 input arrays and a
dict of keyword options, drawn so that the options are valid for the shapes.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.autodiff.harness import axes_for
from tinygrad_keras.testing import strategies as tst


@st.composite
def pow_const(draw):
    p = draw(st.sampled_from([2, 3, 0.5, -1, 1.5, -2.5]))
    return (draw(tst.arrays(domain="positive")),), {"p": p}


@st.composite
def where(draw):
    sc, sa, sb = draw(tst.broadcastable_shapes(3))
    cond = draw(tst.arrays(sc)) > 0
    return (cond, draw(tst.arrays(sa)), draw(tst.arrays(sb))), {}


@st.composite
def reduction(draw):
    a = draw(tst.arrays())
    return (a,), {"axis": draw(axes_for(a.ndim)), "keepdims": draw(st.booleans())}


@st.composite
def one_axis(draw):
    a = draw(tst.arrays(tst.shapes(min_dims=1)))
    return (a,), {"axis": draw(st.integers(-a.ndim, a.ndim - 1))}


@st.composite
def reshape(draw):
    a = draw(tst.arrays())
    sizes = [n for n in range(1, a.size + 1) if a.size % n == 0]
    first = draw(st.sampled_from(sizes))
    shape = draw(st.sampled_from([(first, -1), (a.size,), (1, a.size, 1), (-1, first)]))
    return (a,), {"shape": shape}


@st.composite
def transpose(draw, permutation: bool = False):
    """``axes`` None (reverse) or a permutation; always a permutation when asked."""
    a = draw(tst.arrays())
    perm = st.permutations(range(a.ndim)).map(tuple)
    axes = draw(perm if permutation else st.one_of(st.none(), perm))
    return (a,), {"axes": axes}


@st.composite
def broadcast_to(draw):
    small, other = draw(tst.broadcastable_shapes(2))
    return (draw(tst.arrays(small)),), {"shape": np.broadcast_shapes(small, other)}


def _slice_for(n):
    bounds = st.one_of(st.none(), st.integers(-n, n))
    step = st.one_of(st.none(), st.sampled_from([1, 2, -1, -2]))
    return st.builds(slice, bounds, bounds, step)


@st.composite
def basic_index(draw):
    """ints, slices, None and Ellipsis mixed."""
    a = draw(tst.arrays(tst.shapes(min_dims=1)))
    parts = []
    for n in a.shape:
        parts.append(draw(st.one_of(_slice_for(n), st.integers(-n, n - 1))))
    if draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), None)
    if draw(st.booleans()) and len(parts) > 1:
        parts[-1] = Ellipsis
    return (a,), {"index": tuple(parts)}


@st.composite
def gather_index(draw):
    """Integer arrays with repeats (the Embedding case), alone or beside a slice."""
    a = draw(tst.arrays(tst.shapes(min_dims=1)))
    idx = np.array(draw(st.lists(st.integers(-a.shape[0], a.shape[0] - 1),
                                 min_size=1, max_size=6)))
    if draw(st.booleans()) and a.ndim > 1:
        return (a,), {"index": (slice(None), np.clip(idx, -a.shape[1], a.shape[1] - 1))}
    return (a,), {"index": idx}


@st.composite
def mask_index(draw):
    a = draw(tst.arrays(tst.shapes(min_dims=1)))
    return (a,), {"index": draw(tst.arrays(a.shape)) > 0}


@st.composite
def concat(draw):
    base = list(draw(tst.shapes(min_dims=1)))
    axis = draw(st.integers(-len(base), len(base) - 1))
    arrays = []
    for _ in range(draw(st.integers(1, 3))):
        base[axis] = draw(st.integers(1, 3))
        arrays.append(draw(tst.arrays(tuple(base))))
    return tuple(arrays), {"axis": axis}


@st.composite
def stack(draw):
    shape = draw(tst.shapes())
    arrays = tuple(draw(tst.arrays(shape)) for _ in range(draw(st.integers(1, 3))))
    return arrays, {"axis": draw(st.integers(-len(shape) - 1, len(shape)))}


@st.composite
def split(draw):
    a = draw(tst.arrays(tst.shapes(min_dims=1)))
    axis = draw(st.integers(0, a.ndim - 1))
    n = draw(st.sampled_from([d for d in range(1, a.shape[axis] + 1) if a.shape[axis] % d == 0]))
    return (a,), {"n": n, "axis": axis}


@st.composite
def squeeze(draw):
    a = draw(tst.arrays())
    ones = [i for i, n in enumerate(a.shape) if n == 1]
    axis = draw(st.one_of(st.none(), st.sampled_from(ones) if ones else st.none()))
    return (a,), {"axis": axis}


@st.composite
def expand_dims(draw):
    a = draw(tst.arrays())
    return (a,), {"axis": draw(st.integers(-a.ndim - 1, a.ndim))}


@st.composite
def pad(draw):
    a = draw(tst.arrays(tst.shapes(min_dims=1)))
    widths = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in a.shape)
    return (a,), {"pad_width": widths}


@st.composite
def repeat(draw, counts: bool):
    """One count for all (``counts=False``) or one count per element."""
    a = draw(tst.arrays(tst.shapes(min_dims=1)))
    axis = draw(st.one_of(st.none(), st.integers(-a.ndim, a.ndim - 1)))
    length = a.size if axis is None else a.shape[axis]
    per_element = st.lists(st.integers(0, 3), min_size=length, max_size=length)
    return (a,), {"repeats": draw(per_element if counts else st.integers(1, 3)), "axis": axis}


@st.composite
def tile(draw):
    a = draw(tst.arrays())
    reps = draw(st.one_of(st.integers(1, 3),
                          st.lists(st.integers(1, 3), min_size=1, max_size=4).map(tuple)))
    return (a,), {"reps": reps}


@st.composite
def flip(draw):
    a = draw(tst.arrays())
    return (a,), {"axis": draw(axes_for(a.ndim))}


@st.composite
def matmul(draw):
    """2-D, batched with broadcast batch axes, and 1-D operands."""
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    batch_a, batch_b = draw(tst.broadcastable_shapes(2, max_dims=2, max_side=3))
    kind = draw(st.sampled_from(["2d", "batched", "vec_left", "vec_right"]))
    if kind == "2d":
        sa, sb = (n, k), (k, m)
    elif kind == "batched":
        sa, sb = batch_a + (n, k), batch_b + (k, m)
    elif kind == "vec_left":
        sa, sb = (k,), batch_b + (k, m)
    else:
        sa, sb = batch_a + (n, k), (k,)
    return (draw(tst.arrays(sa)), draw(tst.arrays(sb))), {}


@st.composite
def lstm_loop(draw):
    """``xz (T, B, 4u)``, ``U (u, 4u)``, ``h0, c0 (B, u)`` and a gate, for ``LSTMLoop``."""
    steps, batch, units = (draw(st.integers(1, n)) for n in (4, 3, 3))
    xz = draw(tst.arrays((steps, batch, 4 * units), bound=2.0))
    U = draw(tst.arrays((units, 4 * units), bound=1.0))
    h0, c0 = (draw(tst.arrays((batch, units), bound=1.0)) for _ in range(2))
    return (xz, U, h0, c0), {"gate": draw(st.sampled_from(["sigmoid", "clip"])),
                             "sequence": draw(st.booleans())}


@st.composite
def linear(draw):
    """``x (N, k)``, ``w (k, m)`` and, half the time, ``b (m,)``; no activation, relu or
    softmax."""
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    arrays = (draw(tst.arrays((n, k))), draw(tst.arrays((k, m))))
    if draw(st.booleans()):
        arrays += (draw(tst.arrays((m,))),)
    return arrays, draw(st.sampled_from([{}, {"relu": True}, {"softmax": True}]))


@st.composite
def rows_linear(draw):
    """``x (..., k)`` with one or two leading axes, ``w (k, m)``, ``b (m,)``."""
    lead = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)))
    k, m = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return (draw(tst.arrays(lead + (k,))), draw(tst.arrays((k, m))),
            draw(tst.arrays((m,)))), {}


@st.composite
def probabilities_and_targets(draw):
    """Positive ``p`` and real ``t`` of one shape ``(..., C)`` (crossentropy's inputs)."""
    shape = draw(tst.shapes(min_dims=1))
    return (draw(tst.arrays(shape, domain="positive")), draw(tst.arrays(shape))), {}
