"""Composites that rearrange elements: stack, split, squeeze, expand_dims, pad,
repeat, tile, flip.  Built on the movement primitives (``ops/movement.py``) with
no backward of their own; ``functional`` re-exports them.
"""
from __future__ import annotations

import itertools

import numpy as np

from .ops import movement as M
from .ops.reduce import normalize_axis
from .tensor import Tensor


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _reshape(a: Tensor, shape: tuple) -> Tensor:
    return M.Reshape.apply(a, shape=tuple(shape))


def _getitem(a: Tensor, index) -> Tensor:
    return M.GetItem.apply(a, index=index)


def stack(tensors, axis=0):
    """Composite: ``expand_dims`` every input at ``axis``, then concatenate."""
    tensors = [_t(t) for t in tensors]
    return M.Concatenate.apply(*[expand_dims(t, axis) for t in tensors], axis=axis)


def split(a, indices_or_sections, axis=0) -> list:
    """numpy's ``split``: a count of equal parts, or the cut positions.

    Composite of slicing; each piece's backward writes into its own slice.
    """
    a = _t(a)
    axis = axis % a.ndim
    n = a.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        if n % indices_or_sections:
            raise ValueError(f"split: axis {axis} of length {n} does not divide into "
                             f"{indices_or_sections} equal parts")
        step = n // indices_or_sections
        cuts = list(range(step, n, step))
    else:
        cuts = list(indices_or_sections)
    edges = [0] + cuts + [n]
    lead = (slice(None),) * axis
    return [_getitem(a, lead + (slice(lo, hi),)) for lo, hi in itertools.pairwise(edges)]


def squeeze(a, axis=None):
    """Composite (a reshape): drop size-1 axes, all of them when ``axis`` is None."""
    a = _t(a)
    if axis is None:
        axes = tuple(i for i, n in enumerate(a.shape) if n == 1)
    else:
        axes = normalize_axis(axis, a.ndim)
        bad = [i for i in axes if a.shape[i] != 1]
        if bad:
            raise ValueError(f"squeeze: axis {bad[0]} has length {a.shape[bad[0]]}, "
                             f"expected 1 (shape {a.shape})")
    return _reshape(a, tuple(n for i, n in enumerate(a.shape) if i not in axes))


def expand_dims(a, axis):
    """Composite (a reshape): insert a size-1 axis at ``axis`` (negative counts
    from the end of the *result*, as in numpy)."""
    a = _t(a)
    axis = axis if axis >= 0 else axis + a.ndim + 1
    if not 0 <= axis <= a.ndim:
        raise ValueError(f"expand_dims: axis {axis} out of range for {a.ndim} dimensions")
    return _reshape(a, a.shape[:axis] + (1,) + a.shape[axis:])


def pad(a, pad_width):
    """Zero padding; ``pad_width`` is an int, one ``(before, after)`` pair for all
    axes, or one pair per axis (numpy's convention)."""
    a = _t(a)
    widths = np.asarray(pad_width, dtype=int)
    widths = np.broadcast_to(widths, (a.ndim, 2)) if widths.size else np.zeros((a.ndim, 2), int)
    return M.Pad.apply(a, pad_width=tuple((int(lo), int(hi)) for lo, hi in widths))


def repeat(a, repeats, axis=None):
    """numpy's ``repeat``.  An int count is a composite of reshape + broadcast_to
    (cheap backward: a sum); per-element counts are a gather (backward scatter-adds).
    ``axis=None`` repeats the flattened tensor."""
    a = _t(a)
    if axis is None:
        a, axis = _reshape(a, (-1,)), 0
    axis = axis % a.ndim
    if isinstance(repeats, (int, np.integer)):
        wide = expand_dims(a, axis + 1)
        shape = wide.shape[:axis + 1] + (int(repeats),) + wide.shape[axis + 2:]
        merged = a.shape[:axis] + (a.shape[axis] * int(repeats),) + a.shape[axis + 1:]
        return _reshape(M.BroadcastTo.apply(wide, shape=shape), merged)
    index = np.repeat(np.arange(a.shape[axis]), repeats)
    return _getitem(a, (slice(None),) * axis + (index,))


def tile(a, reps):
    """numpy's ``tile``; composite of reshape + broadcast_to (backward: a sum)."""
    a = _t(a)
    reps = (int(reps),) if isinstance(reps, (int, np.integer)) else tuple(reps)
    ndim = max(len(reps), a.ndim)
    reps = (1,) * (ndim - len(reps)) + reps
    shape = (1,) * (ndim - a.ndim) + a.shape
    spread = tuple(x for n in shape for x in (1, n))
    target = tuple(x for r, n in zip(reps, shape) for x in (r, n))
    out = M.BroadcastTo.apply(_reshape(a, spread), shape=target)
    return _reshape(out, tuple(r * n for r, n in zip(reps, shape)))


def flip(a, axis=None):
    """Reverse the order of elements along ``axis`` (all axes when None); a composite
    of slicing with step -1."""
    a = _t(a)
    axes = normalize_axis(axis, a.ndim)
    return _getitem(a, tuple(slice(None, None, -1) if i in axes else slice(None)
                            for i in range(a.ndim)))
