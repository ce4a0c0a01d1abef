"""``Correlate2DBias``: a correlation, its bias and (optionally) relu as one primitive.

Why it exists: speed.  ``relu(conv2d(x, w) + b)`` as three ops makes two more full
passes over the output forward (the add, the relu) and two more backward (relu's
mask product, the bias gradient's sum), each writing a new array the size of the
activations.  Here the bias and relu are applied to each block of the output while
the shifted implementation still has it in cache, and the backward multiplies by the
relu mask while it places the gradient on its grid.  It computes the same numbers
as the composite (the tests compare them) and, like ``Correlate2D``, its backward is
recorded as ops under ``create_graph``, so it is differentiable to any order (the
relu mask is a constant: relu's second derivative is zero).
"""
from __future__ import annotations

from ..tensor import Tensor
from .conv import Correlate2D, resolve_impl


class Correlate2DBias(Correlate2D):
    """``relu?(correlate(x, w) + b)``: x (B, C, H, W), w (F, C, kh, kw), b (F,) ->
    (B, F, OH, OW).  Options as :class:`Correlate2D`, plus ``relu`` (bool)."""

    def forward(self, x, w, b, stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1),
                impl=None, relu=False):
        self.relu = relu
        return self._forward(x, w, stride, padding, dilation, impl, b, relu)

    def backward(self, grad):
        out = None
        if self.relu:  # a constant either way: relu's gradient mask is out > 0
            out = self.output.data if isinstance(self.output, Tensor) else self.output
        if not isinstance(grad, Tensor) and resolve_impl(self.impl, self.stride, self.dilation) == "shifted":
            return self._shifted_backward(grad, out, bias=self.needs_grad[2])
        mask = None if out is None else out > 0
        g = grad if mask is None else grad * mask
        dx, dw = super().backward(g)
        return dx, dw, (g.sum(axis=(0, 2, 3)) if self.needs_grad[2] else None)
