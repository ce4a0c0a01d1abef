"""The refusal of a second derivative through an array-only backward.

Under ``create_graph=True`` the engine still runs the backward of a primitive
marked ``first_order_only = True`` (a fused op that keeps a numpy backward for
speed), so that first derivatives through it are right.  Its gradient then
enters the new graph through :class:`FirstOrderOnly`, a node whose own backward
raises: differentiating that gradient again fails with an error naming the op,
instead of silently treating it as a constant (which would give a zero).
"""
from __future__ import annotations

from .function import Function


class FirstOrderOnly(Function):
    """A gradient computed by ``op``'s array-only backward, recorded as a node
    (parents: the upstream gradient and ``op``'s inputs) that refuses to be
    differentiated."""

    def forward(self, *arrays, value=None, op: str = "", reason: str = ""):
        self.op, self.reason = op, reason
        return value

    def backward(self, grad):
        raise RuntimeError(
            f"{self.op}'s gradient cannot be differentiated again: {self.reason}. "
            f"Use only first derivatives through {self.op}, or build that part of the model "
            f"from ops whose backward is differentiable.")


def _reason(fn) -> str:
    if fn.first_order_only:
        return f"{fn.name}.backward works on numpy arrays only (first_order_only = True, for speed)"
    return (f"{fn.name} does not declare whether its backward is differentiable: set "
            f"first_order_only = False on the class once its backward reads the forward's values "
            f"through self.inputs / self.output and uses ops.either's functions (see "
            f"function.py), or first_order_only = True")


def is_first_order_only(fn) -> bool:
    """True when ``fn``'s backward cannot record a graph (declared, or a user op that
    has not said: the library's own ops inherit ``False``, others must opt in)."""
    declared = fn.first_order_only
    if declared is None:
        return not type(fn).__module__.startswith("tinygrad_keras.")
    return bool(declared)


def wrap_array_gradients(fn, grad, array_grads: tuple) -> tuple:
    """``fn``'s array gradients as Tensors that refuse a second differentiation."""
    from .gradient_sums import ScatterGrad

    sources = (grad,) + tuple(fn.parents)
    wrapped = []
    for pg in array_grads:
        if type(pg) is ScatterGrad:
            pg = pg.dense(pg.values.dtype)
        wrapped.append(None if pg is None else FirstOrderOnly.apply(
            *sources, value=pg, op=fn.name, reason=_reason(fn)))
    return tuple(wrapped)
