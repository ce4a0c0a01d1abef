"""Functional API details beyond the guide: keywords, nodes, nesting, summaries, persistence
of graphs with shared layers and reused models."""
import warnings

import numpy as np
import pytest

from tinygrad_keras.layers import BatchNormalization, Dense, Dropout, Input, TimeDistributed, merge
from tinygrad_keras.models import Model, Sequential, load_model, model_from_json


def reload(model, tmp_path):
    path = str(tmp_path / "model.h5")
    model.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_model(path)


def twin():
    a, b = Input(shape=(3,), name="a"), Input(batch_shape=(None, 3), name="b")
    shared = Dense(2, name="shared")
    return Model(inputs=[a, b], outputs=[shared(a), shared(b)], name="twin")


def test_keras_2_keywords_and_names():
    model = twin()
    assert model.name == "twin"
    assert [layer.name for layer in model.layers] == ["a", "b", "shared"]
    assert model.input_names == ["a", "b"] and model.output_names == ["shared", "shared"]
    assert model.get_layer(index=2) is model.get_layer("shared")
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")


def test_summary_lists_every_node_of_a_shared_layer(capsys):
    twin().summary()
    lines = capsys.readouterr().out.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("shared (Dense)"))
    assert lines[row].rstrip().endswith("a[0][0]")
    assert lines[row + 1].strip() == "b[0][0]"
    assert "Total params: 8" in lines


def test_model_reused_twice_inside_another_round_trips(tmp_path):
    inner = Sequential([Dense(2, input_dim=3)], name="inner")
    x = Input(shape=(3,))
    outer = Model(x, merge([inner(x), Dense(2)(inner(x))], mode="sum"))
    data = np.random.random((4, 3)).astype("float32")
    expected = outer.predict(data)
    rebuilt = model_from_json(outer.to_json())
    rebuilt.set_weights(outer.get_weights())
    np.testing.assert_array_equal(rebuilt.predict(data), expected)
    np.testing.assert_array_equal(reload(outer, tmp_path).predict(data), expected)


def test_time_distributed_sequential_trains_and_reloads(tmp_path):
    step = Sequential([Dense(4, input_dim=3), BatchNormalization(), Dropout(0.5)])
    frames = Input(shape=(5, 3))
    model = Model(frames, TimeDistributed(step)(frames))
    model.compile("sgd", "mse")
    x = np.random.random((2, 5, 3)).astype("float32")
    before = model.predict(x)
    model.train_on_batch(x, np.ones((2, 5, 4)))
    assert not np.allclose(model.predict(x), before)
    np.testing.assert_allclose(reload(model, tmp_path).predict(x), model.predict(x), rtol=1e-6)


def test_dict_inputs_for_predict_and_evaluate_with_per_output_metrics():
    a, b = Input(shape=(3,), name="left"), Input(shape=(2,), name="right")
    out1 = Dense(1, activation="sigmoid", name="yes_no")(merge([a, b], mode="concat"))
    out2 = Dense(3, activation="softmax", name="kind")(a)
    model = Model(input=[a, b], output=[out1, out2])
    model.compile("adam", loss=["binary_crossentropy", "categorical_crossentropy"],
                  metrics={"kind": ["accuracy"]})
    assert model.metrics_names == ["loss", "yes_no_loss", "kind_loss", "kind_acc"]
    xs = {"left": np.random.random((6, 3)), "right": np.random.random((6, 2))}
    ys = {"yes_no": np.random.randint(0, 2, (6, 1)), "kind": np.eye(3)[[0, 1, 2, 0, 1, 2]]}
    values = model.evaluate(xs, ys, verbose=0)
    assert len(values) == 4 and 0.0 <= values[-1] <= 1.0
    as_list = model.predict([xs["left"], xs["right"]])
    for p, q in zip(model.predict(xs), as_list):
        np.testing.assert_array_equal(p, q)
    with pytest.raises(ValueError, match="right"):
        model.predict({"left": xs["left"]})


def test_disconnected_graph_names_the_missing_input():
    a, b = Input(shape=(3,), name="first"), Input(shape=(3,), name="second")
    out = merge([Dense(2)(a), Dense(2)(b)], mode="sum")
    with pytest.raises(RuntimeError, match="second"):
        Model(input=a, output=out)
