"""Check analytic gradients against finite differences.

``gradcheck(fn, *inputs)`` treats ``fn`` as a map from its inputs to one output
Tensor of any shape.  It draws a fixed random upstream gradient ``v`` of the
output's shape and compares, for every input that requires grad:

* the analytic gradient of ``sum(fn(...) * v)``, from ``backward(v)``;
* central differences ``(f(x + eps) - f(x - eps)) / (2 eps)`` of the same
  scalar, one element at a time, in float64.

Using a random ``v`` (rather than summing the output) catches backward
formulas that are only right when every upstream gradient is equal.

>>> from tinygrad_keras import Tensor, gradcheck
>>> x = Tensor([0.5, -1.0, 2.0], requires_grad=True)
>>> gradcheck(lambda t: (t * t).tanh(), x)
True

For large inputs, ``gradcheck_directional`` perturbs all elements at once along
a few random directions: two forward passes per direction instead of two per
element.

``gradgradcheck`` checks second derivatives the same way: it treats the
analytic first derivative (computed with ``create_graph=True``) as the function
and gradchecks *that*, so the recorded backward of the backward is compared
with finite differences of the first derivative.

>>> from tinygrad_keras import gradgradcheck
>>> gradgradcheck(lambda t: (t * t).tanh(), x)
True
"""
from __future__ import annotations

import numpy as np

from .grad_mode import enable_grad, no_grad
from .tensor import Tensor


def _prepare(inputs: tuple) -> tuple:
    """float64 copies of the inputs; the user's Tensors are never touched."""
    prepared = []
    for x in inputs:
        if isinstance(x, Tensor):
            wants = x.requires_grad
            x = x.data
        else:
            wants = False
        arr = np.array(x, order="C")  # C order: reshape(-1) below must be a view
        if arr.dtype.kind == "f":
            arr = arr.astype(np.float64)
        prepared.append(Tensor(arr, requires_grad=wants and arr.dtype.kind == "f"))
    return tuple(prepared)


def _output(fn, tensors: tuple) -> Tensor:
    out = fn(*tensors)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
    if out.dtype != np.float64:
        raise TypeError(f"gradcheck: fn returned dtype {out.dtype}; it must keep float64 "
                        f"(finite differences in float32 are too coarse)")
    return out


def _analytic(fn, tensors: tuple, v: np.ndarray | None) -> tuple:
    """Analytic gradients of ``sum(fn(...) * v)``, zeros where no path exists."""
    for t in tensors:
        t.grad = None
    with enable_grad():
        out = _output(fn, tensors)
        if v is None:
            v = np.random.default_rng(0).standard_normal(out.shape)
        if out.requires_grad:
            out.backward(v.reshape(out.shape))
    grads = tuple(None if not t.requires_grad else
                  t.grad if t.grad is not None else np.zeros_like(t.data) for t in tensors)
    return grads, v


def _scalar(fn, tensors: tuple, v: np.ndarray) -> float:
    with no_grad():
        return float(np.sum(_output(fn, tensors).data * v))


def _numeric(fn, tensors: tuple, t: Tensor, v: np.ndarray, eps: float) -> np.ndarray:
    """Central differences for every element of input ``t`` (changed in place, restored)."""
    flat = t.data.reshape(-1)  # a view: writing it perturbs the input fn sees
    out = np.empty(flat.size)
    for i in range(flat.size):
        orig = flat[i]
        flat[i] = orig + eps
        up = _scalar(fn, tensors, v)
        flat[i] = orig - eps
        down = _scalar(fn, tensors, v)
        flat[i] = orig
        out[i] = (up - down) / (2 * eps)
    return out.reshape(t.shape)


UPSTREAM_NOTE = ("Both numbers are derivatives of sum(fn(inputs) * v), where v is a fixed "
                 "random array of the output's shape (so a backward that is only right when "
                 "all upstream gradients are equal is caught); for an elementwise fn that is "
                 "f'(x) * v at that element, not f'(x) itself. Pass grad_output=np.ones(shape) "
                 "to check d sum(fn) / d input instead.")


def _compare(k: int, expected: np.ndarray, received: np.ndarray, atol: float, rtol: float,
             where: str | None = None, value: np.ndarray | None = None,
             what: str = "gradcheck: gradient") -> None:
    """Raise naming input ``k``, the element (or ``where``) that misses most and,
    when ``value`` (the input) is given, the input's value there."""
    excess = np.abs(received - expected) - (atol + rtol * np.abs(expected))
    excess = np.where(np.isnan(excess), np.inf, excess)
    if excess.size and excess.max() > 0:
        worst = np.unravel_index(int(np.argmax(excess)), excess.shape)
        at = where or f"element {tuple(int(i) for i in worst)}"
        if value is not None and where is None:
            at += f" (input value {float(value[worst]):.6g})"
        raise AssertionError(
            f"{what} of input {k} is wrong at {at}: expected "
            f"{float(expected[worst]):.6g} (finite differences), received "
            f"{float(received[worst]):.6g} (backward); atol={atol}, rtol={rtol}. "
            + UPSTREAM_NOTE)


def gradcheck(fn, *inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              grad_output=None) -> bool:
    """True if ``fn``'s backward agrees with central differences for every input
    that requires grad; otherwise an AssertionError naming the input index, the
    worst element, the expected (numeric) and the received (analytic) value.

    ``inputs`` are Tensors or arrays (arrays and Tensors without requires_grad are
    constants).  Float inputs are copied to float64; ``fn`` must keep that dtype.
    ``grad_output`` fixes the upstream gradient (default: seeded random normal).
    """
    return _check(fn, _prepare(inputs), grad_output, eps, atol, rtol, "gradcheck: gradient")


def _check(fn, tensors: tuple, grad_output, eps: float, atol: float, rtol: float,
           what: str) -> bool:
    if not any(t.requires_grad for t in tensors):
        raise ValueError(f"{what.split(':')[0]}: no input has requires_grad=True, "
                         f"nothing to check")
    v = None if grad_output is None else np.asarray(grad_output, dtype=np.float64)
    grads, v = _analytic(fn, tensors, v)
    for k, (t, g) in enumerate(zip(tensors, grads)):
        if g is not None:
            before = t.data.copy()
            _compare(k, _numeric(fn, tensors, t, v, eps), g, atol, rtol, value=before,
                     what=what)
    return True


def gradgradcheck(fn, *inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  grad_output=None, seed: int = 0) -> bool:
    """True if ``fn``'s second derivatives agree with finite differences of its first
    derivatives; otherwise an AssertionError naming the input and element.

    The first derivative ``g(x) = d sum(fn(x) * v) / d x`` (``v`` seeded random, or
    ``grad_output``) is computed with ``create_graph=True`` and itself gradchecked:
    its recorded backward must match central differences of ``g``.  An op whose
    backward returns a constant (no graph) gives zero second derivatives there and
    fails.  Inputs and dtypes as in :func:`gradcheck`.
    """
    from .differentiate import grad

    tensors = _prepare(inputs)
    with enable_grad():
        shape = _output(fn, tensors).shape
    v = (np.random.default_rng(seed).standard_normal(shape) if grad_output is None
         else np.asarray(grad_output, dtype=np.float64).reshape(shape))

    def first_derivatives(*ts):
        wanted = [t for t in ts if t.requires_grad]
        with enable_grad():
            out = _output(fn, ts)
            if not out.requires_grad:
                return Tensor(np.zeros(sum(t.size for t in wanted)))
            gs = grad(out, wanted, grad_outputs=v, create_graph=True, allow_unused=True)
        gs = [Tensor(np.zeros(t.shape)) if g is None else g for t, g in zip(wanted, gs)]
        return stack_flat(gs)

    return _check(first_derivatives, tensors, None, eps, atol, rtol,
                  "gradgradcheck: second derivative (of sum(first derivatives * u))")


def stack_flat(tensors: list) -> Tensor:
    """One 1-D Tensor of all the elements of ``tensors`` (recorded)."""
    from .functional import concatenate
    return concatenate([t.reshape(-1) for t in tensors], axis=0)


def gradcheck_directional(fn, *inputs, n_directions: int = 3, eps: float = 1e-6,
                          atol: float = 1e-5, rtol: float = 1e-3, seed: int = 0) -> bool:
    """The cheap check for big inputs: along random unit directions ``d`` (one per
    input), the directional derivative ``(f(x + eps d) - f(x - eps d)) / (2 eps)``
    must equal ``sum(grad * d)``.  Costs two forward passes per direction.
    Raises AssertionError naming the input and the direction that disagrees.
    """
    tensors = _prepare(inputs)
    rng = np.random.default_rng(seed)
    grads, v = _analytic(fn, tensors, None)
    for n in range(n_directions):
        for k, (t, g) in enumerate(zip(tensors, grads)):
            if g is None:
                continue
            d = rng.standard_normal(t.shape)
            d /= max(np.linalg.norm(d), 1e-12)
            base = t.data.copy()
            t.data = base + eps * d
            up = _scalar(fn, tensors, v)
            t.data = base - eps * d
            down = _scalar(fn, tensors, v)
            t.data = base
            numeric = np.array([(up - down) / (2 * eps)])
            _compare(k, numeric, np.array([np.sum(g * d)]), atol, rtol, where=f"random direction {n}")
    return True
