"""Checker of exercise 18 (tutorials/18_gradients_of_gradients.py): ``newton_step``."""
from __future__ import annotations

import numpy as np

from ..autodiff import Tensor

A = np.array([[3.0, 1.0], [1.0, 2.0]])  # coupled: a diagonal-only Hessian gets it wrong
B = np.array([1.0, -1.0])


def _quadratic(t: Tensor) -> Tensor:
    return 0.5 * (t * (Tensor(A) @ t)).sum() - (Tensor(B) * t).sum()


def _curved(t: Tensor) -> Tensor:
    return (t[0] + 2 * t[1]).exp() + t[0] * t[0] + t[1].sin()


def _curved_newton(x: np.ndarray) -> np.ndarray:
    """The same step with the gradient and Hessian of ``_curved`` worked out by hand."""
    e = np.exp(x[0] + 2 * x[1])
    g = np.array([e + 2 * x[0], 2 * e + np.cos(x[1])])
    h = np.array([[e + 2, 2 * e], [2 * e, 4 * e - np.sin(x[1])]])
    return x - np.linalg.solve(h, g)


def _call(module, f, x: np.ndarray) -> np.ndarray:
    step = getattr(module, "newton_step", None)
    if step is None:
        raise AssertionError("define a function newton_step(f, x)")
    before = x.copy()
    out = step(f, x)
    if not isinstance(out, np.ndarray) or out.shape != (2,):
        raise AssertionError(f"newton_step should return a numpy array of shape (2,), got "
                             f"{type(out).__name__} {getattr(out, 'shape', '')}")
    if not np.array_equal(x, before):
        raise AssertionError("newton_step changed the point x it was given; return a new array")
    return out


def check(module) -> None:
    """Raise AssertionError, in the learner's terms, when ``module.newton_step`` is wrong."""
    x = np.array([2.0, -3.0])
    got = _call(module, _quadratic, x)
    want = np.linalg.solve(A, B)
    if not np.allclose(got, want, rtol=1e-8, atol=1e-10):
        raise AssertionError(
            f"for the quadratic f(x) = x.A.x/2 - b.x with A = [[3, 1], [1, 2]] one Newton step "
            f"from {x.tolist()} must land on the minimum A^-1 b = {np.round(want, 6).tolist()}, "
            f"got {np.round(got, 6).tolist()}. Is H the full 2x2 Hessian (both off-diagonal "
            f"entries), and do you return x - H^-1 g (not x - g)?")
    x = np.array([0.3, -0.4])
    got, want = _call(module, _curved, x), _curved_newton(x)
    if not np.allclose(got, want, rtol=1e-8, atol=1e-10):
        raise AssertionError(
            f"for f(x) = exp(x0 + 2 x1) + x0^2 + sin(x1) at {x.tolist()} the Newton step is "
            f"{np.round(want, 6).tolist()}, got {np.round(got, 6).tolist()}. Compute the Hessian "
            f"at x itself, from the gradient made with create_graph=True.")
