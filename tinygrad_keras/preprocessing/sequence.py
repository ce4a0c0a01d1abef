"""Sequence preprocessing of Keras 1.2.2: padding, and skip-gram pairs for word2vec-style training."""
from __future__ import annotations

import random

import numpy as np


def _sample_shape(sequences) -> tuple:
    # The shape of one timestep, from the first non-empty sequence (others must agree).
    for s in sequences:
        if len(s) > 0:
            return np.asarray(s).shape[1:]
    return ()


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0) -> np.ndarray:
    """Pad/truncate a list of ``n`` sequences into one array ``(n, maxlen) + timestep shape``.

    ``maxlen`` defaults to the longest sequence.  ``truncating='pre'`` keeps the
    last ``maxlen`` items, ``'post'`` the first ones; ``padding='pre'`` puts
    ``value`` before the items, ``'post'`` after.  Empty sequences become all ``value``.

    >>> pad_sequences([[1, 2], [3]], maxlen=3).tolist()
    [[0, 1, 2], [0, 0, 3]]
    """
    if padding not in ("pre", "post"):
        raise ValueError(f'Padding type "{padding}" not understood: expected "pre" or "post"')
    if truncating not in ("pre", "post"):
        raise ValueError(f'Truncating type "{truncating}" not understood: expected "pre" or "post"')
    lengths = [len(s) for s in sequences]
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    sample_shape = _sample_shape(sequences)
    x = (np.ones((len(sequences), maxlen) + sample_shape) * value).astype(dtype)
    if maxlen == 0:
        return x
    for idx, s in enumerate(sequences):
        if not len(s):
            continue
        trunc = np.asarray(s[-maxlen:] if truncating == "pre" else s[:maxlen], dtype=dtype)
        if trunc.shape[1:] != sample_shape:
            raise ValueError(f"Shape of sample {trunc.shape[1:]} of sequence at position {idx} "
                             f"is different from expected shape {sample_shape}")
        if padding == "post":
            x[idx, :len(trunc)] = trunc
        else:
            x[idx, -len(trunc):] = trunc
    return x


def make_sampling_table(size: int, sampling_factor: float = 1e-5) -> np.ndarray:
    """Probability of keeping a word of rank ``i`` (``i`` in ``0..size-1``), word2vec style.

    word2vec keeps a word of frequency ``f`` with probability
    ``min(1, sqrt(sampling_factor / f))``; frequencies are approximated by Zipf's
    law, ``1/f(rank) ~ rank * (log(rank) + gamma) + 1/2 - 1/(12 rank)`` with
    gamma = 0.577 (rank 0 is treated as rank 1).
    """
    gamma = 0.577
    rank = np.arange(size)
    rank[0] = 1
    inv_fq = rank * (np.log(rank) + gamma) + 0.5 - 1.0 / (12.0 * rank)
    f = sampling_factor * inv_fq
    return np.minimum(1.0, f / np.sqrt(f))


def _positive_pairs(sequence, window_size, categorical, sampling_table):
    couples, labels = [], []
    for i, wi in enumerate(sequence):
        if not wi:  # index 0 is the non-word (padding)
            continue
        if sampling_table is not None and sampling_table[wi] < random.random():
            continue
        for j in range(max(0, i - window_size), min(len(sequence), i + window_size + 1)):
            if j != i and sequence[j]:
                couples.append([wi, sequence[j]])
                labels.append([0, 1] if categorical else 1)
    return couples, labels


def skipgrams(sequence, vocabulary_size: int, window_size: int = 4, negative_samples: float = 1.0,
              shuffle: bool = True, categorical: bool = False, sampling_table=None):
    """``(couples, labels)``: ``[word, context]`` pairs labelled 1, random pairs labelled 0.

    Each non-zero word is paired with the non-zero words at most ``window_size``
    positions away (label 1, or ``[0, 1]`` if ``categorical``).  Then
    ``int(n_positive * negative_samples)`` pairs of a (shuffled) positive word
    and a random index in ``[1, vocabulary_size)`` are added (label 0 or
    ``[1, 0]``).  Uses Python's ``random`` module, as 1.2.2 did.
    """
    couples, labels = _positive_pairs(sequence, window_size, categorical, sampling_table)
    if negative_samples > 0 and couples:
        nb_negative = int(len(labels) * negative_samples)
        words = [c[0] for c in couples]
        random.shuffle(words)
        couples += [[words[i % len(words)], random.randint(1, vocabulary_size - 1)]
                    for i in range(nb_negative)]
        labels += [[1, 0] if categorical else 0 for _ in range(nb_negative)]
    if shuffle:
        # Same seed for both shuffles keeps couples and labels aligned.
        seed = random.randint(0, 10_000_000)
        random.seed(seed)
        random.shuffle(couples)
        random.seed(seed)
        random.shuffle(labels)
    return couples, labels
