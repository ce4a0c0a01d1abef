"""The word-index processing shared by the Keras 1.2.2 ``imdb`` and ``reuters`` loaders."""
from __future__ import annotations

import numpy as np


def shuffle_together(xs: list, labels: list, seed: int) -> None:
    """Shuffle both lists in place with the same permutation.

    Reseeds the global numpy generator with ``seed`` before each shuffle, as
    1.2.2 did (so the order matches Keras 1 and the global state changes).
    """
    np.random.seed(seed)
    np.random.shuffle(xs)
    np.random.seed(seed)
    np.random.shuffle(labels)


def remap_words(xs: list, labels: list, nb_words=None, skip_top: int = 0, maxlen=None,
                start_char=1, oov_char=2, index_from: int = 3) -> tuple[list, list]:
    """Offset indices, add the start mark, drop long sequences, cut the vocabulary.

    - every index ``w`` becomes ``w + index_from``; ``start_char`` (if not None) is prepended;
    - with ``maxlen`` only sequences strictly shorter than ``maxlen`` are kept;
    - indices ``>= nb_words`` or ``< skip_top`` become ``oov_char``, or are
      dropped when ``oov_char`` is None.  (1.2.2 inverted that test when
      ``oov_char`` was None and kept only the out-of-range words; we drop them
      as its docstring promised.)  ``nb_words`` defaults to the largest index.
    """
    if start_char is not None:
        xs = [[start_char] + [w + index_from for w in x] for x in xs]
    elif index_from:
        xs = [[w + index_from for w in x] for x in xs]
    if maxlen:
        kept = [(x, y) for x, y in zip(xs, labels) if len(x) < maxlen]
        xs, labels = [x for x, _ in kept], [y for _, y in kept]
    if not xs:
        raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, "
                         "no sequence was kept. Increase maxlen.")
    if not nb_words:
        nb_words = max(max(x) for x in xs if x)
    if oov_char is not None:
        xs = [[oov_char if (w >= nb_words or w < skip_top) else w for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < nb_words] for x in xs]
    return xs, labels


def object_array(seqs: list) -> np.ndarray:
    """A 1-D object array holding one Python list per sample (ragged-safe on numpy 2)."""
    out = np.empty(len(seqs), dtype=object)
    out[:] = [list(s) for s in seqs]
    return out
