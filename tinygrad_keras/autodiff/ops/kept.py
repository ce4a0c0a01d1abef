"""Big arrays of a training step kept for the next batch (speed).

A fresh array of megabytes comes from the operating system as new pages, and the
first write to each 4 KiB page costs a page fault: in the CNN benchmark about 3000
a step, as long as a tenth of the step.  The convolution and pooling primitives
therefore take their outputs, input gradients and scratch from here (``lend``,
``take``, ``give``), and so do the LSTM loop (its states and gates) and im2col (its
patch matrices).  An array handed out is lent again only when nothing refers to it
any more (see :class:`Spare`).

Memory held between batches stays bounded: an array over ``KEEP_BYTES`` is made
afresh every time, and when keeping a new one would take the total over
``KEEP_TOTAL`` the idle ones (lent arrays nothing refers to, given-back scratch) are
dropped first; if that is not enough, the new one is simply not kept.
"""
from __future__ import annotations

import sys

import numpy as np


class Spare:
    """Arrays the primitives have finished with, kept by shape and dtype for the next
    ones (at most ``keep`` of each kind).

    * ``take`` / ``give``: scratch that only the op sees.  It is given back when nothing
      else can see it: a backward's factors when it returns, a forward's buffers when
      its op is freed (after the backward, or with the graph).
    * ``lend``: an array the op hands out (its output, its input's gradient), as a
      view of a kept array.  That array is lent again only once every view of it is
      gone -- numpy views hold a reference to the array they look into, so its
      reference count says so (``sys.getrefcount``) -- until then a new one is made.
    """

    keep = 2

    def __init__(self):
        self.free, self.lent = {}, {}
        self.alone = [np.empty(0)]  # an array only a list refers to: the count to compare

    def take(self, shape: tuple, dtype) -> np.ndarray:
        kind = self.free.get((shape, np.dtype(dtype).str))
        return kind.pop() if kind else np.empty(shape, dtype)

    def give(self, *arrays) -> None:
        for a in arrays:
            kind = self.free.setdefault((a.shape, a.dtype.str), [])
            if len(kind) < self.keep:
                kind.append(a)

    def idle(self, kind: list) -> list:
        """The arrays of ``kind`` (one list of kept arrays) nothing else refers to."""
        # counted the same way as `alone`, so how the interpreter counts does not matter
        return [kind[i] for i in range(len(kind))
                if sys.getrefcount(kind[i]) <= sys.getrefcount(self.alone[0])]

    def lend(self, shape: tuple, dtype) -> np.ndarray:
        kind = self.lent.setdefault((shape, np.dtype(dtype).str), [])
        idle = self.idle(kind)
        if idle:
            return idle[0][...]
        base = np.empty(shape, dtype)
        if len(kind) < self.keep:
            kind.append(base)
        return base[...]


KEEP_BYTES = 64 << 20
KEEP_TOTAL = 256 << 20
KEPT = Spare()


def _room(nbytes: int) -> bool:
    """True if ``nbytes`` more can be kept, after dropping idle arrays if needed."""
    if nbytes > KEEP_BYTES:
        return False
    kinds = list(KEPT.lent.values()) + list(KEPT.free.values())
    total = sum(a.nbytes for kind in kinds for a in kind)
    for kind in kinds:
        if total + nbytes <= KEEP_TOTAL:
            break
        for idle in KEPT.idle(kind):
            total -= idle.nbytes
            kind.remove(idle)
    return total + nbytes <= KEEP_TOTAL


def lend(shape: tuple, dtype) -> np.ndarray:
    """An uninitialised array that may be handed out (an output, a gradient)."""
    shape, nbytes = tuple(shape), int(np.prod(shape)) * np.dtype(dtype).itemsize
    kind = KEPT.lent.get((shape, np.dtype(dtype).str), [])
    if KEPT.idle(kind) or (len(kind) < KEPT.keep and _room(nbytes)):
        return KEPT.lend(shape, dtype)
    return np.empty(shape, dtype)


def take(shape: tuple, dtype) -> np.ndarray:
    """Uninitialised scratch, to be handed back with ``give`` when done."""
    return KEPT.take(tuple(shape), dtype)


def give(*arrays) -> None:
    """Scratch from ``take`` that nothing else refers to, kept for the next ``take``
    when there is room."""
    for a in arrays:
        if len(KEPT.free.get((a.shape, a.dtype.str), [])) < KEPT.keep and _room(a.nbytes):
            KEPT.give(a)
