"""Functions on Tensors: thin wrappers over the primitives, and composites.

A composite is built only from primitives and has no backward of its own: its
gradient comes from the engine.  Where an op is a primitive anyway for speed or
stability, the reason is written in its docstring in ``ops/``.  The composites
that rearrange elements (stack, split, pad, ...) live in ``shaping.py`` and are
re-exported here.
"""
from __future__ import annotations

import builtins

import numpy as np

from .ops import elementwise as E
from .ops import fused as FU
from .ops import linalg as L
from .ops import movement as M
from .ops import nn as N
from .ops import reduce as R
from .shaping import expand_dims, flip, pad, repeat, split, squeeze, stack, tile  # noqa: F401
from .tensor import Tensor


def as_tensor(x, like: Tensor | None = None) -> Tensor:
    """``x`` as a Tensor; numbers and arrays take ``like``'s float dtype."""
    if isinstance(x, Tensor):
        return x
    return like._lift(x) if like is not None else Tensor(x)


# ---- elementwise -------------------------------------------------------------------
def add(a, b):
    a = as_tensor(a)
    return E.Add.apply(a, a._lift(b))


def sub(a, b):
    a = as_tensor(a)
    return E.Sub.apply(a, a._lift(b))


def mul(a, b):
    a = as_tensor(a)
    return E.Mul.apply(a, a._lift(b))


def div(a, b):
    a = as_tensor(a)
    return E.Div.apply(a, a._lift(b))


def neg(a):
    return E.Neg.apply(a)


def pow(a, b):
    a = as_tensor(a)
    if isinstance(b, (int, float)) and not isinstance(b, bool):
        return E.PowConst.apply(a, p=b)
    return E.Pow.apply(a, a._lift(b))


def exp(a):
    return E.Exp.apply(a)


def log(a):
    return E.Log.apply(a)


def sqrt(a):
    return E.Sqrt.apply(a)


def abs(a):
    return E.Abs.apply(a)


def sin(a):
    return E.Sin.apply(a)


def cos(a):
    return E.Cos.apply(a)


def tanh(a):
    return E.Tanh.apply(a)


def sigmoid(a):
    return E.Sigmoid.apply(a)


def relu(a):
    return E.Relu.apply(a)


def maximum(a, b):
    a = as_tensor(a)
    return E.Maximum.apply(a, a._lift(b))


def minimum(a, b):
    a = as_tensor(a)
    return E.Minimum.apply(a, a._lift(b))


def clip(a, lo=None, hi=None):
    return E.Clip.apply(a, lo=lo, hi=hi)


def where(cond, a, b):
    """``a`` where ``cond`` is true, else ``b``; ``cond`` carries no gradient."""
    cond = cond.data if isinstance(cond, Tensor) else np.asarray(cond)
    ref = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else Tensor(a)
    return E.Where.apply(Tensor(cond), ref._lift(a), ref._lift(b))


def square(a):
    return E.PowConst.apply(a, p=2)


# ---- reductions ----------------------------------------------------------------------
def sum(a, axis=None, keepdims=False):
    return R.Sum.apply(a, axis=axis, keepdims=keepdims)


def mean(a, axis=None, keepdims=False):
    """``sum * (1 / count)``: one ``Mean`` node (a primitive: every loss ends in one)."""
    return R.Mean.apply(as_tensor(a), axis=axis, keepdims=keepdims)


def mean_composite(a, axis=None, keepdims=False):
    """The readable ``mean``: a ``Sum`` node and a ``Mul`` by ``1 / count``."""
    a = as_tensor(a)
    axes = R.normalize_axis(axis, a.ndim)
    count = int(np.prod([a.shape[i] for i in axes])) if axes else 1
    return sum(a, axis=axes, keepdims=keepdims) * (1.0 / builtins.max(count, 1))


def max(a, axis=None, keepdims=False):
    return R.Max.apply(a, axis=axis, keepdims=keepdims)


def min(a, axis=None, keepdims=False):
    return R.Min.apply(a, axis=axis, keepdims=keepdims)


def argmax(a, axis=None) -> Tensor:
    """Index of the maximum (no gradient)."""
    return Tensor(np.argmax(as_tensor(a).data, axis=axis))


def argmin(a, axis=None) -> Tensor:
    """Index of the minimum (no gradient)."""
    return Tensor(np.argmin(as_tensor(a).data, axis=axis))


# ---- movement ----------------------------------------------------------------------
def reshape(a, *shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return M.Reshape.apply(a, shape=shape)


def transpose(a, axes=None):
    return M.Transpose.apply(a, axes=axes)


def broadcast_to(a, shape):
    return M.BroadcastTo.apply(a, shape=tuple(shape))


def getitem(a, index):
    """``a[index]``: ints, slices, Ellipsis, None, integer arrays (a gather whose
    backward scatter-adds, so repeated indices accumulate) and boolean masks.

    Float index arrays (Keras feeds word ids as floats) are cast to integers.
    """
    if isinstance(index, tuple):
        index = tuple(_index_part(i) for i in index)
    else:
        index = _index_part(index)
    return M.GetItem.apply(a, index=index)


def _index_part(part):
    if isinstance(part, Tensor):
        part = part.data
    elif isinstance(part, list):
        part = np.asarray(part)
    if isinstance(part, np.ndarray) and part.dtype.kind == "f":
        part = part.astype(np.intp)
    return part


def concatenate(tensors, axis=0):
    tensors = [as_tensor(t) for t in tensors]
    return M.Concatenate.apply(*tensors, axis=axis)


# ---- linear algebra -------------------------------------------------------------
def matmul(a, b):
    a = as_tensor(a)
    return L.MatMul.apply(a, a._lift(b))


def prod(a, axis=None, keepdims=False):
    return R.Prod.apply(a, axis=axis, keepdims=keepdims)


def linear(x, w, b=None, relu: bool = False, softmax: bool = False) -> Tensor:
    """``x @ w + b``, then relu or softmax (last axis) if asked: what a Dense layer computes.

    One fused ``Linear`` node (``ops/fused.py``, for speed) when ``x`` is ``(N, k)``,
    ``w`` ``(k, m)`` and ``b`` ``(m,)`` or None, all Tensors of one float dtype;
    otherwise :func:`linear_composite`, which gives the same numbers.
    """
    if relu and softmax:
        raise ValueError("linear: relu and softmax cannot both be applied")
    x = as_tensor(x)
    if _fits_linear(x, w, b):
        options = {"relu": relu, "softmax": softmax}
        return FU.Linear.apply(x, w, **options) if b is None else FU.Linear.apply(x, w, b,
                                                                                **options)
    return linear_composite(x, w, b, relu, softmax)


def linear_composite(x, w, b=None, relu: bool = False, softmax: bool = False) -> Tensor:
    """The readable ``linear``: ``MatMul``, ``Add`` and ``Relu`` or ``Softmax`` nodes (any
    shapes)."""
    y = matmul(x, w)
    if b is not None:
        y = add(y, b)
    if softmax:
        return N.Softmax.apply(y, axis=-1)
    return E.Relu.apply(y) if relu else y


def _fits_linear(x: Tensor, w, b) -> bool:
    dtype = x.data.dtype
    return (type(w) is Tensor and x.data.ndim == 2 and w.data.ndim == 2 and dtype.kind == "f"
            and x.data.shape[1] == w.data.shape[0] and w.data.dtype == dtype
            and (b is None or (type(b) is Tensor and b.data.shape == w.data.shape[1:]
                               and b.data.dtype == dtype)))


def softmax(a, axis=-1):
    """Max-shifted softmax along ``axis`` (a primitive, for stability and speed)."""
    return N.Softmax.apply(a, axis=axis)


def log_softmax(a, axis=-1):
    """Max-shifted log-softmax along ``axis`` (a primitive: never log(0))."""
    return N.LogSoftmax.apply(a, axis=axis)


# ---- convolution and pooling (ops/conv.py, ops/pool.py) --------------------------------
def _pair(v, what: str) -> tuple:
    pair = (v, v) if isinstance(v, (int, np.integer)) else tuple(v)
    if len(pair) != 2:
        raise ValueError(f"{what} must be an int or a pair, got {v!r}")
    return tuple(int(n) for n in pair)


def conv_padding(mode, in_hw: tuple, k_hw: tuple, stride: tuple, dilation: tuple) -> tuple:
    """``((top, bottom), (left, right))`` for ``mode`` 'valid', 'same' (TensorFlow's
    rule, extra cell after), 'full', or explicit pairs passed through."""
    from .ops.pool import same_padding

    if not isinstance(mode, str):
        return tuple(tuple(int(p) for p in pair) for pair in mode)
    if mode == "valid":
        return ((0, 0), (0, 0))
    if mode == "same":
        return tuple(same_padding(n, k, s, d) for n, k, s, d in zip(in_hw, k_hw, stride, dilation))
    if mode == "full":
        return tuple((k + (k - 1) * (d - 1) - 1,) * 2 for k, d in zip(k_hw, dilation))
    raise ValueError(f"padding/border_mode must be 'valid', 'same' or 'full', got {mode!r}")


def conv2d(x, w, stride=1, padding="valid", dilation=1, impl=None, bias=None, relu=False):
    """Cross-correlation, x (B, C, H, W) with w (F, C, kh, kw) -> (B, F, OH, OW).

    ``padding``: 'valid', 'same', 'full' or ``((top, bottom), (left, right))``.
    ``bias`` (F,), if given, is added per filter and ``relu=True`` applies relu: the
    same as ``relu(conv2d(x, w) + reshape(bias, (1, F, 1, 1)))``, done in one
    primitive (``Correlate2DBias``) that spares two passes over the output.

    >>> x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    >>> conv2d(x, Tensor(np.ones((1, 1, 2, 2))), stride=2).tolist()
    [[[[10.0, 18.0], [42.0, 50.0]]]]
    """
    from .ops.conv import Correlate2D
    from .ops.conv_bias import Correlate2DBias

    x = as_tensor(x)
    w = x._lift(w)
    stride, dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
    pads = conv_padding(padding, x.shape[2:], w.shape[2:], stride, dilation)
    options = {"stride": stride, "padding": pads, "dilation": dilation, "impl": impl}
    if bias is None:
        out = Correlate2D.apply(x, w, **options)
        return E.Relu.apply(out) if relu else out
    bias = x._lift(bias)
    if bias.shape != (w.shape[0],):
        raise ValueError(f"conv2d: bias must have shape ({w.shape[0]},) (one per filter), "
                         f"got {bias.shape}")
    return Correlate2DBias.apply(x, w, bias, relu=bool(relu), **options)


def conv1d(x, w, stride=1, padding="valid", dilation=1, impl=None):
    """Composite: 1-D cross-correlation as a 2-D one of height 1,
    x (B, C, L) with w (F, C, k) -> (B, F, OL)."""
    x = as_tensor(x)
    w = x._lift(w)
    pads = conv_padding(padding, (1, x.shape[2]), (1, w.shape[2]), (1, stride), (1, dilation))
    out = conv2d(expand_dims(x, 2), expand_dims(w, 2), (1, stride), pads, (1, dilation), impl)
    return squeeze(out, 2)


def conv_transpose2d(x, w, out_hw, stride=1, padding="valid", dilation=1, impl=None):
    """Transposed correlation ("deconvolution"): x (B, F, H, W) with the correlation
    kernel w (F, C, kh, kw) -> (B, C, *out_hw).  ``padding`` is the mode of the
    correlation this is the transpose of, worked out for an input of size ``out_hw``."""
    from .ops.conv import CorrelateTranspose2D

    x = as_tensor(x)
    w = x._lift(w)
    stride, dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
    out_hw = tuple(int(n) for n in out_hw)
    pads = conv_padding(padding, out_hw, w.shape[2:], stride, dilation)
    return CorrelateTranspose2D.apply(x, w, out_hw=out_hw, stride=stride, padding=pads,
                                      dilation=dilation, impl=impl)


def _pool2d(op, x, pool, stride, padding):
    x = as_tensor(x)
    pool = _pair(pool, "pool_size")
    stride = pool if stride is None else _pair(stride, "strides")
    pads = conv_padding(padding, x.shape[2:], pool, stride, (1, 1))
    return op.apply(x, pool=pool, stride=stride, padding=pads)


def max_pool2d(x, pool=2, stride=None, padding="valid"):
    """Max pooling of (B, C, H, W); ``stride`` defaults to ``pool``; 'same' pads
    TensorFlow-style with -inf.  Tied maxima share the gradient.

    >>> max_pool2d(Tensor(np.arange(16.0).reshape(1, 1, 4, 4))).tolist()
    [[[[5.0, 7.0], [13.0, 15.0]]]]
    """
    from .ops.pool import MaxPool2D
    return _pool2d(MaxPool2D, x, pool, stride, padding)


def avg_pool2d(x, pool=2, stride=None, padding="valid"):
    """Average pooling of (B, C, H, W); under 'same' the padded cells are left out
    of each mean (TensorFlow's rule)."""
    from .ops.pool import AvgPool2D
    return _pool2d(AvgPool2D, x, pool, stride, padding)


def max_pool1d(x, pool=2, stride=None, padding="valid"):
    """Composite: max pooling of (B, C, L) as a 2-D pooling of height 1."""
    stride = pool if stride is None else stride
    return squeeze(max_pool2d(expand_dims(x, 2), (1, pool), (1, stride), padding), 2)


def avg_pool1d(x, pool=2, stride=None, padding="valid"):
    """Composite: average pooling of (B, C, L) as a 2-D pooling of height 1."""
    stride = pool if stride is None else stride
    return squeeze(avg_pool2d(expand_dims(x, 2), (1, pool), (1, stride), padding), 2)


# ---- 3-D convolution and pooling (autodiff/volumetric.py, ops/conv3d.py) ---------------
from .volumetric import avg_pool3d, conv3d, max_pool3d  # noqa: F401
