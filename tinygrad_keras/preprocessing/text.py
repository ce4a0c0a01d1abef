"""Text preprocessing of Keras 1.2.2: word splitting, hashing to indices, and ``Tokenizer``."""
from __future__ import annotations

import hashlib

import numpy as np

# Keras 1.2.2 kept the Python 2/3 choice of translation-table maker under this name
maketrans = str.maketrans

DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
MATRIX_MODES = ("binary", "count", "tfidf", "freq")


def text_to_word_sequence(text: str, filters: str = DEFAULT_FILTERS, lower: bool = True,
                          split: str = " ") -> list:
    """The words of ``text``: lower-cased, each ``filters`` character turned into ``split``.

    >>> text_to_word_sequence("Hello, World!  Hi")
    ['hello', 'world', 'hi']
    """
    if lower:
        text = text.lower()
    text = text.translate(str.maketrans(filters, split * len(filters)))
    return [word for word in text.split(split) if word]


def _stable_hash(word: str) -> int:
    return int.from_bytes(hashlib.md5(word.encode("utf-8")).digest()[:8], "little")


def one_hot(text: str, n: int, filters: str = DEFAULT_FILTERS, lower: bool = True,
            split: str = " ") -> list:
    """Each word hashed to an index in ``[1, n)`` (0 stays free for padding).

    1.2.2 used Python's ``hash()``, which changes from one process to the next;
    we use an MD5-based hash so the same word gets the same index on every run.
    """
    if n < 2:
        raise ValueError(f"one_hot: n must be at least 2 (indices lie in [1, n)), got {n}")
    words = text_to_word_sequence(text, filters=filters, lower=lower, split=split)
    return [_stable_hash(w) % (n - 1) + 1 for w in words]


class Tokenizer:
    """Turns texts into sequences of word indices or into document-term matrices.

    Indices are ranks by frequency in the texts seen by ``fit_on_texts``
    (1 = most frequent; 0 is never a word).  ``nb_words`` keeps only indices
    below ``nb_words`` when converting.  With ``char_level`` every character is a word.
    Attributes after fitting: ``word_counts``, ``word_docs``, ``word_index``,
    ``index_docs``, ``document_count``.
    """

    def __init__(self, nb_words=None, filters: str = DEFAULT_FILTERS, lower: bool = True,
                 split: str = " ", char_level: bool = False):
        self.word_counts: dict = {}
        self.word_docs: dict = {}
        self.word_index: dict = {}
        self.index_docs: dict = {}
        self.filters = filters
        self.split = split
        self.lower = lower
        self.nb_words = nb_words
        self.document_count = 0
        self.char_level = char_level

    def _words(self, text) -> list:
        if self.char_level:
            return list(text)
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def fit_on_texts(self, texts) -> None:
        """Count words over ``texts`` (a list or any iterable of strings) and rebuild ``word_index``.

        As in 1.2.2, counts accumulate over calls but ``document_count`` restarts
        at each call.
        """
        self.document_count = 0
        for text in texts:
            self.document_count += 1
            words = self._words(text)
            for w in words:
                self.word_counts[w] = self.word_counts.get(w, 0) + 1
            for w in set(words):
                self.word_docs[w] = self.word_docs.get(w, 0) + 1
        # Stable sort: equally frequent words keep their first-seen order.
        ranked = sorted(self.word_counts.items(), key=lambda wc: wc[1], reverse=True)
        self.word_index = {w: i for i, (w, _) in enumerate(ranked, start=1)}
        self.index_docs = {self.word_index[w]: c for w, c in self.word_docs.items()}

    def fit_on_sequences(self, sequences) -> None:
        """Count, per index, the documents containing it (needed by the tfidf mode)."""
        self.document_count = len(sequences)
        self.index_docs = {}
        for seq in sequences:
            for i in set(seq):
                self.index_docs[i] = self.index_docs.get(i, 0) + 1

    def texts_to_sequences(self, texts) -> list:
        """One list of word indices per text; unknown words and indices ``>= nb_words`` dropped."""
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        """Like ``texts_to_sequences`` but yields one sequence at a time."""
        for text in texts:
            seq = []
            for w in self._words(text):
                i = self.word_index.get(w)
                if i is not None and not (self.nb_words and i >= self.nb_words):
                    seq.append(i)
            yield seq

    def texts_to_matrix(self, texts, mode: str = "binary") -> np.ndarray:
        """``sequences_to_matrix(texts_to_sequences(texts), mode)``."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def _matrix_width(self) -> int:
        if self.nb_words:
            return self.nb_words
        if self.word_index:
            return len(self.word_index) + 1
        raise ValueError("Specify a dimension (nb_words argument), or fit on some text data first.")

    def sequences_to_matrix(self, sequences, mode: str = "binary") -> np.ndarray:
        """A float64 matrix ``(len(sequences), nb_words)``; column ``j`` describes index ``j``.

        Modes: ``'binary'`` (1 if present), ``'count'``, ``'freq'`` (count /
        sequence length) and ``'tfidf'`` (``(1 + log count) * log(1 +
        document_count / (1 + documents containing j))``).  Indices ``>= nb_words`` are ignored.
        """
        if mode not in MATRIX_MODES:
            raise ValueError(f"Unknown vectorization mode: {mode!r}; expected one of {MATRIX_MODES}")
        width = self._matrix_width()
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Fit the Tokenizer on some data before using tfidf mode.")
        x = np.zeros((len(sequences), width))
        for i, seq in enumerate(sequences):
            counts: dict = {}
            for j in seq:
                if j < width:
                    counts[j] = counts.get(j, 0.0) + 1
            for j, c in counts.items():
                x[i, j] = self._cell(mode, c, len(seq), j)
        return x

    def _cell(self, mode: str, count: float, length: int, j: int) -> float:
        if mode == "count":
            return count
        if mode == "freq":
            return count / length
        if mode == "binary":
            return 1.0
        idf = np.log(1 + self.document_count / (1 + self.index_docs.get(j, 0)))
        return (1 + np.log(count)) * idf
