"""Every primitive and Tensor method, one line each: forward == numpy, gradcheck,
no input mutation, float32 preserved (see ``harness.py``)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.autodiff import op_draws as D
from tests.autodiff.harness import binary, check_case, covered_ops, graph_ops, tensors_for, unary
from tests.autodiff.harness import with_options as opt
from tinygrad_keras.autodiff import functional as F
from tinygrad_keras.autodiff.ops import fused as FU
from tinygrad_keras.autodiff.ops.movement import ScatterAdd
from tinygrad_keras.testing import strategies as tst


def _np_softmax(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _np_log_softmax(a, axis):
    s = a - a.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def _np_scatter_add(a, index):
    out = np.zeros_like(a)
    np.add.at(out, index, a[index])
    return out


def _np_linear(x, w, b=None, relu=False, softmax=False):
    y = x @ w if b is None else x @ w + b
    return _np_softmax(y, -1) if softmax else np.maximum(y, 0) if relu else y


def _linear_off_kink(x, w, b=None, relu=False, softmax=False):
    return not relu or tst.away_from(_np_linear(x, w, b))


def _np_crossentropy(p, t):
    q = np.clip(p / p.sum(axis=-1, keepdims=True), 1e-7, 1 - 1e-7)
    return -(t * np.log(q)).sum(axis=-1)


def _apart(a, b):
    return tst.away_from(np.asarray(a) - np.asarray(b), margin=1e-3)


CASES = [
    # elementwise, operators and their reflected forms
    binary("add", lambda a, b: a + b, np.add, covers={"Add"}),
    binary("sub", lambda a, b: a - b, np.subtract, covers={"Sub"}),
    binary("mul", lambda a, b: a * b, np.multiply, covers={"Mul"}),
    binary("div", lambda a, b: a / b, np.divide, ("real", "nonzero"), covers={"Div"}),
    binary("pow", lambda a, b: a ** b, np.power, ("positive", "real"), covers={"Pow"}),
    binary("maximum", lambda a, b: a.maximum(b), np.maximum, covers={"Maximum"}, valid=_apart),
    binary("minimum", lambda a, b: a.minimum(b), np.minimum, covers={"Minimum"}, valid=_apart),
    unary("radd", lambda a: 2.5 + a, lambda a: 2.5 + a, covers={"Add"}),
    unary("rsub", lambda a: 1 - a, lambda a: 1 - a, covers={"Sub"}),
    unary("rmul", lambda a: 3 * a, lambda a: 3 * a, covers={"Mul"}),
    unary("rdiv", lambda a: 2 / a, lambda a: 2 / a, "nonzero", covers={"Div"}),
    unary("rpow", lambda a: 2 ** a, lambda a: 2 ** a, covers={"Pow"}),
    unary("neg", lambda a: -a, np.negative, covers={"Neg"}),
    opt("pow_const", lambda a, p: a ** p, lambda a, p: a ** p, D.pow_const(), covers={"PowConst"}),
    unary("square", lambda a: a.square(), np.square, covers={"PowConst"}),
    unary("exp", lambda a: a.exp(), np.exp, covers={"Exp"}),
    unary("log", lambda a: a.log(), np.log, "positive", covers={"Log"}),
    unary("sqrt", lambda a: a.sqrt(), np.sqrt, "positive", covers={"Sqrt"}),
    unary("abs", lambda a: a.abs(), np.abs, "nonzero", covers={"Abs"}),
    unary("abs_op", lambda a: abs(a), np.abs, "nonzero", covers={"Abs"}),
    unary("tanh", lambda a: a.tanh(), np.tanh, covers={"Tanh"}),
    unary("sin", lambda a: a.sin(), np.sin, covers={"Sin"}),
    unary("cos", lambda a: a.cos(), np.cos, covers={"Cos"}),
    unary("sigmoid", lambda a: a.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), covers={"Sigmoid"}),
    unary("relu", lambda a: a.relu(), lambda a: np.maximum(a, 0), "nonzero", covers={"Relu"}),
    unary("clip", lambda a: a.clip(-1.0, 1.0), lambda a: np.clip(a, -1, 1), covers={"Clip"},
          valid=lambda a: tst.away_from(a, (-1.0, 1.0))),
    unary("clip_lo", lambda a: F.clip(a, lo=0.5), lambda a: np.clip(a, 0.5, None),
          covers={"Clip"}, valid=lambda a: tst.away_from(a, (0.5,))),
    opt("where", F.where, np.where, D.where(), covers={"Where"}),
    unary("astype", lambda a: a.astype(np.float64), lambda a: a, covers={"Cast"},
          float32=False),
    # reductions
    opt("sum", lambda a, axis, keepdims: a.sum(axis=axis, keepdims=keepdims), np.sum,
        D.reduction(), covers={"Sum"}),
    opt("mean", lambda a, axis, keepdims: a.mean(axis=axis, keepdims=keepdims), np.mean,
        D.reduction(), covers={"Mean"}),
    opt("mean_composite", lambda a, axis, keepdims: F.mean_composite(a, axis, keepdims),
        np.mean, D.reduction(), covers={"Sum", "Mul"}),
    opt("max", lambda a, axis, keepdims: a.max(axis=axis, keepdims=keepdims), np.max,
        D.reduction(), covers={"Max"}, valid=lambda a, **_: tst.well_separated(a)),
    opt("min", lambda a, axis, keepdims: a.min(axis=axis, keepdims=keepdims), np.min,
        D.reduction(), covers={"Min"}, valid=lambda a, **_: tst.well_separated(a)),
    opt("prod", lambda a, axis, keepdims: a.prod(axis=axis, keepdims=keepdims), np.prod,
        D.reduction(), covers={"Prod"}),
    # movement
    opt("reshape", lambda a, shape: a.reshape(shape), np.reshape, D.reshape(),
        covers={"Reshape"}),
    opt("transpose", lambda a, axes: a.transpose(axes), np.transpose, D.transpose(),
        covers={"Transpose"}),
    unary("T", lambda a: a.T, np.transpose, covers={"Transpose"}),
    opt("permute", lambda a, axes: a.permute(*axes), np.transpose, D.transpose(permutation=True),
        covers={"Transpose"}),
    unary("flatten", lambda a: a.flatten(), np.ravel, covers={"Reshape"}),
    opt("broadcast_to", lambda a, shape: a.broadcast_to(shape), np.broadcast_to,
        D.broadcast_to(), covers={"BroadcastTo"}),
    opt("getitem_basic", lambda a, index: a[index], lambda a, index: a[index],
        D.basic_index(), covers={"GetItem"}),
    opt("getitem_gather", lambda a, index: a[index], lambda a, index: a[index],
        D.gather_index(), covers={"GetItem"}),
    opt("getitem_mask", lambda a, index: a[index], lambda a, index: a[index],
        D.mask_index(), covers={"GetItem"}),
    opt("scatter_add", lambda a, index: ScatterAdd.apply(a[index], shape=a.shape, index=index),
        _np_scatter_add, D.gather_index(), covers={"ScatterAdd"}),
    opt("concatenate", lambda *ts, axis: F.concatenate(ts, axis=axis),
        lambda *arrs, axis: np.concatenate(arrs, axis=axis), D.concat(), covers={"Concatenate"}),
    opt("stack", lambda *ts, axis: F.stack(ts, axis=axis),
        lambda *arrs, axis: np.stack(arrs, axis=axis), D.stack(), covers={"Concatenate"}),
    opt("split", lambda a, n, axis: F.concatenate(a.split(n, axis=axis)[::-1], axis=axis),
        lambda a, n, axis: np.concatenate(np.split(a, n, axis=axis)[::-1], axis=axis),
        D.split(), covers={"GetItem"}),
    opt("squeeze", lambda a, axis: a.squeeze(axis), np.squeeze, D.squeeze(), covers={"Reshape"}),
    opt("expand_dims", lambda a, axis: a.expand_dims(axis), np.expand_dims, D.expand_dims(),
        covers={"Reshape"}),
    opt("pad", lambda a, pad_width: a.pad(pad_width), np.pad, D.pad(), covers={"Pad"}),
    opt("repeat", lambda a, repeats, axis: a.repeat(repeats, axis=axis), np.repeat,
        D.repeat(counts=False), covers={"BroadcastTo"}),
    opt("repeat_counts", lambda a, repeats, axis: a.repeat(repeats, axis=axis), np.repeat,
        D.repeat(counts=True), covers={"GetItem"}),
    opt("tile", lambda a, reps: a.tile(reps), np.tile, D.tile(), covers={"BroadcastTo"}),
    opt("flip", lambda a, axis: a.flip(axis), np.flip, D.flip(), covers={"GetItem"}),
    # linear algebra and neural-net
    opt("matmul", lambda a, b: a @ b, np.matmul, D.matmul(), covers={"MatMul"}),
    opt("rmatmul", lambda a, b: a.data @ b, np.matmul, D.matmul(), covers={"MatMul"},
        grad_inputs=(1,)),
    opt("softmax", lambda a, axis: a.softmax(axis), _np_softmax, D.one_axis(),
        covers={"Softmax"}),
    opt("log_softmax", lambda a, axis: a.log_softmax(axis), _np_log_softmax, D.one_axis(),
        covers={"LogSoftmax"}),
    # fused (ops/fused.py; equal to their composites in test_fused.py)
    opt("linear", F.linear, _np_linear, D.linear(), covers={"Linear"}, valid=_linear_off_kink),
    opt("rows_linear", FU.rows_linear, _np_linear, D.rows_linear(), covers={"RowsLinear"}),
    opt("categorical_crossentropy", lambda p, t: FU.CategoricalCrossentropy.apply(p, t),
        _np_crossentropy, D.probabilities_and_targets(), covers={"CategoricalCrossentropy"}),
    opt("categorical_crossentropy_mean",
        lambda p, t: FU.CategoricalCrossentropy.apply(p, t, mean=True),
        lambda p, t: _np_crossentropy(p, t).mean(), D.probabilities_and_targets(),
        covers={"CategoricalCrossentropy"}),
]

TESTED_OPS = covered_ops(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@given(data=st.data())
def test_op(case, data):
    check_case(case, data.draw(case.draw))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@settings(max_examples=3)
@given(data=st.data())
def test_case_covers_the_ops_it_claims(case, data):
    """A case may list a primitive in ``covers`` only if its graph really uses it."""
    arrays, options = data.draw(case.draw)
    out = case.fn(*tensors_for(arrays, case.grad_inputs), **options)
    missing = set(case.covers) - graph_ops(out)
    assert not missing, f"{case.name} claims {missing} but its graph has {graph_ops(out)}"
