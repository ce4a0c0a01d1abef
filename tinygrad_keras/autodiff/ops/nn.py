"""Neural-net primitives: softmax and log-softmax along one axis.

Both are primitives rather than composites of exp/sum/log, for two reasons:
stability (the max is subtracted first, so logits of +-1e4 give no overflow and
log-softmax never takes log(0)) and speed (one node instead of five, and a
backward formula that reuses the output).  Both backwards are written with
operations on the output, so they are differentiable under ``create_graph``.
"""
from __future__ import annotations

import numpy as np

from ..function import Function
from .either import exp


def softmax_values(a, axis, out=None):
    """``exp(a - max) / sum(exp(a - max))`` along ``axis`` on arrays, into ``out`` if
    given (``out`` may be ``a`` itself: the fused ``Linear`` works in its product's
    buffer).  The ufunc reductions are called directly (``a.max``/``e.sum`` add a
    Python frame each)."""
    e = np.exp(np.subtract(a, np.maximum.reduce(a, axis=axis, keepdims=True), out=out), out=out)
    e /= np.add.reduce(e, axis=axis, keepdims=True)
    return e


def softmax_vjp(out, grad, axis):
    """The softmax's Jacobian-vector product from its output (arrays or Tensors)."""
    return out * (grad - (grad * out).sum(axis=axis, keepdims=True))


class Softmax(Function):
    """``exp(a - max) / sum(exp(a - max))`` along ``axis``.

    Backward: ``out * (grad - sum(grad * out, axis))`` (the softmax Jacobian-vector
    product, never forming the Jacobian).
    """

    def forward(self, a, axis=-1):
        self.axis = axis
        return softmax_values(a, axis)

    def backward(self, grad):
        return softmax_vjp(self.output, grad, self.axis)


class LogSoftmax(Function):
    """``(a - max) - log(sum(exp(a - max)))`` along ``axis``.

    Backward: ``grad - softmax * sum(grad, axis)``, with softmax = exp(out).
    """

    def forward(self, a, axis=-1):
        self.axis = axis
        shifted = a - a.max(axis=axis, keepdims=True)
        shifted -= np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        return shifted

    def backward(self, grad):
        return grad - exp(self.output) * grad.sum(axis=self.axis, keepdims=True)
