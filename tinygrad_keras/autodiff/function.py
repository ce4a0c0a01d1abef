"""The base class of every differentiable primitive.

A primitive is a small class with two methods:

* ``forward(self, *arrays, **options)`` computes the result from plain numpy
  arrays (it may keep on ``self`` whatever else the backward needs: a mask, an
  axis, a shape);
* ``backward(self, grad)`` receives the gradient of the loss with respect to the
  result and returns one gradient per input (a tuple, or a single value when the
  op has one input).  ``None`` stands for "no gradient for this input".

**A backward is written once and works on two kinds of values.**  It reads the
forward's inputs and result through ``self.inputs`` and ``self.output``:

* on an ordinary (first-order) backward pass these are the numpy arrays the
  forward saw and returned, and ``grad`` is a numpy array: the backward is plain
  numpy arithmetic, as fast as hand-written code;
* on a pass with ``create_graph=True`` they are the graph's own Tensors (the
  parents and the result) and ``grad`` is a Tensor: the very same formula now
  records a graph, so the gradient can be differentiated again.

So write the formula with operators (``grad * b``, ``a @ w``) and methods that
numpy arrays and Tensors share (``.sum(axis=..., keepdims=...)``,
``.reshape``, ``.transpose``, indexing), and take ``exp``/``log``/``where``/...
from ``ops/either.py``, which pick numpy or the Tensor op by the argument's type.
Masks computed in the forward (``x > 0``) are constants either way: the second
derivative of relu really is zero.

``backward`` may return gradients in the *broadcast* shape of the result: the
engine sums them back to each input's shape (``unbroadcast``).  It must not
modify ``grad`` in place (the same array may be handed to several ops).
``self.needs_grad[i]`` says whether input ``i`` wants a gradient.

A fused primitive that keeps an array-only backward for speed sets the class
attribute ``first_order_only = True`` and says why in its docstring; the engine
then refuses to differentiate its gradient again, with an error naming the op.
An op defined outside the library is treated the same way until its class says
``first_order_only = False`` (a backward that still reads arrays kept on
``self`` would otherwise give a silently wrong second derivative).

Write your own op by subclassing, then call ``MyOp.apply(x, y)``::

    class Cube(Function):
        first_order_only = False  # its backward below is differentiable

        def forward(self, x):
            return x ** 3

        def backward(self, grad):
            x, = self.inputs
            return 3 * x ** 2 * grad

See ``tutorials/04_your_own_op.py`` and ``tutorials/18_gradients_of_gradients.py``.
"""
from __future__ import annotations

from operator import attrgetter

from .grad_mode import _state

# C-level attribute reads over a tuple: a list comprehension is one more Python frame
# per op, and a training step records an op per layer (see Function.apply)
_REQUIRES_GRAD, _DATA = attrgetter("requires_grad"), attrgetter("data")


class Function:
    """One recorded operation: the node between a result and its parents."""

    #: True for a primitive whose backward works on numpy arrays only (for speed): its
    #: gradient cannot be differentiated again (``create_graph=True``).  None means "not
    #: declared": the library's own ops are differentiable, an op of yours is refused a
    #: second derivative until you set False (after checking it with ``gradgradcheck``).
    first_order_only = None

    #: The forward's inputs and result, for the backward: the numpy arrays the forward
    #: saw and returned; during a ``create_graph`` backward, the engine swaps in the
    #: graph's own Tensors (the parents and the result Tensor) for the call.
    inputs: tuple = ()
    output = None

    def __init__(self, parents: tuple):
        self.parents = parents
        self.needs_grad = tuple(map(_REQUIRES_GRAD, parents))

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
        # The per-op hot path: no comprehension (each is a Python frame of its own) when
        # every input is already a Tensor, as in a model's layers.
        tensors = inputs
        for x in inputs:
            if not isinstance(x, Tensor):
                tensors = tuple([x if isinstance(x, Tensor) else Tensor(x) for x in inputs])
                break
        fn = cls(tensors)
        arrays = list(map(_DATA, tensors))
        data = fn.forward(*arrays, **options)
        if _state["enabled"] and True in fn.needs_grad:
            out = Tensor._from_op(data, fn)
            fn.inputs, fn.output = arrays, out.data  # what the backward reads
            return out
        return Tensor._from_op(data, None)


# Imported last: tensor.py's methods come from functional.py, whose ops import
# Function from this (by then complete) module.
from .tensor import Tensor
