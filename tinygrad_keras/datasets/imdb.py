"""IMDB movie-review sentiment, the Keras 1.2.2 loader.

Reads ``~/.keras/datasets/imdb_full.pkl``: a pickle of
``((x_train, labels_train), (x_test, labels_test))`` where each x is a list of
reviews, each a list of word indices ranked by frequency (1 = most frequent).
``get_word_index`` reads ``imdb_word_index.pkl`` (``{word: index}``).  Both are
downloaded if missing and read with a restricted unpickler (no code runs).
"""
from __future__ import annotations

import gzip

import numpy as np

from ..utils.data_utils import get_file, safe_pickle_load
from ._word_sequences import object_array, remap_words, shuffle_together

ORIGIN = "https://s3.amazonaws.com/text-datasets/imdb_full.pkl"
MD5 = "d091312047c43cf9e4e38fef92437263"
WORD_INDEX_ORIGIN = "https://s3.amazonaws.com/text-datasets/imdb_word_index.pkl"
WORD_INDEX_MD5 = "72d94b01291be4ff843198d3b0e1e4d7"


def load_data(path="imdb_full.pkl", nb_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3):
    """``(x_train, y_train), (x_test, y_test)``: x a 1-D object array of index lists, y labels.

    Train and test are shuffled (seeds ``seed`` and ``2 * seed``), then processed
    together: indices shifted by ``index_from``, ``start_char`` prepended,
    reviews of length ``>= maxlen`` dropped, indices ``>= nb_words`` or
    ``< skip_top`` replaced by ``oov_char``.
    """
    path = get_file(path, origin=ORIGIN, md5_hash=MD5)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        (x_train, labels_train), (x_test, labels_test) = safe_pickle_load(f)
    x_train, labels_train = list(x_train), list(labels_train)
    x_test, labels_test = list(x_test), list(labels_test)
    shuffle_together(x_train, labels_train, seed)
    shuffle_together(x_test, labels_test, seed * 2)
    xs, labels = remap_words(x_train + x_test, labels_train + labels_test, nb_words, skip_top,
                             maxlen, start_char, oov_char, index_from)
    # 1.2.2 split at the pre-filter training size, so maxlen can move test reviews into train.
    n_train = len(x_train)
    return ((object_array(xs[:n_train]), np.array(labels[:n_train])),
            (object_array(xs[n_train:]), np.array(labels[n_train:])))


def get_word_index(path="imdb_word_index.pkl") -> dict:
    """``{word: index}`` for the IMDB reviews (index 1 = most frequent word)."""
    path = get_file(path, origin=WORD_INDEX_ORIGIN, md5_hash=WORD_INDEX_MD5)
    with open(path, "rb") as f:
        return safe_pickle_load(f, encoding="latin1")
