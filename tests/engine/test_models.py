"""Sequential and functional models: structure, naming, weights, configs, summary."""
import json

import numpy as np
import pytest

from tinygrad_keras import backend as K
from tinygrad_keras.engine import Input, get_source_inputs
from tinygrad_keras.layers import Activation, Dense, Dropout, Merge, merge
from tinygrad_keras.models import Model, Sequential, model_from_config, model_from_json


@pytest.fixture(autouse=True)
def fresh_names():
    K.reset_uids()
    yield
    K.reset_uids()


def test_sequential_names_layers_and_shapes():
    model = Sequential([Dense(32, input_dim=784), Activation("relu"), Dense(10)])
    assert [la.name for la in model.layers] == ["dense_1", "activation_1", "dense_2"]
    assert model.name == "sequential_1"
    assert model.inputs[0]._keras_history[0].name == "dense_input_1"
    assert model.input_shape == (None, 784) and model.output_shape == (None, 10)
    assert model.count_params() == 784 * 32 + 32 + 330
    assert model.get_layer("activation_1") is model.layers[1]
    assert model.get_layer(index=0).name == "dense_input_1"


def test_three_ways_to_give_the_input_shape_are_equal():
    shapes = [Sequential([Dense(2, **kw)]).input_shape for kw in
              ({"input_shape": (5,)}, {"batch_input_shape": (None, 5)}, {"input_dim": 5})]
    assert shapes == [(None, 5)] * 3


def test_pop_and_readd():
    model = Sequential([Dense(4, input_dim=3), Activation("relu"), Dense(2)])
    model.pop()
    assert model.output_shape == (None, 4) and len(model.layers) == 2
    model.add(Dense(7))
    assert model.predict(np.zeros((2, 3))).shape == (2, 7)
    for _ in range(3):
        model.pop()
    with pytest.raises(TypeError, match="no layers"):
        model.pop()


def test_get_set_weights_round_trip():
    model = Sequential([Dense(4, input_dim=3), Dense(2)])
    x = np.random.randn(5, 3)
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(3, 4), (4,), (4, 2), (2,)]
    before = model.predict(x)
    model.set_weights([w + 1 for w in weights])
    assert not np.allclose(model.predict(x), before)
    model.set_weights(weights)
    np.testing.assert_allclose(model.predict(x), before)
    with pytest.raises(ValueError, match="expects 4 weight arrays"):
        model.set_weights(weights[:3])


def test_merge_of_two_sequentials_takes_a_list():
    left = Sequential([Dense(4, input_dim=6)])
    right = Sequential([Dense(4, input_dim=6)])
    model = Sequential([Merge([left, right], mode="concat"), Dense(3, activation="softmax")])
    assert [la.name for la in model.flattened_layers] == ["dense_1", "dense_2", "dense_3"]
    assert len(model.inputs) == 2
    model.compile("rmsprop", "categorical_crossentropy", metrics=["acc"])
    x = np.random.randn(10, 6)
    hist = model.fit([x, x], np.eye(3)[[0] * 10], nb_epoch=1, verbose=0)
    assert set(hist.history) == {"loss", "acc"}
    lam = Sequential([Merge([left, right], mode=lambda t: t[0] - t[1], output_shape=(4,))])
    np.testing.assert_allclose(lam.predict([x, x]), left.predict(x) - right.predict(x),
                               rtol=1e-5, atol=1e-6)


def test_shared_source_appears_once():
    shared = Sequential([Dense(4, input_dim=6)])
    other = Sequential([Dense(4, input_dim=6)])
    a = Merge([shared, other], mode="sum")
    inputs = get_source_inputs(a.inbound_nodes[0].output_tensors[0])
    assert [t._keras_history[0].name for t in inputs] == ["dense_input_1", "dense_input_2"]


def test_functional_multi_input_output_names_and_dict_data():
    main = Input(shape=(5,), name="main_input")
    aux = Input(shape=(2,), name="aux_input")
    h = Dense(4, activation="relu")(main)
    aux_out = Dense(1, activation="sigmoid", name="aux_output")(h)
    x = merge([h, aux], mode="concat")
    main_out = Dense(1, activation="sigmoid", name="main_output")(x)
    model = Model(input=[main, aux], output=[main_out, aux_out])
    model.compile("rmsprop", loss={"main_output": "binary_crossentropy",
                                   "aux_output": "binary_crossentropy"},
                  loss_weights={"main_output": 1., "aux_output": 0.2}, metrics=["accuracy"])
    assert model.metrics_names == ["loss", "main_output_loss", "aux_output_loss",
                                   "main_output_acc", "aux_output_acc"]
    xm, xa = np.random.randn(8, 5), np.random.randn(8, 2)
    y = np.random.randint(0, 2, (8, 1))
    hist = model.fit({"main_input": xm, "aux_input": xa}, {"main_output": y, "aux_output": y},
                     nb_epoch=1, batch_size=4, verbose=0)
    assert set(hist.history) == set(model.metrics_names)
    loss, main_loss, aux_loss = model.evaluate([xm, xa], [y, y], verbose=0)[:3]
    assert loss == pytest.approx(main_loss + 0.2 * aux_loss, rel=1e-5)


def test_metric_returning_dict_and_duplicate_labels():
    def rates(y_true, y_pred):
        return {"false_neg": K.mean(y_true * (1 - y_pred)), "false_pos": K.mean(
            (1 - y_true) * y_pred)}

    def mean_pred(y_true, y_pred):
        return K.mean(y_pred)

    model = Sequential([Dense(1, input_dim=3, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy", mean_pred, rates, "acc"])
    assert model.metrics_names == ["loss", "acc", "mean_pred", "false_neg", "false_pos", "acc"]
    hist = model.fit(np.random.randn(6, 3), np.random.randint(0, 2, (6, 1)), nb_epoch=1,
                     verbose=0)
    assert set(hist.history) == {"loss", "acc_1", "acc_2", "mean_pred", "false_neg",
                                 "false_pos"}


def test_accuracy_resolution():
    from tinygrad_keras import metrics
    for loss, units, fn in (("binary_crossentropy", 3, metrics.binary_accuracy),
                            ("mse", 1, metrics.binary_accuracy),
                            ("sparse_categorical_crossentropy", 3,
                             metrics.sparse_categorical_accuracy),
                            ("categorical_crossentropy", 3, metrics.categorical_accuracy)):
        model = Sequential([Dense(units, input_dim=2)])
        model.compile("sgd", loss, metrics=["accuracy"])
        assert model._metrics[0][0][0] is fn


def test_model_as_layer_shares_weights():
    inp = Input(shape=(3,))
    inner = Model(input=inp, output=Dense(2)(inp))
    outer_in = Input(shape=(3,))
    outer = Model(input=outer_in, output=Dense(1)(inner(outer_in)))
    x = np.random.randn(4, 3)
    assert inner.layers[1].get_weights()[0] is not None
    assert len(outer.get_weights()) == 4
    np.testing.assert_allclose(outer.predict(x),
                               inner.predict(x) @ outer.layers[-1].get_weights()[0]
                               + outer.layers[-1].get_weights()[1], rtol=1e-5)
    seq_in = Sequential([Dense(2, input_dim=3)])
    y = seq_in(outer_in)
    assert y.shape == (None, 2)


def test_shared_layer_and_topological_order():
    a, b = Input(shape=(4,)), Input(shape=(4,))
    shared = Dense(3)
    out = merge([shared(a), shared(b)], mode="sum")
    model = Model(input=[a, b], output=out)
    assert [type(la).__name__ for la in model.layers] == ["InputLayer", "InputLayer", "Dense",
                                                          "Merge"]
    assert shared.get_output_shape_at(1) == (None, 3)
    x = np.random.randn(2, 4)
    W, bias = shared.get_weights()
    np.testing.assert_allclose(model.predict([x, 2 * x]), 3 * x @ W + 2 * bias, rtol=1e-5)


def test_disconnected_graph_and_duplicate_names():
    a, b = Input(shape=(2,)), Input(shape=(2,))
    out = Dense(1)(b)
    with pytest.raises(RuntimeError, match="disconnected"):
        Model(input=a, output=out)
    c = Input(shape=(2,))
    d = Dense(2, name="same")(c)
    with pytest.raises(RuntimeError, match="unique"):
        Model(input=c, output=Dense(2, name="same")(d))


def test_configs_round_trip_and_predict_equal():
    seq = Sequential([Dense(4, input_dim=3, activation="relu"), Dropout(0.2), Dense(2)])
    text = seq.to_json()
    assert json.loads(text)["keras_version"] == "1.2.2"
    assert [e["class_name"] for e in json.loads(text)["config"]] == ["Dense", "Dropout",
                                                                     "Dense"]
    clone = model_from_json(text)
    clone.set_weights(seq.get_weights())
    x = np.random.randn(3, 3)
    np.testing.assert_allclose(clone.predict(x), seq.predict(x), rtol=1e-6)

    a = Input(shape=(3,), name="a")
    h = Dense(4, name="h")(a)
    out = merge([h, Dense(4, name="g")(a)], mode="mul", name="m")
    model = Model(input=a, output=out, name="net")
    config = model.get_config()
    assert config["input_layers"] == [["a", 0, 0]] and config["output_layers"] == [["m", 0, 0]]
    assert config["layers"][-1]["inbound_nodes"] == [[["h", 0, 0], ["g", 0, 0]]]
    again = model_from_config({"class_name": "Model", "config": config})
    again.set_weights(model.get_weights())
    np.testing.assert_allclose(again.predict(x), model.predict(x), rtol=1e-6)


def test_nested_model_config_uses_node_index_one():
    inp = Input(shape=(3,), name="i")
    inner = Model(input=inp, output=Dense(2, name="d")(inp), name="inner")
    outer_in = Input(shape=(3,), name="o")
    outer = Model(input=outer_in, output=inner(outer_in), name="outer")
    config = outer.get_config()
    assert config["output_layers"] == [["inner", 1, 0]]
    rebuilt = Model.from_config(config)
    rebuilt.set_weights(outer.get_weights())
    x = np.random.randn(2, 3)
    np.testing.assert_allclose(rebuilt.predict(x), outer.predict(x), rtol=1e-6)


def test_summary_text_matches_keras_122(capsys):
    model = Sequential([Dense(512, input_shape=(784,)), Activation("relu"), Dropout(0.2),
                        Dense(10)])
    model.summary()
    lines = capsys.readouterr().out.split("\n")
    assert lines[0] == "_" * 100
    assert lines[1] == "Layer (type)                     Output Shape          Param #     " \
                       "Connected to                     "
    assert lines[2] == "=" * 100
    assert lines[3] == "dense_1 (Dense)                  (None, 512)           401920      " \
                       "dense_input_1[0][0]              "
    assert lines[4] == "_" * 100
    assert lines[5].startswith("activation_1 (Activation)        (None, 512)           0    ")
    assert lines[9] == "dense_2 (Dense)                  (None, 10)            5130        " \
                       "dropout_1[0][0]                  "
    assert lines[10] == "=" * 100
    assert lines[11:15] == ["Total params: 407,050", "Trainable params: 407,050",
                            "Non-trainable params: 0", "_" * 100]


def test_summary_functional_lists_inputs_and_continuation_rows(capsys):
    a, b = Input(shape=(2,), name="a"), Input(shape=(2,), name="b")
    model = Model(input=[a, b], output=merge([a, b], mode="sum", name="s"))
    model.summary()
    lines = capsys.readouterr().out.split("\n")
    assert lines[3].startswith("a (InputLayer)                   (None, 2)             0   ")
    assert lines[7].rstrip().endswith("a[0][0]")
    assert lines[8].strip() == "b[0][0]" and lines[8].startswith(" " * 67)


def test_predict_classes_and_proba():
    model = Sequential([Dense(3, input_dim=2, activation="softmax")])
    x = np.random.randn(5, 2)
    np.testing.assert_array_equal(model.predict_classes(x, verbose=0),
                                  model.predict(x).argmax(-1))
    binary = Sequential([Dense(1, input_dim=2, activation="sigmoid")])
    classes = binary.predict_classes(x, verbose=0)
    assert classes.shape == (5, 1) and classes.dtype == np.int32
    with pytest.warns(UserWarning, match="probability"):
        Sequential([Dense(2, input_dim=2, init="one")]).predict_proba(np.full((2, 2), 5.),
                                                                      verbose=0)
