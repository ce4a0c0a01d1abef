"""draw_backward: one call gives every node its value and its gradient, and draws them."""
import doctest

import matplotlib
import numpy as np
import pytest

from tinygrad_keras import Tensor
from tinygrad_keras.autodiff import viz_values
from tinygrad_keras.autodiff.viz_values import draw_backward, draw_values, graph_layout

matplotlib.use("Agg")


def diamond():
    x = Tensor(1.5, requires_grad=True, name="x")
    a = x * 2
    a.name = "a"
    d = (a * a) * (a + 1)
    return x, a, d


def test_every_node_gets_its_gradient():
    x, a, d = diamond()
    rows = draw_backward(d, ax=False)
    grads = {r["label"]: r["grad"] for r in rows}
    assert grads["x"] == "66" and grads["a = Mul"] == "33"   # 2 * (3a^2 + 2a) at a = 3
    assert float(x.grad) == 66.0 and float(a.grad) == 33.0
    assert all(r["grad"] != "-" for r in rows if r["node"].requires_grad)


def test_parents_come_first_and_constants_are_drawn():
    _, _, d = diamond()
    rows = graph_layout(d)
    column = {id(r["node"]): r["col"] for r in rows}
    for r in rows:
        assert all(column[p] < r["col"] for p in r["parents"])
    assert sum(r["label"] == "const" for r in rows) == 2   # the 2 and the 1
    assert rows[-1]["node"] is d


def test_it_draws_on_an_axes():
    import matplotlib.pyplot as plt

    _, _, d = diamond()
    _, ax = plt.subplots()
    draw_backward(d, ax=ax, title="diamond")
    texts = [t.get_text() for t in ax.texts]
    assert any("grad 66" in t for t in texts) and ax.get_title() == "diamond"
    _, ax2 = plt.subplots()
    draw_values((Tensor([1.0, 2.0], requires_grad=True) * 3).sum(), ax=ax2, show_values=False)
    assert any("(2,)" in t.get_text() for t in ax2.texts)
    plt.close("all")


def test_a_non_scalar_result_is_refused():
    with pytest.raises(ValueError, match="scalar"):
        draw_backward(Tensor(np.ones(3), requires_grad=True) * 2, ax=False)


def test_docstring_example_runs():
    assert doctest.testmod(viz_values).failed == 0
