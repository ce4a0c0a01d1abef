"""Reuters newswire topics (46 classes), the Keras 1.2.2 loader.

Reads ``~/.keras/datasets/reuters.pkl``: a pickle of ``(xs, labels)``, lists of
word-index lists and of topic numbers.  ``get_word_index`` reads
``reuters_word_index.pkl``.  Both are downloaded if missing and read with a
restricted unpickler (no code runs).
"""
from __future__ import annotations

from ..utils.data_utils import get_file, safe_pickle_load
from ._word_sequences import remap_words, shuffle_together

ORIGIN = "https://s3.amazonaws.com/text-datasets/reuters.pkl"
WORD_INDEX_ORIGIN = "https://s3.amazonaws.com/text-datasets/reuters_word_index.pkl"


def load_data(path="reuters.pkl", nb_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3):
    """``(x_train, y_train), (x_test, y_test)`` as Python lists (as 1.2.2 returned them).

    Shuffled with ``seed``; indices shifted by ``index_from``, ``start_char``
    prepended, sequences of length ``>= maxlen`` dropped, indices ``>= nb_words``
    or ``< skip_top`` replaced by ``oov_char``; the last ``test_split`` part is the test set.
    """
    path = get_file(path, origin=ORIGIN)
    with open(path, "rb") as f:
        xs, labels = safe_pickle_load(f)
    xs, labels = list(xs), list(labels)
    shuffle_together(xs, labels, seed)
    xs, labels = remap_words(xs, labels, nb_words, skip_top, maxlen, start_char, oov_char,
                             index_from)
    split = int(len(xs) * (1 - test_split))
    return (xs[:split], labels[:split]), (xs[split:], labels[split:])


def get_word_index(path="reuters_word_index.pkl") -> dict:
    """``{word: index}`` for the Reuters newswires (index 1 = most frequent word)."""
    path = get_file(path, origin=WORD_INDEX_ORIGIN)
    with open(path, "rb") as f:
        return safe_pickle_load(f, encoding="latin1")
