"""Tutorial 2's thirty-line reference engine gives the real engine's gradients.

The engine cell is taken from ``tutorials/02_backward.py`` (the page shows exactly this
code) and run against ``Tensor.backward`` on random graphs: shared nodes, broadcasting,
reductions, matrix products, slicing (a ScatterGrad) and constants.
"""
from pathlib import Path

import numpy as np
import pytest

from tinygrad_keras import Tensor

ROOT = Path(__file__).resolve().parents[2]


def reference_engine() -> dict:
    """Run the tutorial's code cell that defines ``reference_backward``."""
    text = (ROOT / "tutorials" / "02_backward.py").read_text(encoding="utf-8")
    cells = text.split("\n# %%")
    cell = next(c for c in cells if "def reference_backward" in c)
    assert len(cell.splitlines()) <= 50, "the reference engine should stay short"
    namespace = {"np": np}
    exec(compile(cell.split("\n", 1)[1], "02_backward.py[engine]", "exec"), namespace)  # noqa: S102
    return namespace


def random_graph(rng: np.random.Generator):
    """Leaves of a few broadcast-compatible shapes, then 12 random ops over what exists."""
    leaves = [Tensor(rng.normal(size=s), requires_grad=True) for s in [(3, 4), (4,), (1, 4)]]
    nodes = list(leaves) + [Tensor(rng.normal(size=(3, 1)))]       # a constant too
    for _ in range(12):
        a, b = (nodes[i] for i in rng.integers(0, len(nodes), 2))
        kind = rng.integers(0, 7)
        if kind == 0:
            out = a + b
        elif kind == 1:
            out = a * b
        elif kind == 2:
            out = (a * 0.5).tanh()
        elif kind == 3:
            out = a - b * 2.0
        elif kind == 4 and a.ndim == 2 and a.shape[1] == 4:
            out = a @ Tensor(rng.normal(size=(4, 4)))
        elif kind == 5 and a.ndim == 2:
            out = a[:, 1:3].sum() + a                                    # slicing: ScatterGrad
        else:
            out = a.sum(axis=0, keepdims=True) * b
        nodes.append(out)
    loss = sum(((n * n).sum() for n in nodes[4:]), nodes[4].sum() * 0.0)
    return leaves, loss


@pytest.mark.parametrize("seed", range(25))
def test_reference_engine_matches_the_real_one(seed):
    engine = reference_engine()
    leaves, loss = random_graph(np.random.default_rng(seed))
    mine = engine["reference_backward"](loss)
    loss.backward()
    for leaf in leaves:
        expected = np.zeros_like(leaf.data) if leaf.grad is None else leaf.grad
        got = mine.get(id(leaf), np.zeros_like(leaf.data))
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_parents_come_first_on_the_diamond():
    """The reference sort puts every parent first, and the diamond gets both contributions."""
    engine = reference_engine()
    x = Tensor(1.5, requires_grad=True)
    a = x * 2
    d = (a * a) * (a + 1)
    order = engine["topological_order"](d)
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        assert all(position[id(p)] < position[id(node)] for p in node.parents if p.requires_grad)
    assert float(engine["reference_backward"](d)[id(x)]) == pytest.approx(66.0)
