"""pad_sequences, make_sampling_table, skipgrams (Keras 1.2.2 semantics)."""
import random

import numpy as np
import pytest

from tinygrad_keras.preprocessing.sequence import make_sampling_table, pad_sequences, skipgrams


def test_pad_defaults_pre_pad_pre_truncate():
    seqs = [[1], [1, 2], [1, 2, 3]]
    out = pad_sequences(seqs)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, [[0, 0, 1], [0, 1, 2], [1, 2, 3]])
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=2), [[0, 1], [1, 2], [2, 3]])


def test_pad_post_and_truncate_post_and_value():
    seqs = [[1], [1, 2], [1, 2, 3]]
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=2, padding="post", truncating="post"),
                                  [[1, 0], [1, 2], [1, 2]])
    out = pad_sequences(seqs, maxlen=4, value=-1.5, dtype="float32", padding="post")
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out[0], [1, -1.5, -1.5, -1.5])


def test_pad_empty_sequences_and_object_arrays():
    seqs = np.empty(3, dtype=object)
    seqs[:] = [[], [5, 6], [7]]
    np.testing.assert_array_equal(pad_sequences(seqs, value=9), [[9, 9], [5, 6], [9, 7]])
    assert pad_sequences([]).shape == (0, 0)


def test_pad_keeps_timestep_shape():
    seqs = [np.ones((3, 2)), np.full((1, 2), 2.0)]
    out = pad_sequences(seqs, maxlen=2, dtype="float64")
    assert out.shape == (2, 2, 2)
    np.testing.assert_array_equal(out[1], [[0, 0], [2, 2]])
    with pytest.raises(ValueError, match=r"Shape of sample \(3,\) of sequence at position 1"):
        pad_sequences([np.ones((2, 2)), np.ones((2, 3))])


def test_pad_rejects_unknown_modes():
    with pytest.raises(ValueError, match='Padding type "middle"'):
        pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match='Truncating type "both"'):
        pad_sequences([[1]], truncating="both")


def test_sampling_table_values():
    table = make_sampling_table(5, sampling_factor=1e-5)
    rank = np.array([1, 1, 2, 3, 4], dtype=float)
    f = 1e-5 * (rank * (np.log(rank) + 0.577) + 0.5 - 1 / (12 * rank))
    np.testing.assert_allclose(table, np.sqrt(f))  # all below 1 here
    assert make_sampling_table(10, sampling_factor=1.0)[3] == 1.0


def test_skipgrams_positive_pairs_without_negatives():
    couples, labels = skipgrams([1, 2, 0, 3], vocabulary_size=4, window_size=1,
                                negative_samples=0, shuffle=False)
    assert couples == [[1, 2], [2, 1]] and labels == [1, 1]  # 0 is a non-word, never paired
    couples, labels = skipgrams([1, 2, 3], 4, window_size=2, negative_samples=0, shuffle=False,
                                categorical=True)
    assert len(couples) == 6 and labels == [[0, 1]] * 6


def test_skipgrams_negatives_and_shuffle_keep_alignment():
    random.seed(0)
    seq = [1, 2, 3, 4, 5, 6]
    couples, labels = skipgrams(seq, vocabulary_size=50, window_size=2, negative_samples=2.0)
    positives = {tuple(c) for c, lab in zip(couples, labels) if lab == 1}
    expected = {(a, b) for i, a in enumerate(seq) for j, b in enumerate(seq) if 0 < abs(i - j) <= 2}
    assert positives == expected
    negatives = [c for c, lab in zip(couples, labels) if lab == 0]
    assert len(negatives) == 2 * len(expected)
    assert all(c[0] in seq and 1 <= c[1] < 50 for c in negatives)


def test_skipgrams_sampling_table_drops_words():
    random.seed(1)
    couples, _ = skipgrams([1, 2, 3], 4, window_size=1, negative_samples=0, shuffle=False,
                           sampling_table=np.array([0.0, 1.0, 0.0, 1.0]))
    assert couples == [[1, 2], [3, 2]]  # word 2 is never a target (keep probability 0)
