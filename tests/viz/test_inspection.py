"""Model graphs with one cluster per layer, and the trace of one training step."""
import re

import numpy as np
import pytest

from tests.viz.test_dot import parse_dot
from tinygrad_keras import backend as K
from tinygrad_keras.autodiff import viz
from tinygrad_keras.engine.inspection import LayerRecorder, explain_step, model_graph_dot
from tinygrad_keras.layers import LSTM, Dense, Dropout, Input, SimpleRNN, merge
from tinygrad_keras.models import Model, Sequential


def clusters(text):
    """``{cluster label: number of nodes inside}`` of our DOT output."""
    found, current = {}, None
    for line in text.splitlines():
        m = re.match(r'\s*subgraph cluster_\d+ \{ label="([^"]*)"', line)
        if m:
            current = m.group(1)
            found[current] = 0
        elif line.strip() == "}":
            current = None
        elif current is not None and re.match(r"\s*n\d+ \[label=", line):
            found[current] += 1
    return found


def mlp(activation="relu", depth=3, seed=0):
    np.random.seed(seed)
    model = Sequential([Dense(8, input_dim=4, activation=activation)])
    for _ in range(depth - 2):
        model.add(Dense(8, activation=activation))
    model.add(Dense(3, activation="softmax"))
    model.compile("sgd", "categorical_crossentropy", metrics=["accuracy"])
    return model


def batch(n=6, seed=1):
    rng = np.random.RandomState(seed)
    return rng.rand(n, 4).astype("float32"), np.eye(3)[rng.randint(0, 3, n)]


def test_model_loss_graph_has_one_cluster_per_layer_and_counts_match():
    model = mlp()
    x, y = batch()
    text = model_graph_dot(model, x, y)
    found = clusters(text)
    assert set(found) == {"dense_1", "dense_2", "dense_3", "loss"}
    # each Dense box: W, b, Linear (x . W + b, the relu or softmax included)
    assert found["dense_1"] == found["dense_2"] == found["dense_3"] == 3
    nodes, edges = parse_dot(text)
    # the DOT text describes the very graph to_dot walks: every node and every parent edge
    loss, _ = model._loss_and_metrics(*model._standardize_user_data(x, y), training=False)
    graph = viz.graph_nodes(loss)
    assert len(nodes) == len(graph)
    assert len(edges) == sum(len(t.parents) for t in graph)


def test_functional_model_with_a_merge_and_the_output_graph_without_targets():
    np.random.seed(0)
    a = Input(shape=(3,))
    b = Input(shape=(3,))
    h = merge([Dense(2, name="left")(a), Dense(2, name="right")(b)], mode="sum", name="join")
    model = Model(input=[a, b], output=Dense(1, name="out")(h))
    text = model_graph_dot(model, [np.ones((2, 3)), np.ones((2, 3))])
    found = clusters(text)
    assert set(found) == {"left", "right", "join", "out"}
    assert found["join"] == 1  # just the Add


def test_rnn_unrolled_steps_are_boxes_of_their_own():
    np.random.seed(0)
    model = Sequential([SimpleRNN(4, input_shape=(3, 2)), Dense(1)])
    model.compile("sgd", "mse")
    text = model_graph_dot(model, np.random.rand(2, 3, 2), np.zeros((2, 1)))
    found = clusters(text)
    assert {"simplernn_1 t=0", "simplernn_1 t=1", "simplernn_1 t=2", "simplernn_1"} <= set(found)
    # the weights sit in the layer's box, not in a step's; the boxes of the steps look alike
    assert re.search(r'label="simplernn_1_U\\n', text)
    assert found["simplernn_1 t=1"] == found["simplernn_1 t=2"]


def test_lstm_steps_and_grads_shown():
    np.random.seed(0)
    model = Sequential([LSTM(3, input_shape=(2, 2))])
    model.compile("sgd", "mse")
    sentinels = [np.full(w.shape, 5.0, dtype=w.dtype) for w in model.weights]
    for w, s in zip(model.weights, sentinels):
        w.grad = s
    text = model_graph_dot(model, np.random.rand(2, 2, 2), np.zeros((2, 3)), show_grads=True)
    assert {"lstm_1 t=0", "lstm_1 t=1"} <= set(clusters(text))
    assert "grad [" in text and "grad [5." not in text  # fresh gradients, not the old ones
    assert all(w.grad is s for w, s in zip(model.weights, sentinels))  # and put back


def test_recorder_patches_only_while_active():
    model = mlp()
    layer = model.layers[0]
    with LayerRecorder(model) as rec:
        assert "run" in layer.__dict__
        model.predict(batch()[0])
    assert "run" not in layer.__dict__
    assert [c.layer.name for c in rec.calls] == ["dense_1", "dense_2", "dense_3"]


def manual_norms(model, x, y):
    """Gradient norms from ``.grad`` after a hand-made backward of the same loss."""
    K.set_learning_phase(1)
    try:
        for w in model.weights:
            w.grad = None
        total, _ = model._loss_and_metrics(*model._standardize_user_data(x, y), training=True)
        total.backward()
    finally:
        K.set_learning_phase(0)
    norms = {w.name: float(np.linalg.norm(w.grad.astype(np.float64))) for w in model.weights}
    for w in model.weights:
        w.grad = None
    return float(total.data), norms


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_trace_weight_grad_norms_equal_manual_backward(activation):
    model = mlp(activation, depth=4)
    x, y = batch()
    loss, expected = manual_norms(model, x, y)
    trace = model.explain_step(x, y)
    assert trace.loss == pytest.approx(loss, rel=1e-6)
    got = trace.weight_grad_norms()
    assert set(got) == set(expected)
    for name in expected:
        assert got[name] == pytest.approx(expected[name], rel=1e-5, abs=1e-12), name


def test_trace_does_not_update_and_restores_grads():
    model = mlp()
    x, y = batch()
    weights = model.get_weights()
    sentinels = [np.full(w.shape, 7.0, dtype=w.dtype) for w in model.weights]
    for w, s in zip(model.weights, sentinels):
        w.grad = s
    trace = explain_step(model, x, y)
    for before, after in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(before, after)
    assert all(w.grad is s for w, s in zip(model.weights, sentinels))
    assert K.learning_phase() == 0
    assert trace.metrics_names == ["loss", "acc"] and len(trace.values) == 2


def test_trace_statistics_and_output_grads():
    model = mlp("relu")
    x, y = batch()
    trace = explain_step(model, x, y)
    first = trace.layers[0]
    out = np.maximum(x @ model.layers[0].W.data + model.layers[0].b.data, 0)
    assert first.output_shape == out.shape
    assert first.mean == pytest.approx(float(out.mean()), rel=1e-5)
    assert first.max == pytest.approx(float(out.max()), rel=1e-5)
    assert first.zero_fraction == pytest.approx(float(np.mean(out == 0)))
    assert all(row.output_grad_norm > 0 for row in trace.layers)
    text = str(trace)
    assert "dense_1 (Dense)" in text and "dense_3_b" in text and "|grad w|" in text
    data = trace.to_dict()
    assert data["layers"][2]["weights"][0]["name"] == "dense_3_W"


def test_trace_in_training_phase_runs_dropout():
    np.random.seed(0)
    model = Sequential([Dense(50, input_dim=4), Dropout(0.5), Dense(3, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy")
    x, y = batch()
    train = explain_step(model, x, y, training=True)
    test = explain_step(model, x, y, training=False)
    assert train.layers[1].zero_fraction > 0.2
    assert test.layers[1].zero_fraction == 0


def test_sigmoid_gradients_vanish_faster_than_relu():
    x, y = batch(32)
    ratios = {}
    for act in ("sigmoid", "relu"):
        trace = mlp(act, depth=8).explain_step(x, y)
        first, last = trace.layers[0].weights[0], trace.layers[-2].weights[0]
        ratios[act] = first.grad_norm / last.grad_norm
    assert ratios["sigmoid"] < ratios["relu"] / 10, ratios


def test_uncompiled_model_cannot_be_traced():
    model = Sequential([Dense(2, input_dim=2)])
    with pytest.raises(RuntimeError, match="compiled"):
        explain_step(model, np.ones((1, 2)), np.ones((1, 2)))


def test_trace_leaves_batchnorm_statistics_and_rnn_states_alone():
    from tinygrad_keras.layers import BatchNormalization
    np.random.seed(0)
    model = Sequential([Dense(4, input_dim=4), BatchNormalization(), Dense(3,
                                                                        activation="softmax")])
    model.compile("sgd", "categorical_crossentropy")
    x, y = batch()
    before = model.get_weights()
    explain_step(model, x, y)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.train_on_batch(x, y)  # the check above can fail: a real step moves the statistics
    assert not np.array_equal(before[4], model.get_weights()[4])

    rnn = Sequential([SimpleRNN(3, batch_input_shape=(2, 4, 2), stateful=True)])
    rnn.compile("sgd", "mse")
    seq = np.random.rand(2, 4, 2)
    rnn.predict(seq, batch_size=2)
    states = [s.data.copy() for s in rnn.layers[0].states]
    explain_step(rnn, seq, np.zeros((2, 3)))
    for a, s in zip(states, rnn.layers[0].states):
        np.testing.assert_array_equal(a, s.data)


def test_draw_model_graph_writes_dot_without_graphviz(tmp_path, monkeypatch):
    from tinygrad_keras.engine.inspection import draw_model_graph
    monkeypatch.setattr(viz.shutil, "which", lambda name: None)
    model = mlp()
    x, y = batch()
    path = draw_model_graph(model, x, y, str(tmp_path / "g.dot"))
    assert set(clusters((tmp_path / "g.dot").read_text())) == {"dense_1", "dense_2", "dense_3",
                                                                "loss"}
    with pytest.raises(RuntimeError, match="graphviz"):
        draw_model_graph(model, x, y, str(tmp_path / "g.svg"))
    assert path.endswith("g.dot")


def test_cnn_trace_table_columns_line_up_with_long_names():
    from tinygrad_keras.layers import Convolution2D, Flatten, MaxPooling2D
    np.random.seed(0)
    model = Sequential([Convolution2D(2, 3, 3, input_shape=(1, 6, 6), activation="relu"),
                        MaxPooling2D(), Flatten(), Dense(2, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy")
    trace = model.explain_step(np.random.rand(3, 1, 6, 6), np.eye(2)[[0, 1, 1]])
    assert [r.output_shape for r in trace.layers] == [(3, 2, 4, 4), (3, 2, 2, 2), (3, 8), (3, 2)]
    assert trace.layers[1].weights == [] and trace.layers[1].output_grad_norm > 0
    lines = str(trace).splitlines()
    column = lines[1].index("output shape")
    assert lines[3].index("(3, 2, 4, 4)") == column
    assert lines[4].index("(2, 1, 3, 3)") == column  # the kernel's row


def test_steps_count_from_zero_in_every_call_of_a_shared_rnn():
    np.random.seed(0)
    rnn = SimpleRNN(2, name="shared_rnn")
    a, b = Input(shape=(3, 2)), Input(shape=(3, 2))
    model = Model(input=[a, b], output=merge([rnn(a), rnn(b)], mode="sum"))
    with LayerRecorder(model) as rec:
        model.predict([np.ones((1, 3, 2)), np.ones((1, 3, 2))])
    steps = [c.step for c in rec.calls if c.layer is rnn]
    assert steps == [0, 1, 2, None, 0, 1, 2, None]
