"""Matrix multiplication, 2-D and batched, with numpy's broadcasting of batch axes."""
from __future__ import annotations

import numpy as np

from ..function import Function


class MatMul(Function):
    """``a @ b``.  1-D operands are treated as numpy does (a vector is promoted
    to a matrix, and the added axis is removed again in the gradient).

    Speed: a stack of rows times one matrix (``(..., k) @ (k, m)``, a Dense or
    recurrent layer on a sequence) is done as a single 2-D product on
    ``a.reshape(-1, k)``; the weight gradient is then one ``(k, N) @ (N, m)``
    product instead of a batch of products summed afterwards.
    """

    def forward(self, a, b):
        self.a, self.b = a, b
        self.flat = a.ndim > 2 and b.ndim == 2
        if self.flat:
            self.a = a.reshape(-1, a.shape[-1])
            self.a_shape = a.shape
            return (self.a @ b).reshape(a.shape[:-1] + (b.shape[1],))
        return a @ b

    def backward(self, grad):
        if self.flat:
            return self._flat_backward(grad)
        a, b = self.a, self.b
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g = grad
        if a.ndim == 1:
            g = np.expand_dims(g, -2)
        if b.ndim == 1:
            g = np.expand_dims(g, -1)
        ga = gb = None
        if self.needs_grad[0]:
            ga = g @ np.swapaxes(b2, -1, -2)
            if a.ndim == 1:
                ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:]) if ga.ndim > 2 else ga[0]
        if self.needs_grad[1]:
            gb = np.swapaxes(a2, -1, -2) @ g
            if b.ndim == 1:
                gb = gb[..., 0]
        return ga, gb

    def _flat_backward(self, grad):
        g = grad.reshape(-1, grad.shape[-1])
        ga = (g @ self.b.T).reshape(self.a_shape) if self.needs_grad[0] else None
        gb = self.a.T @ g if self.needs_grad[1] else None
        return ga, gb
