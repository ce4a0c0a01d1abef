"""Elementwise primitives.

Broadcasting: binary ops return gradients in the broadcast shape of the result;
the engine sums them back to each input's shape.

Conventions at kinks (pinned by tests in ``tests/autodiff/test_conventions.py``):
relu'(0) = 0; abs'(0) = 0; maximum/minimum split the gradient equally between
tied inputs; clip passes the gradient where ``lo <= x <= hi`` (bounds
included); sqrt'(0) = inf, as in calculus.

Every backward reads the forward's values through ``self.inputs`` /
``self.output`` and computes with operators and ``either``'s functions, so the
same line is numpy on a first-order pass and a recorded, differentiable Tensor
expression under ``create_graph=True`` (see ``function.py``).  Masks (relu's
``a > 0``, clip's inside, the tie shares of maximum) are constants: their
derivative is zero almost everywhere, which is the right second derivative.
"""
from __future__ import annotations

import numpy as np

from ..function import Function
from .either import cos, log, sin, where


class Add(Function):
    def forward(self, a, b):
        return a + b

    def backward(self, grad):
        return grad, grad


class Sub(Function):
    def forward(self, a, b):
        return a - b

    def backward(self, grad):
        return grad, -grad


class Mul(Function):
    def forward(self, a, b):
        return a * b

    def backward(self, grad):
        a, b = self.inputs
        return (grad * b if self.needs_grad[0] else None,
                grad * a if self.needs_grad[1] else None)


class Div(Function):
    def forward(self, a, b):
        return a / b

    def backward(self, grad):
        a, b = self.inputs
        ga = grad / b
        gb = -ga * a / b if self.needs_grad[1] else None
        return ga if self.needs_grad[0] else None, gb


class Neg(Function):
    def forward(self, a):
        return -a

    def backward(self, grad):
        return -grad


class Pow(Function):
    """``a ** b`` for a Tensor exponent; d/db = a**b log(a) is taken as 0 where a <= 0."""

    def forward(self, a, b):
        self.a_positive = a > 0
        return a ** b

    def backward(self, grad):
        a, b = self.inputs
        ga = grad * b * a ** (b - 1) if self.needs_grad[0] else None
        gb = None
        if self.needs_grad[1]:
            log_a = log(where(self.a_positive, a, 1.0))  # log(1) = 0 where a <= 0
            gb = grad * self.output * log_a
        return ga, gb


class PowConst(Function):
    """``a ** p`` for a constant Python number ``p`` (one input, cheaper than Pow)."""

    def forward(self, a, p):
        self.p = p
        return a ** p

    def backward(self, grad):
        a, = self.inputs
        if self.p == 2:
            return grad * 2 * a
        return grad * self.p * a ** (self.p - 1)


class Exp(Function):
    def forward(self, a):
        return np.exp(a)

    def backward(self, grad):
        return grad * self.output


class Log(Function):
    def forward(self, a):
        return np.log(a)

    def backward(self, grad):
        a, = self.inputs
        return grad / a


class Sqrt(Function):
    """sqrt'(0) is inf (calculus); Keras code guards with a max(.., eps) first."""

    def forward(self, a):
        return np.sqrt(a)

    def backward(self, grad):
        with np.errstate(divide="ignore"):
            return grad / (2 * self.output)


class Abs(Function):
    """abs'(0) = 0 (the sign function)."""

    def forward(self, a):
        self.sign = np.sign(a)
        return np.abs(a)

    def backward(self, grad):
        return grad * self.sign


class Sin(Function):
    def forward(self, a):
        return np.sin(a)

    def backward(self, grad):
        a, = self.inputs
        return grad * cos(a)


class Cos(Function):
    def forward(self, a):
        return np.cos(a)

    def backward(self, grad):
        a, = self.inputs
        return -grad * sin(a)


class Tanh(Function):
    """A primitive (not exp-based) for speed and for stability at large |x|."""

    def forward(self, a):
        return np.tanh(a)

    def backward(self, grad):
        out = self.output
        return grad * (1 - out * out)


class Sigmoid(Function):
    """A primitive: computed as ``(1 + tanh(x/2)) / 2``, which never overflows."""

    def forward(self, a):
        out = np.tanh(a * 0.5)
        out += 1
        out *= 0.5
        return out

    def backward(self, grad):
        out = self.output
        return grad * out * (1 - out)


class Relu(Function):
    """relu'(0) = 0."""

    def forward(self, a):
        self.mask = a > 0
        return np.maximum(a, 0)  # NEP 50: the Python 0 keeps a's dtype

    def backward(self, grad):
        return grad * self.mask


class Maximum(Function):
    """Elementwise max; at ties each input gets half of the gradient."""

    def forward(self, a, b):
        self.a_wins = (a > b) + 0.5 * (a == b)
        return np.maximum(a, b)

    def backward(self, grad):
        share = self.a_wins.astype(grad.dtype, copy=False)
        return grad * share, grad * (1 - share)


class Minimum(Function):
    """Elementwise min; at ties each input gets half of the gradient."""

    def forward(self, a, b):
        self.a_wins = (a < b) + 0.5 * (a == b)
        return np.minimum(a, b)

    def backward(self, grad):
        share = self.a_wins.astype(grad.dtype, copy=False)
        return grad * share, grad * (1 - share)


class Clip(Function):
    """Clip to ``[lo, hi]`` (either may be None); gradient passes where lo <= x <= hi."""

    def forward(self, a, lo=None, hi=None):
        self.inside = np.ones(a.shape, dtype=bool)
        if lo is not None:
            self.inside &= a >= lo
        if hi is not None:
            self.inside &= a <= hi
        return np.clip(a, lo, hi).astype(a.dtype, copy=False)

    def backward(self, grad):
        return grad * self.inside


class Where(Function):
    """``where(cond, a, b)``; ``cond`` is a non-differentiable boolean mask."""

    def forward(self, cond, a, b):
        self.cond = cond.astype(bool, copy=False)
        return np.where(self.cond, a, b)

    def backward(self, grad):
        zero = np.zeros((), dtype=grad.dtype)
        return None, where(self.cond, grad, zero), where(self.cond, zero, grad)


class Cast(Function):
    """Change dtype; the gradient is cast back to the input's dtype by the engine."""

    def forward(self, a, dtype=None):
        return a.astype(dtype)

    def backward(self, grad):
        return grad
