"""CTC: the loss against a brute-force sum over all alignments, its gradient against
finite differences, stability on long labels, and greedy/beam-search decoding against
exhaustive search."""
import itertools
import math

import numpy as np
import pytest

from tinygrad_keras import backend as K
from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.autodiff import functional as F
from tinygrad_keras.autodiff.gradcheck import gradcheck


def collapse(path, blank):
    """An alignment's labelling: merge repeats, then drop blanks."""
    merged = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
    return tuple(k for k in merged if k != blank)


def labelling_probs(probs, length):
    """Exhaustive: p(labelling) for every labelling reachable in ``length`` steps."""
    p = probs + 1e-8
    blank = p.shape[1] - 1
    totals = {}
    for path in itertools.product(range(p.shape[1]), repeat=length):
        key = collapse(path, blank)
        totals[key] = totals.get(key, 0.0) + np.prod(p[np.arange(length), path])
    return totals


def shortest_alignments(label, steps: int) -> int:
    """How many length-``steps`` paths spell ``label`` with one step per label (the
    rest blanks): choose the label steps, keeping a blank between repeated labels."""
    repeats = int(np.sum(label[1:] == label[:-1]))
    return math.comb(steps - repeats, len(label))


def random_probs(rng, shape):
    z = rng.standard_normal(shape) * 1.5
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


CASES = [  # (labels per sample (padded with -1 as junk), input lengths, T, classes)
    ([[0, 1], [1, 1], [2, -1]], [4, 5, 3], 5, 4),
    ([[0, -1, -1], [1, 0, 1], [-1, -1, -1]], [3, 5, 2], 5, 3),
    ([[0, 0, 0]], [5], 5, 2),
]


@pytest.mark.parametrize("labels, input_lengths, T, classes", CASES)
def test_loss_equals_brute_force_sum_over_alignments(labels, input_lengths, T, classes):
    rng = np.random.default_rng(0)
    labels = np.array(labels)
    lengths = (labels >= 0).sum(1)
    probs = random_probs(rng, (len(labels), T, classes))
    got = K.ctc_batch_cost(labels, probs, np.array(input_lengths)[:, None],
                           lengths[:, None]).data
    assert got.shape == (len(labels), 1)
    for b, (row, n, t) in enumerate(zip(labels, lengths, input_lengths)):
        expected = -np.log(labelling_probs(probs[b, :t], t)[tuple(row[:n])])
        np.testing.assert_allclose(got[b, 0], expected, rtol=1e-10)


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(1)
    labels, lengths, inputs = np.array([[0, 0, 1], [2, 1, 0]]), [[3], [2]], [[6], [4]]
    logits = Tensor(rng.standard_normal((2, 6, 4)), requires_grad=True)
    assert gradcheck(lambda z: K.ctc_batch_cost(labels, F.softmax(z), inputs, lengths), logits)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_long_labels_and_confident_wrong_predictions_stay_finite(dtype):
    rng = np.random.default_rng(2)
    T, L, classes = 400, 180, 6
    labels = rng.integers(0, classes - 1, (2, L))
    probs = random_probs(rng, (2, T, classes)).astype(dtype)
    probs[1] = np.eye(classes, dtype=dtype)[np.full(T, classes - 1)]  # sure of blank: wrong
    y = Tensor(probs, requires_grad=True)
    loss = K.ctc_batch_cost(labels, y, [[T], [T - 7]], [[L], [L]])
    loss.sum().backward()
    assert loss.dtype == np.dtype(dtype) and np.all(np.isfinite(loss.data))
    assert np.all(np.isfinite(y.grad))
    # sure of the blank: the alignments with one step per label have probability
    # 1e-8**L * (1 + 1e-8)**(T' - L) each, every other one is 1e-8 times smaller or less
    t_used = T - 7
    expected = -(L * np.log(1e-8) + (t_used - L) * np.log1p(1e-8)
                 + np.log(float(shortest_alignments(labels[1], t_used))))
    np.testing.assert_allclose(loss.data[1, 0], expected, rtol=1e-5)
    if dtype == "float32":
        ref = K.ctc_batch_cost(labels, probs.astype("float64"), [[T], [T - 7]], [[L], [L]])
        np.testing.assert_allclose(loss.data, ref.data, rtol=1e-4)


def test_bad_labels_and_lengths_are_named():
    probs = np.full((1, 3, 3), 1 / 3)
    with pytest.raises(ValueError, match="no alignment exists"):
        K.ctc_batch_cost([[1, 1]], probs, [[2]], [[2]])
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\]"):
        K.ctc_batch_cost([[3]], probs, [[3]], [[1]])
    with pytest.raises(ValueError, match="input_length of sample 0 is 4"):
        K.ctc_batch_cost([[0]], probs, [[4]], [[1]])
    with pytest.raises(ValueError, match="one length per sample"):
        K.ctc_batch_cost([[0]], probs, [[3], [3]], [[1]])


def test_training_on_the_loss_learns_the_label():
    rng = np.random.default_rng(3)
    label = np.array([[1, 0, 0, 2]])
    logits = Tensor(rng.standard_normal((1, 8, 4)) * 0.1, requires_grad=True)
    for _ in range(150):
        logits.grad = None
        K.ctc_batch_cost(label, F.softmax(logits), [[8]], [[4]]).sum().backward()
        logits.data -= 0.5 * logits.grad
    decoded, _ = K.ctc_decode(F.softmax(logits), [8])
    assert decoded[0].data.tolist() == [[1, 0, 0, 2]]


def test_dense_to_sparse():
    sparse = K.ctc_label_dense_to_sparse(np.array([[3, 1, 9], [4, 9, 9]]), np.array([2, 1]))
    assert sparse.indices.tolist() == [[0, 0], [0, 1], [1, 0]]
    assert sparse.values.tolist() == [3, 1, 4] and sparse.dense_shape.tolist() == [2, 3]
    assert sparse.toarray().tolist() == [[3, 1, 0], [4, 0, 0]] and sparse.nnz == 3


def test_greedy_decoding_merges_repeats_drops_blanks_and_pads():
    blank = 3
    best = [[0, 0, blank, 0, 1, 1], [2, blank, blank, blank, blank, blank]]
    probs = np.full((2, 6, 4), 0.1)
    for b, row in enumerate(best):
        probs[b, np.arange(6), row] = 0.7
    decoded, log_prob = K.ctc_decode(probs, np.array([6, 6]))
    assert len(decoded) == 1 and decoded[0].data.tolist() == [[0, 0, 1], [2, -1, -1]]
    np.testing.assert_allclose(log_prob.data, -6 * np.log(0.7 + 1e-8) * np.ones((2, 1)),
                               rtol=1e-6)
    short, _ = K.ctc_decode(probs, np.array([2, 1]))
    assert short[0].data.tolist() == [[0], [2]]


def test_beam_search_equals_exhaustive_ranking():
    rng = np.random.default_rng(4)
    probs = random_probs(rng, (2, 4, 3))
    lengths = np.array([4, 3])
    decoded, log_prob = K.ctc_decode(probs, lengths, greedy=False, beam_width=100, top_paths=3)
    assert len(decoded) == 3 and log_prob.shape == (2, 3)
    for b in range(2):
        ranked = sorted(labelling_probs(probs[b, :lengths[b]], lengths[b]).items(),
                        key=lambda kv: -kv[1])[:3]
        for i, (labelling, p) in enumerate(ranked):
            row = decoded[i].data[b]
            assert tuple(row[row >= 0]) == labelling
            np.testing.assert_allclose(log_prob.data[b, i], np.log(p), rtol=1e-6)
    with pytest.raises(ValueError, match="top_paths"):
        K.ctc_decode(probs, lengths, greedy=False, beam_width=2, top_paths=3)


def test_beam_search_keeps_a_label_repeated_across_a_blank():
    probs = np.array([[[0.9, 0.1], [0.1, 0.9], [0.9, 0.1]]])   # a, blank, a
    decoded, _ = K.ctc_decode(probs, [3], greedy=False, beam_width=10)
    assert decoded[0].data.tolist() == [[0, 0]]


def test_a_label_equal_to_the_blank_is_a_cell_emitting_the_blank():
    """As on 1.2.2's TensorFlow backend (image_ocr.py labels empty images with the
    blank class): l' = (blank, blank*, blank) over 2 steps has the state paths
    (0, 1), (1, 1), (1, 2), each emitting the blank twice."""
    probs = np.array([[[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]]])
    got = K.ctc_batch_cost([[2]], probs, [[2]], [[1]]).data[0, 0]
    np.testing.assert_allclose(got, -np.log(3 * (0.3 + 1e-8) * (0.1 + 1e-8)), rtol=1e-10)
