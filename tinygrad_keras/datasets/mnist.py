"""MNIST handwritten digits, the Keras 1.2.2 loader.

Reads ``~/.keras/datasets/mnist.pkl.gz`` (a gzipped pickle of
``((x_train, y_train), (x_test, y_test))``, uint8 arrays ``(60000, 28, 28)``,
``(60000,)``, ``(10000, 28, 28)``, ``(10000,)``), downloading it if missing.
The pickle is read with a restricted unpickler (numpy arrays only, no code).
"""
from __future__ import annotations

import gzip

from ..utils.data_utils import get_file, safe_pickle_load

ORIGIN = "https://s3.amazonaws.com/img-datasets/mnist.pkl.gz"


def load_data(path: str = "mnist.pkl.gz"):
    """``(x_train, y_train), (x_test, y_test)`` as stored in the file (uint8 arrays).

    ``path`` is relative to ``~/.keras/datasets/``; a name ending in ``.gz`` is gunzipped.
    """
    path = get_file(path, origin=ORIGIN)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return safe_pickle_load(f, encoding="bytes")
