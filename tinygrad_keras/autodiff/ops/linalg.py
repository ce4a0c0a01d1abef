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
        _check_shapes(x, w)
        if x.ndim > 2 and w.ndim == 2:
            return (x.reshape(-1, x.shape[-1]) @ w).reshape(x.shape[:-1] + w.shape[1:])
        return x @ w

    def backward(self, grad):
        x_in, w_in = self.inputs
        x, w, g = x_in, w_in, _with_vector_axes(grad, x_in.ndim, w_in.ndim)
        flat = x.ndim > 2 and w.ndim == 2
        if flat:  # the stack-of-rows fast path, as in forward
            x, g = x.reshape(-1, x.shape[-1]), g.reshape(-1, g.shape[-1])
        if x.ndim == 1:
            x = x.reshape((1,) + x.shape)
        if w.ndim == 1:
            w = w.reshape(w.shape + (1,))
        dx = g @ swap_last_axes(w) if self.needs_grad[0] else None  # dL/dx = g Wᵀ
        dw = swap_last_axes(x) @ g if self.needs_grad[1] else None  # dL/dW = xᵀ g
        if dx is not None and (flat or x_in.ndim == 1):
            dx = dx.reshape(x_in.shape if flat else dx.shape[:-2] + x_in.shape)
        if dw is not None and w_in.ndim == 1:
            dw = dw.reshape(dw.shape[:-2] + w_in.shape)
        return dx, dw


def _with_vector_axes(grad, x_ndim: int, w_ndim: int):
    """``grad`` with the row axis of a vector ``x`` / column axis of a vector ``w`` restored."""
    if x_ndim != 1 and w_ndim != 1:
        return grad
    shape = grad.shape + ((1,) if w_ndim == 1 else ())
    if x_ndim == 1:
        shape = shape[:-1] + (1,) + shape[-1:]
    return grad.reshape(shape)


def _check_shapes(x: np.ndarray, w: np.ndarray) -> None:
    """A clear error naming both shapes (numpy's own message speaks of gufunc signatures)."""
    if x.ndim == 0 or w.ndim == 0:
        raise ValueError(f"matmul: both operands need at least one axis, got shapes "
                         f"{x.shape} and {w.shape} (use * to multiply by a scalar)")
    k_w = w.shape[0] if w.ndim == 1 else w.shape[-2]
    if x.shape[-1] != k_w:
        raise ValueError(f"matmul: shapes {x.shape} and {w.shape} do not fit: the last axis of "
                         f"the first ({x.shape[-1]}) must equal the "
                         f"{'length' if w.ndim == 1 else 'second-to-last axis'} of the second "
                         f"({k_w})")
    try:
        np.broadcast_shapes(x.shape[:-2], w.shape[:-2])
    except ValueError:
        raise ValueError(f"matmul: shapes {x.shape} and {w.shape}: the batch axes "
                         f"{x.shape[:-2]} and {w.shape[:-2]} do not broadcast") from None
