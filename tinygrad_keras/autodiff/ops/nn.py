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


class Softmax(Function):
    """``exp(a - max) / sum(exp(a - max))`` along ``axis``.

    Backward: ``out * (grad - sum(grad * out, axis))`` (the softmax Jacobian-vector
    product, never forming the Jacobian).
    """

    def forward(self, a, axis=-1):
        self.axis = axis
        # ufunc reductions called directly: a.max/e.sum add a Python frame each
        e = np.exp(a - np.maximum.reduce(a, axis=axis, keepdims=True))
        e /= np.add.reduce(e, axis=axis, keepdims=True)
        return e

    def backward(self, grad):
        out = self.output
        return out * (grad - (grad * out).sum(axis=self.axis, keepdims=True))


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
