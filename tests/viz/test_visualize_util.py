"""visualize_util.plot / model_to_dot: the layer graph, as in Keras 1."""
import re

import pytest

from tinygrad_keras.autodiff import viz
from tinygrad_keras.layers import LSTM, Dense, Input, TimeDistributed, merge
from tinygrad_keras.models import Model, Sequential
from tinygrad_keras.utils import visualize_util
from tinygrad_keras.utils.visualize_util import model_to_dot, plot


def parse(text):
    """``({node id: label}, [(a, b) edges])`` of model_to_dot's output."""
    nodes = dict(re.findall(r'^\s*(l\d+) \[label="(.*)"\];$', text, flags=re.MULTILINE))
    edges = re.findall(r"^\s*(l\d+) -> (l\d+);$", text, flags=re.MULTILINE)
    return nodes, edges


def branching_model():
    a = Input(shape=(4,), name="a")
    b = Input(shape=(4,), name="b")
    shared = Dense(3, name="shared")
    joined = merge([shared(a), shared(b)], mode="concat", name="joined")
    out = Dense(1, name="out")(joined)
    return Model(input=[a, b], output=[out, joined])


def test_sequential_chain():
    model = Sequential([Dense(5, input_dim=3, name="h"), Dense(2, name="o")])
    nodes, edges = parse(model_to_dot(model))
    labels = list(nodes.values())
    assert labels[1:] == ["h: Dense", "o: Dense"] and labels[0].endswith(": InputLayer")
    assert edges == [("l0", "l1"), ("l1", "l2")]


def test_functional_graph_counts_and_shared_layer():
    nodes, edges = parse(model_to_dot(branching_model()))
    names = {v.split(":")[0]: k for k, v in nodes.items()}
    assert set(names) == {"a", "b", "shared", "joined", "out"}
    expected = {("a", "shared"), ("b", "shared"), ("shared", "joined"), ("joined", "out")}
    inverse = {v: k for k, v in names.items()}
    assert {(inverse[x], inverse[y]) for x, y in edges} == expected
    assert len(edges) == 4  # joined takes shared twice: one arrow


def test_shapes_and_names_options():
    text = model_to_dot(branching_model(), show_shapes=True, show_layer_names=False)
    nodes, _ = parse(text)
    assert "shared" not in text
    dense = [v for v in nodes.values() if v.startswith("Dense\\n")]
    # the shared layer was called twice with the same shapes; its row shows them
    assert "{{(None, 4)}|{(None, 3)}}" in dense[0] or "{{(None, 4)}|{(None, 3)}}" in dense[1]
    merged = next(v for v in nodes.values() if v.startswith("Merge"))
    assert "multiple" not in merged and "(None, 6)" in merged


def test_wrapper_shows_the_wrapped_layer():
    model = Sequential([TimeDistributed(Dense(2, name="inner"), input_shape=(3, 4), name="td"),
                        LSTM(2, name="rnn")])
    nodes, _ = parse(model_to_dot(model))
    assert "td(inner): TimeDistributed(Dense)" in nodes.values()


def test_nested_model_is_one_box():
    inner = Sequential([Dense(2, input_dim=3, name="inner_dense")], name="inner")
    x = Input(shape=(3,), name="x")
    model = Model(input=x, output=Dense(1, name="top")(inner(x)))
    nodes, edges = parse(model_to_dot(model))
    assert sorted(nodes.values()) == ["inner: Sequential", "top: Dense", "x: InputLayer"]
    assert len(edges) == 2


def test_plot_dot_without_graphviz_and_hint_for_png(tmp_path, monkeypatch):
    monkeypatch.setattr(viz.shutil, "which", lambda name: None)
    model = Sequential([Dense(1, input_dim=2)])
    path = plot(model, to_file=str(tmp_path / "model.dot"), show_shapes=True)
    with open(path) as f:
        assert f.read() == model_to_dot(model, show_shapes=True)
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        plot(model, to_file=str(tmp_path / "model.png"))
    with pytest.raises(RuntimeError, match="Graphviz"):
        model_to_dot(model).create(prog="dot", format="svg")
    dot = model_to_dot(model)
    assert dot.to_string() == str(dot)
    dot.write(str(tmp_path / "m.dot"))
    assert (tmp_path / "m.dot").read_text() == str(dot)


def test_escape_keeps_record_structure_out_of_names():
    assert visualize_util._escape("a{b}|c<d>") == "a\\{b\\}\\|c\\<d\\>"


def test_not_a_model():
    with pytest.raises(TypeError, match="Model or Sequential"):
        model_to_dot(Dense(2))


@pytest.mark.skipif(not viz.graphviz_available(), reason="Graphviz 'dot' not installed")
def test_plot_png(tmp_path):
    path = plot(branching_model(), to_file=str(tmp_path / "model.png"), show_shapes=True)
    with open(path, "rb") as f:
        assert f.read(4) == b"\x89PNG"


def test_keras1_import_path(tmp_path, monkeypatch):
    import tinygrad_keras
    tinygrad_keras.install_keras_alias()
    from keras.utils.visualize_util import plot as keras_plot

    monkeypatch.chdir(tmp_path)
    assert keras_plot is plot
    keras_plot(Sequential([Dense(1, input_dim=2)]), to_file="model.dot")
    assert (tmp_path / "model.dot").read_text().startswith("digraph model {")
