"""Reading one batch file of the CIFAR "python version" archives (Keras 1.2.2 ``load_batch``)."""
from __future__ import annotations

import numpy as np

from ..utils.data_utils import safe_pickle_load


def load_batch(fpath: str, label_key: str = "labels"):
    """``(data, labels)`` of a pickled CIFAR batch: uint8 ``(n, 3, 32, 32)`` and a label list.

    The file is a pickled dict with byte-string keys (``b'data'`` of shape
    ``(n, 3072)``, ``b'labels'`` or ``b'fine_labels'``/``b'coarse_labels'``).
    """
    with open(fpath, "rb") as f:
        batch = safe_pickle_load(f, encoding="bytes")
    batch = {(k.decode("utf8") if isinstance(k, bytes) else k): v for k, v in batch.items()}
    if "data" not in batch or label_key not in batch:
        raise ValueError(f"{fpath} is not a CIFAR batch: expected keys 'data' and "
                         f"{label_key!r}, found {sorted(batch)}")
    data = np.asarray(batch["data"])
    return data.reshape(data.shape[0], 3, 32, 32), batch[label_key]
