"""Big arrays of a training step kept for the next batch (speed).

A fresh array of megabytes comes from the operating system as new pages, and the
first write to each 4 KiB page costs a page fault: in the CNN benchmark about 3000
a step, as long as a tenth of the step.  The convolution and pooling primitives
therefore take their outputs, input gradients and scratch from ``KEPT`` (the LSTM
loop's ``_Spare``: an array handed out is lent again only when nothing refers to it
any more, see its docstring).

Only arrays up to ``KEEP_BYTES`` are kept (at most two of each shape), so the memory
held between batches stays bounded; bigger ones are made afresh each time.
"""
from __future__ import annotations

import numpy as np

from .recurrent_loop import _Spare

KEEP_BYTES = 64 << 20
KEPT = _Spare()


def _small(shape, dtype) -> bool:
    return int(np.prod(shape)) * np.dtype(dtype).itemsize <= KEEP_BYTES


def lend(shape: tuple, dtype) -> np.ndarray:
    """An uninitialised array that may be handed out (an output, a gradient)."""
    return KEPT.lend(shape, dtype) if _small(shape, dtype) else np.empty(shape, dtype)


def take(shape: tuple, dtype) -> np.ndarray:
    """Uninitialised scratch, to be handed back with ``give`` when done."""
    return KEPT.take(shape, dtype) if _small(shape, dtype) else np.empty(shape, dtype)


def give(*arrays) -> None:
    """Scratch from ``take`` that nothing else refers to, kept for the next ``take``."""
    KEPT.give(*(a for a in arrays if a.nbytes <= KEEP_BYTES))
