"""The shared op-test harness: one ``OpCase`` per op, one checker for all.

An ``OpCase`` pairs a Tensor function with its numpy reference and a hypothesis
strategy that draws ``(arrays, options)``: the input arrays (float64, inside the
op's domain) and keyword options (axis, shape, ...).  ``check_case`` then checks

1. forward equals numpy (values and shape);
2. backward passes ``gradcheck`` (float64 central differences);
3. neither forward nor backward mutated the input arrays;
4. the same op on float32 inputs gives float32 values and float32 gradients.

Coverage convention (read by the meta-test in ``test_coverage.py``): every test
module ``tests/autodiff/test_*.py`` that gradient-tests primitives declares a
module-level set ``TESTED_OPS`` of the ``Function`` subclass names it covers
(``covered_ops(CASES)`` builds it from a case table; the conv/pool test files
write theirs by hand).  A file without the set still counts for a primitive
whose class name it mentions in a test that calls ``gradcheck``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from tinygrad_keras import Tensor, gradcheck, gradgradcheck
from tinygrad_keras.autodiff.engine import toposort
from tinygrad_keras.testing import strategies as tst


@dataclass
class OpCase:
    """One line of the op table.

    ``fn(*tensors, **options)`` is the Tensor op; ``ref(*arrays, **options)`` is
    numpy.  ``draw`` is a strategy of ``(arrays, options)``.  ``grad_inputs``
    lists which inputs require grad (default: every float input).  ``valid``
    rejects draws sitting on a kink.  ``covers`` names the primitives exercised.
    """
    name: str
    fn: Callable
    ref: Callable
    draw: st.SearchStrategy
    covers: tuple = ()
    grad_inputs: tuple | None = None
    valid: Callable | None = None
    float32: bool = True
    atol: float = 1e-5
    extra: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return self.name


def _no_options(arrays_strategy) -> st.SearchStrategy:
    return arrays_strategy.map(lambda arrays: (tuple(arrays), {}))


def unary(name, fn, ref, domain="real", covers=(), valid=None, **kw) -> OpCase:
    """An elementwise op of one input over any shape (0-d to 3-d)."""
    draw = _no_options(tst.arrays(domain=domain).map(lambda a: (a,)))
    return OpCase(name, fn, ref, draw, covers=tuple(covers), valid=valid, **kw)


def binary(name, fn, ref, domains=("real", "real"), covers=(), valid=None, **kw) -> OpCase:
    """A broadcasting op of two inputs: shapes drawn mutually broadcastable."""
    @st.composite
    def pair(draw):
        sa, sb = draw(tst.broadcastable_shapes(2))
        return (draw(tst.arrays(sa, domains[0])), draw(tst.arrays(sb, domains[1]))), {}
    return OpCase(name, fn, ref, pair(), covers=tuple(covers), valid=valid, **kw)


def with_options(name, fn, ref, draw, covers=(), **kw) -> OpCase:
    """An op whose strategy draws its own ``(arrays, options)``."""
    return OpCase(name, fn, ref, draw, covers=tuple(covers), **kw)


def axes_for(ndim: int, allow_tuple: bool = True) -> st.SearchStrategy:
    """``axis`` arguments valid for ``ndim``: None, an int (negative too), a tuple."""
    choices = [st.none()]
    if ndim:
        choices.append(st.integers(-ndim, ndim - 1))
        if allow_tuple:
            choices.append(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim)
                           .map(tuple))
    return st.one_of(*choices)


def tensors_for(arrays, grad_inputs, dtype=None) -> list:
    out = []
    for i, a in enumerate(arrays):
        is_float = a.dtype.kind == "f"
        wants = is_float and (grad_inputs is None or i in grad_inputs)
        out.append(Tensor(a.astype(dtype) if dtype and is_float else a, requires_grad=wants))
    return out


def _check_forward(case, arrays, options):
    tensors = tensors_for(arrays, case.grad_inputs)
    out = case.fn(*tensors, **options)
    expected = np.asarray(case.ref(*arrays, **options))
    assert out.shape == expected.shape, f"{case.name}: shape {out.shape} != numpy {expected.shape}"
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12,
                               err_msg=f"{case.name}: forward differs from numpy")
    return tensors, out


def _check_float32(case, arrays, options):
    tensors = tensors_for(arrays, case.grad_inputs, dtype=np.float32)
    out = case.fn(*tensors, **options)
    assert out.dtype == np.float32, f"{case.name}: float32 inputs gave {out.dtype}"
    if out.requires_grad:
        out.backward(np.ones(out.shape, dtype=np.float32))
    for i, t in enumerate(tensors):
        if t.grad is not None:
            assert t.grad.dtype == np.float32, f"{case.name}: grad of input {i} is {t.grad.dtype}"


def check_case(case: OpCase, drawn) -> None:
    """Run every check of the module docstring on one hypothesis draw."""
    arrays, options = drawn
    if case.valid is not None:
        assume(case.valid(*arrays, **options))
    originals = [a.copy() for a in arrays]
    tensors, out = _check_forward(case, arrays, options)
    if out.requires_grad:
        out.backward(np.ones(out.shape))
    for i, (a, before) in enumerate(zip(arrays, originals)):
        assert np.array_equal(a, before), f"{case.name}: input {i} was mutated"
    if any(t.requires_grad for t in tensors):
        assert gradcheck(lambda *ts: case.fn(*ts, **options), *tensors, atol=case.atol)
    if case.float32:
        _check_float32(case, arrays, options)


def graph_ops(out: Tensor) -> set:
    """Names of the ops recorded in the graph below ``out``."""
    return {node.op for node in toposort(out) if node.op is not None}


def covered_ops(cases) -> set:
    """The ``TESTED_OPS`` set of a case table."""
    return {name for case in cases for name in case.covers}


def check_case_second_order(case: OpCase, drawn) -> None:
    """Second derivatives of one draw: ``gradgradcheck`` (the recorded backward of the
    backward against finite differences of the first derivative, float64)."""
    arrays, options = drawn
    if case.valid is not None:
        assume(case.valid(*arrays, **options))
    tensors = tensors_for(arrays, case.grad_inputs)
    if any(t.requires_grad for t in tensors):
        assert gradgradcheck(lambda *ts: case.fn(*ts, **options), *tensors,
                             atol=max(case.atol, 1e-4))
