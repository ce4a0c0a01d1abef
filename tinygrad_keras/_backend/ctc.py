"""Connectionist Temporal Classification (Graves et al. 2006) with Keras 1.2.2's backend
signatures: ``ctc_label_dense_to_sparse``, ``ctc_batch_cost``, ``ctc_decode``.

Conventions (those of 1.2.2's TensorFlow backend): ``y_pred`` is ``(samples, time,
classes)`` softmax output, the *last* class is the blank, and probabilities enter
as ``log(y_pred + 1e-8)``.  As there, a label may also *be* the blank class (Keras
1.2.2's ``image_ocr.py`` labels its empty images that way): it is then an ordinary
label cell of the recursion whose probability is the blank's.

The loss is the forward (alpha) recursion over the label with blanks interleaved,
``l' = (blank, l1, blank, l2, ..., blank)`` of length ``S = 2L + 1``, written with
Tensor operations in log space, so its gradient comes from the autodiff engine.
"Impossible" cells hold ``NEG = -1e30`` instead of ``-inf``: every log-sum-exp then
has a finite maximum, so no ``inf - inf`` can make a NaN, and a sum of three NEG
cells stays about NEG (it cannot reach a real alignment's value).  A label that
cannot be aligned at all (too long for its input) is an error, not a huge loss.

Decoding is not differentiable and works on numpy arrays: greedy (best path) and
CTC prefix beam search.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from ..autodiff import Tensor
from ..autodiff import functional as F
from . import to_tensor

__all__ = ["ctc_batch_cost", "ctc_decode", "ctc_label_dense_to_sparse"]

NEG = -1e30       # log of "impossible", finite on purpose (see the module docstring)
EPSILON = 1e-8    # added to y_pred before the log, as Keras 1.2.2 did


class SparseLabels:
    """A ``(samples, max_length)`` label matrix in coordinate form, like TensorFlow's
    ``SparseTensor``: ``indices`` ``(n, 2)`` int64, ``values`` ``(n,)``, ``dense_shape``.
    ``toarray()`` gives the dense matrix with zeros elsewhere (so ``K.to_dense`` and
    ``K.is_sparse`` accept it)."""

    def __init__(self, indices: np.ndarray, values: np.ndarray, dense_shape: tuple):
        self.indices, self.values = indices, values
        self.dense_shape = np.asarray(dense_shape, dtype=np.int64)

    @property
    def nnz(self) -> int:
        return len(self.values)

    def toarray(self) -> np.ndarray:
        dense = np.zeros(tuple(self.dense_shape), dtype=self.values.dtype)
        dense[tuple(self.indices.T)] = self.values
        return dense


def _array(x, what: str, dtype=None) -> np.ndarray:
    value = x.data if isinstance(x, Tensor) else getattr(to_tensor(x), "data", x)
    arr = np.asarray(value)
    return arr.astype(dtype) if dtype is not None else arr


def _lengths(x, samples: int, what: str) -> np.ndarray:
    """``(samples,)`` or ``(samples, 1)`` lengths as ints."""
    arr = _array(x, what)
    flat = arr.reshape(-1)
    if flat.size != samples:
        raise ValueError(f"{what} must hold one length per sample ({samples}), got shape "
                         f"{arr.shape}")
    ints = np.rint(flat).astype(np.int64)
    if np.any(np.abs(flat - ints) > 1e-6) or np.any(ints < 0):
        raise ValueError(f"{what} must be non-negative integers, got {flat.tolist()}")
    return ints


def ctc_label_dense_to_sparse(labels, label_lengths) -> SparseLabels:
    """The first ``label_lengths[i]`` entries of each row of ``labels`` ``(samples,
    max_length)``, in coordinate form (row-major order)."""
    dense = _array(labels, "labels")
    if dense.ndim != 2:
        raise ValueError(f"ctc_label_dense_to_sparse: labels must be (samples, max_length), "
                         f"got shape {dense.shape}")
    lengths = _lengths(label_lengths, dense.shape[0], "label_lengths")
    if np.any(lengths > dense.shape[1]):
        raise ValueError(f"label_lengths {lengths.tolist()} exceed the label width "
                         f"{dense.shape[1]}")
    keep = np.arange(dense.shape[1])[None, :] < lengths[:, None]
    indices = np.argwhere(keep).astype(np.int64)
    return SparseLabels(indices, dense[keep], dense.shape)


# ---- the loss -----------------------------------------------------------------------
def _extended_labels(labels: np.ndarray, lengths: np.ndarray, blank: int):
    """``l'`` per sample, padded with blanks to ``S = 2 * max(L) + 1``, and where the
    skip transition ``s - 2 -> s`` is allowed: into a label that differs from the label
    before it (blank cells never differ from the blank two cells back)."""
    samples = len(labels)
    width = 2 * int(lengths.max(initial=0)) + 1
    ext = np.full((samples, width), blank, dtype=np.int64)
    for b, n in enumerate(lengths):
        ext[b, 1:2 * n:2] = labels[b, :n]
    skip = np.zeros_like(ext, dtype=bool)
    skip[:, 2:] = ext[:, 2:] != ext[:, :-2]
    return ext, skip


def _check_labels(labels, lengths, input_lengths, timesteps, blank) -> None:
    for b, (n, t) in enumerate(zip(lengths, input_lengths)):
        row = labels[b, :n]
        if np.any((row < 0) | (row > blank)):
            raise ValueError(f"ctc_batch_cost: sample {b} has labels {row.tolist()}; labels "
                             f"must be in [0, {blank}] (y_pred has {blank + 1} classes)")
        if not 1 <= t <= timesteps:
            raise ValueError(f"ctc_batch_cost: input_length of sample {b} is {t}; it must be "
                             f"in [1, {timesteps}] (the time axis of y_pred)")
        needed = n + int(np.sum(row[1:] == row[:-1]))
        if t < needed:
            raise ValueError(f"ctc_batch_cost: sample {b} has a label of length {n} that needs "
                             f"at least {needed} timesteps (a blank between repeats), but its "
                             f"input_length is {t}: no alignment exists")


def _unstack(x, axis: int = 1) -> list:
    """Slices along ``axis`` by a binary tree of slices: a flat slice's backward makes a
    zero array the size of what it was cut from, the tree about ``2 log2(T)`` of them."""
    n = x.shape[axis]
    if n == 1:
        return [F.squeeze(x, axis)]
    index = [slice(None)] * x.ndim
    index[axis] = slice(None, n // 2)
    head = x[tuple(index)]
    index[axis] = slice(n // 2, None)
    return _unstack(head, axis) + _unstack(x[tuple(index)], axis)


def _shift(alpha, k: int, neg: np.ndarray):
    """``alpha`` moved ``k`` cells to the right along the label axis, NEG coming in."""
    width = alpha.shape[1]
    if k >= width:
        return Tensor(np.broadcast_to(neg, alpha.shape).copy())
    filler = Tensor(np.broadcast_to(neg, (alpha.shape[0], k)).copy())
    return F.concatenate([filler, alpha[:, :width - k]], axis=1)


def _logsumexp(*terms):
    """log(sum(exp(terms))) with the maximum held constant (exact for the gradient)."""
    top = np.maximum.reduce([t.data for t in terms])
    total = terms[0] - top
    total = F.exp(total)
    for t in terms[1:]:
        total = total + F.exp(t - top)
    return F.log(total) + top


def ctc_batch_cost(y_true, y_pred, input_length, label_length) -> Tensor:
    """CTC loss of every sample: ``-log p(label | y_pred)``, shape ``(samples, 1)``.

    ``y_true`` ``(samples, max_string_length)`` labels (classes ``0 .. C-2``; ``C-1``
    is accepted as TensorFlow did, see the module docstring),
    ``y_pred`` ``(samples, time, C)`` probabilities (class ``C-1`` is the blank),
    ``input_length`` / ``label_length`` ``(samples, 1)``: how many timesteps and labels
    of each sample count.

    >>> import numpy as np
    >>> y = np.full((1, 2, 2), 0.5)   # one label class and the blank, 2 steps
    >>> round(float(ctc_batch_cost([[0]], y, [[2]], [[1]]).data[0, 0]), 4)  # 3 of 4 paths
    0.2877
    """
    probs = to_tensor(y_pred)
    if probs.ndim != 3:
        raise ValueError(f"ctc_batch_cost: y_pred must be (samples, time, classes), got shape "
                         f"{probs.shape}")
    samples, timesteps, classes = probs.shape
    blank = classes - 1
    labels = _array(y_true, "y_true")
    labels = labels.reshape(samples, -1) if labels.size else np.zeros((samples, 0))
    labels = np.rint(labels).astype(np.int64)
    lengths = _lengths(label_length, samples, "label_length")
    inputs = _lengths(input_length, samples, "input_length")
    if np.any(lengths > labels.shape[1]):
        raise ValueError(f"ctc_batch_cost: label_length {lengths.tolist()} exceeds the width "
                         f"of y_true ({labels.shape[1]})")
    _check_labels(labels, lengths, inputs, timesteps, blank)
    ext, skip = _extended_labels(labels, lengths, blank)
    width = ext.shape[1]
    neg = np.asarray(NEG, dtype=probs.dtype)

    logp = F.log(probs + EPSILON)
    rows = np.arange(samples)[:, None, None]
    steps = np.arange(timesteps)[None, :, None]
    emissions = _unstack(logp[rows, steps, ext[:, None, :]])    # T x (samples, S)

    start = np.zeros((samples, width), dtype=bool)
    start[:, 0] = True
    start[:, 1:2] = (lengths > 0)[:, None]
    alpha = F.where(start, emissions[0], neg)
    for t in range(1, timesteps):
        stay, step = alpha, _shift(alpha, 1, neg)
        jump = F.where(skip, _shift(alpha, 2, neg), neg)
        moved = _logsumexp(stay, step, jump) + emissions[t]
        alpha = F.where((t < inputs)[:, None], moved, alpha)   # finished samples keep theirs

    last = 2 * lengths                                           # index of the final blank
    end = alpha[np.arange(samples), last]
    before = F.where(lengths > 0, alpha[np.arange(samples), np.maximum(last - 1, 0)], neg)
    return F.reshape(-_logsumexp(end, before), (samples, 1))


# ---- decoding -------------------------------------------------------------------------
def _dense(sequences: list) -> Tensor:
    width = max((len(s) for s in sequences), default=0)
    out = np.full((len(sequences), width), -1, dtype=np.int64)
    for b, seq in enumerate(sequences):
        out[b, :len(seq)] = seq
    return Tensor(out)


def _greedy(logp: np.ndarray, length: int, blank: int):
    best = logp[:length].argmax(axis=1)
    keep = np.ones(length, dtype=bool)
    keep[1:] = best[1:] != best[:-1]
    seq = [int(k) for k in best[keep] if k != blank]
    return seq, -float(logp[np.arange(length), best].sum())


def _beam_search(logp: np.ndarray, length: int, blank: int, beam_width: int, top_paths: int):
    """CTC prefix beam search: each beam is a label prefix with the log probability of
    its alignments ending in a blank (``pb``) and in its last label (``pnb``)."""
    beams = {(): (0.0, -np.inf)}
    for t in range(length):
        grown = defaultdict(lambda: [-np.inf, -np.inf])
        for prefix, (pb, pnb) in beams.items():
            total = np.logaddexp(pb, pnb)
            cell = grown[prefix]
            cell[0] = np.logaddexp(cell[0], total + logp[t, blank])
            for k in range(len(logp[t])):
                if k == blank:
                    continue
                longer = grown[prefix + (k,)]
                if prefix and prefix[-1] == k:   # a repeat needs a blank in between
                    longer[1] = np.logaddexp(longer[1], pb + logp[t, k])
                    cell[1] = np.logaddexp(cell[1], pnb + logp[t, k])
                else:
                    longer[1] = np.logaddexp(longer[1], total + logp[t, k])
        ranked = sorted(grown.items(), key=lambda kv: (-np.logaddexp(*kv[1]), kv[0]))
        beams = {prefix: tuple(p) for prefix, p in ranked[:beam_width]}
    ranked = sorted(beams.items(), key=lambda kv: (-np.logaddexp(*kv[1]), kv[0]))[:top_paths]
    found = [(list(prefix), float(np.logaddexp(*p))) for prefix, p in ranked]
    return found + [([], -np.inf)] * (top_paths - len(found))   # fewer distinct prefixes


def ctc_decode(y_pred, input_length, greedy: bool = True, beam_width: int = 100,
               top_paths: int = 1):
    """Decode ``y_pred`` ``(samples, time, classes)`` (blank last) into label sequences.

    Returns ``(decoded, log_prob)`` as Keras 1.2.2's TensorFlow backend did:
    ``decoded`` is a list (one entry, or ``top_paths`` entries for beam search) of int64
    Tensors ``(samples, longest decoded length)`` padded with ``-1``.  ``log_prob`` is
    ``(samples, 1)`` for greedy decoding, holding (as TensorFlow's greedy decoder)
    the *negative* sum over time of the best class's log probability, and
    ``(samples, top_paths)`` for beam search, holding each path's log probability
    (summed over its alignments; ``-inf`` pads missing paths).

    Beam search is the standard CTC prefix search: unlike TensorFlow's decoder with
    its default ``merge_repeated=True``, it keeps a label repeated across a blank
    ("a-a" decodes to "aa", not "a").
    """
    probs = np.asarray(to_tensor(y_pred).data)
    if probs.ndim != 3:
        raise ValueError(f"ctc_decode: y_pred must be (samples, time, classes), got shape "
                         f"{probs.shape}")
    samples, timesteps, classes = probs.shape
    lengths = _lengths(input_length, samples, "input_length")
    if np.any(lengths > timesteps):
        raise ValueError(f"ctc_decode: input_length {lengths.tolist()} exceeds the time axis "
                         f"of y_pred ({timesteps})")
    logp = np.log(probs.astype(np.float64) + EPSILON)
    blank = classes - 1
    if greedy:
        found = [_greedy(logp[b], lengths[b], blank) for b in range(samples)]
        scores = np.array([[s] for _, s in found], dtype=probs.dtype)
        return [_dense([seq for seq, _ in found])], Tensor(scores)
    if not 1 <= top_paths <= beam_width:
        raise ValueError(f"ctc_decode: need 1 <= top_paths <= beam_width, got top_paths="
                         f"{top_paths}, beam_width={beam_width}")
    paths = [_beam_search(logp[b], lengths[b], blank, beam_width, top_paths)
             for b in range(samples)]
    decoded = [_dense([paths[b][i][0] for b in range(samples)]) for i in range(top_paths)]
    scores = np.array([[p[1] for p in row] for row in paths], dtype=probs.dtype)
    return decoded, Tensor(scores)
