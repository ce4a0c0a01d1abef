"""CIFAR-10 small images, the Keras 1.2.2 loader.

Uses ``~/.keras/datasets/cifar-10-batches-py/`` (``data_batch_1`` ..
``data_batch_5`` and ``test_batch``), extracted from ``cifar-10-batches-py.tar.gz``
which is downloaded if missing.
"""
from __future__ import annotations

import os

import numpy as np

from .. import backend as K
from ..utils.data_utils import get_file
from .cifar import load_batch

ORIGIN = "http://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"


def load_data():
    """``(x_train, y_train), (x_test, y_test)``.

    x is uint8 ``(N, 3, 32, 32)``, or ``(N, 32, 32, 3)`` when
    ``K.image_dim_ordering() == 'tf'``; y has shape ``(N, 1)`` (uint8 for the
    training labels, int64 for the test labels, as in 1.2.2).  1.2.2 assumed
    batches of exactly 10000 images; here the five batches are concatenated
    whatever their size (same result on the real files).
    """
    path = get_file("cifar-10-batches-py", origin=ORIGIN, untar=True)
    parts = [load_batch(os.path.join(path, "data_batch_%d" % i)) for i in range(1, 6)]
    x_train = np.concatenate([x for x, _ in parts]).astype("uint8")
    y_train = np.concatenate([np.asarray(y) for _, y in parts]).astype("uint8")
    x_test, y_test = load_batch(os.path.join(path, "test_batch"))
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    if K.image_dim_ordering() == "tf":
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
