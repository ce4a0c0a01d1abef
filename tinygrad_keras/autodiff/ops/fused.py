"""Fused primitives for the two commonest pieces of a training step: a Dense layer and
the crossentropy of probabilities.

Why they exist: in a small model (20-16-16-2) the arithmetic of a step takes
microseconds and the time goes into the bookkeeping of each recorded op (a Tensor,
a Function, a graph edge, a pending gradient).  ``x @ W + b`` then relu (or softmax)
is three nodes; Keras 1's ``categorical_crossentropy`` of probabilities (renormalise, clip,
log, multiply, sum, negate) is seven, and the training loop's mean over the batch one
more.  Each primitive below is one node that computes the same numbers: ``tests/autodiff/test_fused.py`` checks each against
the readable composite it replaces (``functional.linear_composite`` and
``_backend/nn.categorical_crossentropy_composite``), and the callers fall back to
that composite for shapes or dtypes the primitive does not cover.

Nothing here is first-order only: each backward reads the forward's values
through ``self.inputs`` and ``self.output`` (arrays on an ordinary pass, the graph's
Tensors under ``create_graph``, see ``function.py``) and keeps only constants on
``self`` (masks, and arrays used on an ordinary pass only), so gradients of gradients
work as for any other op.
"""
from __future__ import annotations

import numpy as np

from ..function import Function
from .either import log, where
from .nn import softmax_values, softmax_vjp
from .reduce import reciprocal_count, spread_mean_grad


class Linear(Function):
    """``x @ w + b``, then ``max(., 0)`` when ``relu=True`` or the softmax over the last
    axis when ``softmax=True``: a Dense layer (a classifier's output layer) in one node.

    Shapes: ``x (N, k)``, ``w (k, m)``, ``b (m,)`` (optional) -> ``(N, m)``; all of one
    float dtype.  The bias is added and the activation taken in place in the product's
    buffer (two temporaries fewer than the composite on a 128x512 layer); the softmax
    runs ``Softmax``'s operations, in the same order.

    Backward, with ``g`` the upstream gradient and ``g'`` the gradient of the
    pre-activation: ``g' = g * (out > 0)`` under relu (relu'(0) = 0, as ``Relu``),
    ``g' = out * (g - sum(g * out, -1))`` under softmax (``Softmax.backward``), else ``g``::

        dx = g' wᵀ        dw = xᵀ g'        db = g' summed over the rows

    The relu mask is a constant of the forward, so the second derivative of relu is
    zero, as for ``Relu``; the softmax's is read from the output, as for ``Softmax``.
    """

    def forward(self, x, w, b=None, relu=False, softmax=False):
        if relu and softmax:
            raise ValueError("Linear: relu and softmax cannot both be applied")
        self.relu, self.softmax = relu, softmax
        out = x @ w
        if b is not None:
            out += b
        if relu:
            np.maximum(out, 0, out=out)
            self.mask = out > 0
        elif softmax:  # Softmax.forward's operations, in the product's buffer
            softmax_values(out, -1, out=out)
        return out

    def backward(self, grad):
        x, w = self.inputs[0], self.inputs[1]
        if self.relu:
            g = grad * self.mask
        elif self.softmax:
            g = softmax_vjp(self.output, grad, -1)
        else:
            g = grad
        dx = g @ w.T if self.needs_grad[0] else None
        dw = x.T @ g if self.needs_grad[1] else None
        if len(self.inputs) == 2:
            return dx, dw
        if not self.needs_grad[2]:
            return dx, dw, None
        # g.sum(axis=0); on arrays the ufunc reduction itself, without a Python frame
        return dx, dw, np.add.reduce(g, axis=0) if type(g) is np.ndarray else g.sum(axis=0)


class RowsLinear(Function):
    """``x @ w + b`` for a stack of rows ``x (..., k)`` -> ``(..., m)``, computed as one
    product ``[x, 1] @ [w; b]``: the bias is one more row of the weights, against a
    column of ones appended to the rows.  ``w (k, m)``, ``b (m,)``, one float dtype.

    Why (speed): a recurrent layer projects the inputs of all its timesteps at once
    (``T B`` rows, 2 560 at the benchmark's size).  There the bias addition over the
    ``(T B, m)`` result and the bias gradient (a sum over its rows) each cost about a
    tenth of the product; here both ride along in the products, and copying the rows
    (often a transposed view) into ``[x, 1]`` replaces the copy that ``reshape`` made.

    Backward, with ``g`` the upstream gradient as rows ``(N, m)``::

        dx = g wᵀ        [dw; db] = [x, 1]ᵀ g      (one product)

    Rounding: ``b`` is summed inside each dot product instead of added after it, so
    the values agree with ``x @ w + b`` to rounding, not to the bit (test_fused.py).
    Under ``create_graph`` the backward runs the same formulas on the graph's Tensors
    (``db`` as a sum over rows), so it differentiates again.
    """

    def forward(self, x, w, b):
        k, m = w.shape
        rows = np.empty(x.shape[:-1] + (k + 1,), dtype=np.result_type(x, w, b))
        rows[..., :k] = x  # (a transposed view of x is copied once, here)
        rows[..., k] = 1.0
        rows = rows.reshape(-1, k + 1)
        wb = np.concatenate([w, b[None]])
        self.rows = rows
        return (rows @ wb).reshape(x.shape[:-1] + (m,))

    def backward(self, grad):
        x, w, _ = self.inputs
        k, m = w.shape
        g = grad.reshape(-1, m)
        dx = (g @ w.T).reshape(x.shape) if self.needs_grad[0] else None
        if not (self.needs_grad[1] or self.needs_grad[2]):
            return dx, None, None
        if isinstance(g, np.ndarray):  # an ordinary pass: [dw; db] in one product
            both = self.rows.T @ g
            return (dx, both[:k] if self.needs_grad[1] else None,
                    both[k] if self.needs_grad[2] else None)
        rows = x.reshape(-1, k)  # create_graph: the graph's Tensors
        return dx, rows.T @ g, g.sum(axis=0)


def rows_linear(x, w, b):
    """Functional form of :class:`RowsLinear` (Tensors in, Tensor out)."""
    return RowsLinear.apply(x, w, b)


class CategoricalCrossentropy(Function):
    """Keras 1's crossentropy of probabilities along the last axis, in one node::

        s = p.sum(-1)  (1 where a row sums to exactly 0)     q = p / s
        c = clip(q, eps, 1 - eps)                            loss = -(t * log c).sum(-1)

    Shapes: ``p`` and ``t`` ``(..., C)`` of one float dtype -> ``(...)``; with
    ``mean=True`` -> ``()``, the mean over every sample, computed as ``Mean`` does (the
    sum times the reciprocal count; backward: that gradient spread over the samples):
    a training step's default loss in one node instead of two.

    Backward, with ``g`` the upstream gradient broadcast over the last axis: the loss
    depends on ``q`` only where it was not clipped (``inside``), so
    ``dq = -g t / q`` there and 0 elsewhere; then through the renormalisation
    ``dp = dq / s - sum(dq p / s²)`` (no second term for a zero row, whose ``s`` is the
    constant 1); and ``dt = -g log c``.  The operations are those the composite's
    backward runs, in the same order, so the gradients agree to the last bit.  On an
    ordinary pass ``s`` and ``c`` are the forward's arrays; under ``create_graph`` they
    are recomputed from the input, so that they are Tensors of the graph.  The
    ``inside`` mask, the zero rows and the clip bounds are constants of the forward.
    """

    def forward(self, p, t, eps=1e-7, mean=False):
        last = p.ndim - 1
        s = np.add.reduce(p, axis=last, keepdims=True)  # p.sum(-1), without a Python frame
        self.zero_rows = None
        if not s.all():
            self.zero_rows = s == 0
            s = np.where(self.zero_rows, np.ones((), s.dtype), s)
        q = p / s
        clipped = np.maximum(q, eps)  # np.clip(q, eps, 1 - eps) in two ufunc calls
        np.minimum(clipped, 1.0 - eps, out=clipped)
        self.s, self.clipped = s, clipped.astype(q.dtype, copy=False)
        self.inside = self.clipped == q  # eps <= q <= 1 - eps (False for NaN, as in Clip)
        loss = -np.add.reduce(t * np.log(self.clipped), axis=last)
        self.mean = mean
        if not mean:
            return loss
        self.loss_shape = loss.shape  # Mean's operations: the sum times the reciprocal count
        self.scale = reciprocal_count(loss.size, loss.dtype)
        return np.add.reduce(loss, axis=tuple(range(loss.ndim))) * self.scale

    def backward(self, grad):
        p, t = self.inputs
        last = (p.ndim - 1,)
        if self.mean:  # Mean.backward first: the scaled gradient spread over the samples
            grad = spread_mean_grad(grad, self.scale, (1,) * len(self.loss_shape),
                                    self.loss_shape)
        g = -grad.reshape(grad.shape + (1,))
        if type(grad) is np.ndarray:  # an ordinary pass: s and c are the forward's arrays
            s, c = self.s, self.clipped  # (the composite's Div and Log read those too)
        else:
            s = p.sum(axis=last, keepdims=True)
            if self.zero_rows is not None:
                s = where(self.zero_rows, np.ones((), self.clipped.dtype), s)
            c = where(self.inside, p / s, self.clipped)  # clip(q): q inside, the bound outside
        dp = dt = None
        if self.needs_grad[0]:
            dq = where(self.inside, g * t / c, np.zeros((), self.clipped.dtype))
            dq_s = dq / s
            spread = (-dq_s * p / s).sum(axis=last, keepdims=True)  # through s = p.sum(-1)
            if self.zero_rows is not None:
                spread = where(self.zero_rows, np.zeros((), self.clipped.dtype), spread)
            dp = dq_s + spread
        if self.needs_grad[1]:
            dt = g * log(c)
        return dp, dt
