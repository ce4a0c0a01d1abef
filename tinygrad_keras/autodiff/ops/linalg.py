"""Matrix multiplication, 2-D and batched, with numpy's broadcasting of batch axes."""
from __future__ import annotations

import numpy as np

from ..function import Function
from .either import swap_last_axes


class MatMul(Function):
    """``x @ w``, with the two textbook gradients of ``y = x W``::

        dL/dx = g Wᵀ        dL/dW = xᵀ g        (g = dL/dy)

    Batched operands (``(..., n, k) @ (..., k, m)``) use the same two lines with
    ``ᵀ`` swapping the last two axes; the engine sums the gradient over batch axes
    that were broadcast.  A 1-D operand is a matrix of one row (``x``) or one column
    (``w``), as in numpy; that axis is put back into ``g`` and taken out again.

    Speed: a stack of rows times one matrix (``(..., k) @ (k, m)``, a Dense or
    recurrent layer on a sequence) is done as a single 2-D product on
    ``x.reshape(-1, k)``; the weight gradient is then one ``(k, N) @ (N, m)``
    product instead of a batch of products summed afterwards.
    """

    def forward(self, x, w):
        try:
            if x.ndim > 2 and w.ndim == 2:
                return (x.reshape(-1, x.shape[-1]) @ w).reshape(x.shape[:-1] + w.shape[1:])
            return x @ w
        except ValueError:
            raise ValueError(_mismatch(x, w)) from None

    def backward(self, grad):
        x, w = self.inputs
        if x.ndim < 2 or w.ndim != 2:
            return self._batched_backward(grad, x, w)
        if x.ndim > 2:  # a stack of rows: one 2-D product, as in forward
            x, grad = x.reshape(-1, x.shape[-1]), grad.reshape(-1, grad.shape[-1])
        dx = grad @ w.T if self.needs_grad[0] else None  # dL/dx = g Wᵀ
        dw = x.T @ grad if self.needs_grad[1] else None  # dL/dW = xᵀ g
        if dx is not None and dx.shape != self.inputs[0].shape:
            dx = dx.reshape(self.inputs[0].shape)
        return dx, dw

    def _batched_backward(self, grad, x, w):
        """The same two lines on stacks of matrices (``ᵀ`` swaps the last two axes),
        with a vector operand promoted to a one-row / one-column matrix and back."""
        g = _with_vector_axes(grad, x.ndim, w.ndim)
        x2 = x.reshape((1,) + x.shape) if x.ndim == 1 else x
        w2 = w.reshape(w.shape + (1,)) if w.ndim == 1 else w
        dx = g @ swap_last_axes(w2) if self.needs_grad[0] else None
        dw = swap_last_axes(x2) @ g if self.needs_grad[1] else None
        if dx is not None and x.ndim == 1:
            dx = dx.reshape(dx.shape[:-2] + x.shape)
        if dw is not None and w.ndim == 1:
            dw = dw.reshape(dw.shape[:-2] + w.shape)
        return dx, dw


def _with_vector_axes(grad, x_ndim: int, w_ndim: int):
    """``grad`` with the row axis of a vector ``x`` / column axis of a vector ``w`` restored."""
    if x_ndim != 1 and w_ndim != 1:
        return grad
    shape = grad.shape + ((1,) if w_ndim == 1 else ())
    if x_ndim == 1:
        shape = shape[:-1] + (1,) + shape[-1:]
    return grad.reshape(shape)


def _mismatch(x: np.ndarray, w: np.ndarray) -> str:
    """A message naming both shapes (numpy's own speaks of gufunc signatures)."""
    if x.ndim == 0 or w.ndim == 0:
        return (f"matmul: both operands need at least one axis, got shapes {x.shape} and "
                f"{w.shape} (use * to multiply by a scalar)")
    k_w = w.shape[0] if w.ndim == 1 else w.shape[-2]
    if x.shape[-1] != k_w:
        return (f"matmul: shapes {x.shape} and {w.shape} do not fit: the last axis of the first "
                f"({x.shape[-1]}) must equal the "
                f"{'length' if w.ndim == 1 else 'second-to-last axis'} of the second ({k_w})")
    return (f"matmul: shapes {x.shape} and {w.shape}: the batch axes {x.shape[:-2]} and "
            f"{w.shape[:-2]} do not broadcast")
