"""Disk helpers of Keras 1.2.2: ``HDF5Matrix``, ``save_array``/``load_array``, overwrite prompt.

1.2.2 wrote ``save_array`` files with PyTables; here h5py writes the same
layout (one dataset named ``data`` at the root), which PyTables reads too.
"""
from __future__ import annotations

from typing import ClassVar

import numpy as np

try:
    import h5py
except ImportError:  # pragma: no cover - h5py is a dependency, but keep the message clear
    h5py = None


def _require_h5py(what: str) -> None:
    if h5py is None:
        raise ImportError(f"{what} requires h5py (pip install h5py)")


class HDF5Matrix:
    """A slice of an HDF5 dataset usable like a numpy array of shape ``(end - start, ...)``.

    Rows are read on indexing; ``normalizer`` (if given) is applied to every
    block read.  Open files are shared between instances (``HDF5Matrix.refs``).
    """

    refs: ClassVar[dict] = {}  # datapath -> open h5py.File, shared on purpose

    def __init__(self, datapath: str, dataset: str, start: int = 0, end: int | None = None,
                 normalizer=None):
        _require_h5py("HDF5Matrix")
        if datapath not in self.refs:
            self.refs[datapath] = h5py.File(datapath, "r")
        self.data = self.refs[datapath][dataset]
        self.start = start
        self.end = self.data.shape[0] if end is None else end
        self.normalizer = normalizer

    def __len__(self) -> int:
        return self.end - self.start

    @property
    def shape(self) -> tuple:
        return (self.end - self.start,) + tuple(self.data.shape[1:])

    @property
    def dtype(self):
        return self.data.dtype

    def _row(self, i: int) -> int:
        if not 0 <= i < len(self):
            raise IndexError(f"HDF5Matrix index {i} out of range for length {len(self)}")
        return self.start + i

    def __getitem__(self, key):
        if isinstance(key, slice):
            first, stop, step = key.indices(len(self))
            block = self.data[self.start + first:self.start + max(first, stop):step]
        elif isinstance(key, (int, np.integer)):
            block = self.data[self._row(int(key))]
        else:  # index list/array: h5py wants increasing indices, so read sorted then reorder
            rows = np.array([self._row(int(i)) for i in np.asarray(key).ravel()], dtype=int)
            unique, inverse = np.unique(rows, return_inverse=True)
            block = self.data[unique.tolist()][inverse]
        return self.normalizer(block) if self.normalizer is not None else block


def save_array(array: np.ndarray, name: str) -> None:
    """Write ``array`` to the HDF5 file ``name`` as the root dataset ``data``."""
    _require_h5py("save_array")
    with h5py.File(name, "w") as f:
        f.create_dataset("data", data=np.asarray(array))


def load_array(name: str) -> np.ndarray:
    """Read back what ``save_array`` wrote."""
    _require_h5py("load_array")
    with h5py.File(name, "r") as f:
        return f["data"][()]


def ask_to_proceed_with_overwrite(filepath: str) -> bool:
    """Ask on stdin whether to overwrite ``filepath``; True for 'y', False for 'n'."""
    answer = input("[WARNING] %s already exists - overwrite? [y/n]" % filepath)
    while answer not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel).')
    if answer == "n":
        return False
    print("[TIP] Next time specify overwrite=True!")
    return True
