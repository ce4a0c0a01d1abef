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


def _compare(k: int, expected: np.ndarray, received: np.ndarray, atol: float, rtol: float,
             where: str | None = None) -> None:
    """Raise naming input ``k`` and the element (or ``where``) that misses most."""
    excess = np.abs(received - expected) - (atol + rtol * np.abs(expected))
    excess = np.where(np.isnan(excess), np.inf, excess)
    if excess.size and excess.max() > 0:
        worst = np.unravel_index(int(np.argmax(excess)), excess.shape)
        where = where or f"element {tuple(int(i) for i in worst)}"
        raise AssertionError(
            f"gradcheck: gradient of input {k} is wrong at {where}: expected "
            f"{float(expected[worst]):.6g} (finite differences), received "
            f"{float(received[worst]):.6g} (backward); atol={atol}, rtol={rtol}")


def gradcheck(fn, *inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              grad_output=None) -> bool:
    """True if ``fn``'s backward agrees with central differences for every input
    that requires grad; otherwise an AssertionError naming the input index, the
    worst element, the expected (numeric) and the received (analytic) value.

    ``inputs`` are Tensors or arrays (arrays and Tensors without requires_grad are
    constants).  Float inputs are copied to float64; ``fn`` must keep that dtype.
    ``grad_output`` fixes the upstream gradient (default: seeded random normal).
    """
    tensors = _prepare(inputs)
    if not any(t.requires_grad for t in tensors):
        raise ValueError("gradcheck: no input has requires_grad=True, nothing to check")
    v = None if grad_output is None else np.asarray(grad_output, dtype=np.float64)
    grads, v = _analytic(fn, tensors, v)
    for k, (t, g) in enumerate(zip(tensors, grads)):
        if g is not None:
            _compare(k, _numeric(fn, tensors, t, v, eps), g, atol, rtol)
    return True


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
