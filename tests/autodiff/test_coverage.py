"""The meta-test: every primitive in ``tinygrad_keras/autodiff/ops/`` has a gradient test.

A primitive counts as tested when a module ``tests/autodiff/test_*.py`` either

* lists its class name in a module-level set ``TESTED_OPS`` (the op table in
  ``test_ops.py`` builds its set from the cases, and checks each claim against
  the recorded graph), or
* defines a test function named ``test_grad_<ClassName>`` (the convention of
  the conv/pool test files), which by that name promises to call ``gradcheck``.
"""
from __future__ import annotations

import gc
import importlib
import pkgutil
import re
from pathlib import Path

import tinygrad_keras.autodiff.ops as ops_pkg
from tinygrad_keras.autodiff.function import Function

HERE = Path(__file__).parent


def primitives() -> dict:
    """Every Function subclass defined in a module of ``autodiff/ops``, by name."""
    for info in pkgutil.iter_modules(ops_pkg.__path__):
        importlib.import_module(f"{ops_pkg.__name__}.{info.name}")
    found, todo = {}, list(Function.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith(ops_pkg.__name__ + "."):
            found[cls.__name__] = cls
    return found


def names_with_gradient_tests() -> set:
    names = set()
    for path in sorted(HERE.glob("test_*.py")):
        names |= set(re.findall(r"^def test_grad_(\w+)\(", path.read_text(), re.MULTILINE))
        if "TESTED_OPS" in path.read_text() and path.stem != "test_coverage":
            module = importlib.import_module(f"tests.autodiff.{path.stem}")
            names |= set(getattr(module, "TESTED_OPS", ()))
    return names


def test_every_primitive_has_a_gradient_test():
    missing = sorted(set(primitives()) - names_with_gradient_tests())
    assert not missing, (f"primitives without a gradient test: {missing}; add a case to "
                         f"tests/autodiff/test_ops.py or a test_grad_<Name> test")


def test_discovery_sees_the_known_primitives():
    """Guards the meta-test itself: if discovery broke, the check above would pass vacuously."""
    found = primitives()
    assert {"Add", "MatMul", "GetItem", "Softmax", "Sum"} <= set(found)
    assert len(found) >= 30


def test_claims_name_real_primitives():
    """A typo in TESTED_OPS must not hide a missing test."""
    unknown = names_with_gradient_tests() - set(primitives())
    assert not unknown, f"tests claim primitives that do not exist: {sorted(unknown)}"


def test_an_untested_primitive_is_reported():
    """The meta-test really fails for a new primitive nobody tested."""
    untested = type("UntestedOp", (Function,), {"__module__": ops_pkg.__name__ + ".scratch"})
    try:
        assert "UntestedOp" in set(primitives()) - names_with_gradient_tests()
    finally:
        del untested
        gc.collect()  # __subclasses__ holds weak references: let the class go
    assert "UntestedOp" not in primitives()


# ---- second order ----------------------------------------------------------------------
def names_with_second_order_tests() -> set:
    from tests.autodiff import test_second_order
    return set(test_second_order.SECOND_ORDER_OPS)


def not_second_order_covered(found: dict) -> list:
    """Primitives with neither a second-order test nor ``first_order_only = True``."""
    tested = names_with_second_order_tests()
    return sorted(name for name, cls in found.items()
                  if name not in tested and cls.first_order_only is not True)


def test_every_primitive_has_a_second_order_test_or_declares_first_order_only():
    missing = not_second_order_covered(primitives())
    assert not missing, (f"primitives with neither a second-order test (a case in "
                         f"tests/autodiff/test_ops.py, run by test_second_order.py) nor "
                         f"first_order_only = True: {missing}")


def test_an_op_without_second_order_test_is_reported():
    def backward(self, grad):
        return grad
    undeclared = type("NoSecondOrderOp", (Function,), {
        "__module__": ops_pkg.__name__ + ".scratch", "backward": backward})
    declared = type("DeclaredFirstOrderOp", (Function,), {
        "__module__": ops_pkg.__name__ + ".scratch", "first_order_only": True})
    try:
        found = primitives()
        assert "NoSecondOrderOp" in not_second_order_covered(found)
        assert "DeclaredFirstOrderOp" not in not_second_order_covered(found)
    finally:
        del undeclared, declared
        gc.collect()
