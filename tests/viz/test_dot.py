"""to_dot: the DOT text describes exactly the recorded graph."""
import re

import numpy as np
import pytest

from tinygrad_keras import Tensor
from tinygrad_keras.autodiff import viz


def parse_dot(text):
    """Node ids and edges of our DOT output (a tiny parser: one statement per line)."""
    nodes = set(re.findall(r"^\s*(n\d+) \[label=", text, flags=re.MULTILINE))
    edges = re.findall(r"^\s*(n\d+) -> (n\d+)", text, flags=re.MULTILINE)
    return nodes, edges


def test_counts_match_the_graph_of_a_diamond():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    a = x * 2
    b = x + 1
    y = (a * b).sum()
    nodes, edges = parse_dot(viz.to_dot(y))
    # x, the constant 2, the constant 1, a, b, a*b, sum
    assert len(nodes) == 7
    assert len(edges) == 7  # x feeds both branches
    assert len(viz.graph_nodes(y)) == 7


def test_parameters_are_highlighted_and_values_optional():
    w = Tensor(np.ones(3), requires_grad=True, name="w")
    loss = (w * 3).sum()
    loss.backward(retain_graph=True)
    text = viz.to_dot(loss, show_values=True, show_grads=True)
    assert "fillcolor" in text and "w" in text
    assert "grad [3., 3., 3.]" in text
    assert "value" in text


def test_groups_become_clusters():
    x = Tensor([1.0], requires_grad=True)
    y = x * 2
    text = viz.to_dot(y, groups={id(y): "dense_1"})
    assert 'subgraph cluster_' in text and 'label="dense_1"' in text


def test_long_chain_does_not_recurse():
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0
    nodes, edges = parse_dot(viz.to_dot(y, max_nodes=20000))
    assert len(nodes) == 10001 and len(edges) == 10000


def test_draw_without_graphviz_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setattr(viz.shutil, "which", lambda name: None)
    x = Tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="graphviz"):
        viz.draw(x * 2, str(tmp_path / "g.svg"))
    out = viz.draw(x * 2, str(tmp_path / "g.dot"))
    with open(out) as f:
        assert f.read().startswith("digraph")


@pytest.mark.skipif(not viz.graphviz_available(), reason="Graphviz 'dot' not installed")
def test_draw_svg(tmp_path):
    x = Tensor([1.0], requires_grad=True)
    path = viz.draw(x * 2, str(tmp_path / "g.svg"))
    with open(path) as f:
        assert f.read().lstrip().startswith("<?xml")
