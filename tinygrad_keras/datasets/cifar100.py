"""CIFAR-100 small images, the Keras 1.2.2 loader.

Uses ``~/.keras/datasets/cifar-100-python/`` (``train`` and ``test``),
extracted from ``cifar-100-python.tar.gz`` which is downloaded if missing.
"""
from __future__ import annotations

import os

import numpy as np

from .. import backend as K
from ..utils.data_utils import get_file
from .cifar import load_batch

ORIGIN = "http://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"


def load_data(label_mode: str = "fine"):
    """``(x_train, y_train), (x_test, y_test)`` with the ``'fine'`` (100) or ``'coarse'`` (20) labels.

    x is uint8 ``(N, 3, 32, 32)`` (``(N, 32, 32, 3)`` for ``'tf'`` ordering), y ``(N, 1)``.
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f'label_mode must be one of "fine" "coarse", got {label_mode!r}')
    path = get_file("cifar-100-python", origin=ORIGIN, untar=True)
    x_train, y_train = load_batch(os.path.join(path, "train"), label_key=label_mode + "_labels")
    x_test, y_test = load_batch(os.path.join(path, "test"), label_key=label_mode + "_labels")
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    if K.image_dim_ordering() == "tf":
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
