"""The base class of every differentiable primitive.

A primitive is a small class with two methods that work on plain numpy arrays:

* ``forward(self, *arrays, **options)`` computes the result and may keep on
  ``self`` whatever the backward pass will need;
* ``backward(self, grad)`` receives the gradient of the loss with respect to the
  result and returns one gradient per input (a tuple, or a single array when the
  op has one input).  ``None`` stands for "no gradient for this input".

``backward`` may return gradients in the *broadcast* shape of the result: the
engine sums them back to each input's shape (``unbroadcast``), so an op never has
to think about broadcasting.  It must not modify ``grad`` in place (the same
array may be handed to several ops), and it may return an
``engine.ScatterGrad`` for a gradient that is zero outside an index, as
``GetItem`` does.  ``self.needs_grad[i]`` says whether input ``i`` wants one.

Write your own op by subclassing, then call ``MyOp.apply(x, y)``::

    class Cube(Function):
        def forward(self, x):
            self.x = x
            return x ** 3
        def backward(self, grad):
            return 3 * self.x ** 2 * grad

See ``tutorials/04_your_own_op.py``.
"""
from __future__ import annotations

from .grad_mode import _state


class Function:
    """One recorded operation: the node between a result and its parents."""

    def __init__(self, parents: tuple):
        self.parents = parents
        self.needs_grad = tuple([p.requires_grad for p in parents])

    @property
    def name(self) -> str:
        """A readable op name, e.g. ``'Mul'``."""
        return type(self).__name__

    def forward(self, *arrays, **options):  # pragma: no cover - abstract
        raise NotImplementedError(f"{self.name} must define forward")

    def backward(self, grad):  # pragma: no cover - abstract
        raise NotImplementedError(f"{self.name} must define backward")

    @classmethod
    def apply(cls, *inputs, **options):
        """Run the op on Tensors (or array-likes) and record it if needed."""
        # List comprehensions, not generators: this is the per-op hot path.
        tensors = tuple([x if isinstance(x, Tensor) else Tensor(x) for x in inputs])
        fn = cls(tensors)
        data = fn.forward(*[t.data for t in tensors], **options)
        if _state["enabled"] and True in fn.needs_grad:
            return Tensor._from_op(data, fn)
        return Tensor._from_op(data, None)


# Imported last: tensor.py's methods come from functional.py, whose ops import
# Function from this (by then complete) module.
from .tensor import Tensor
