"""``model.save``/``load_model`` and model-level ``save_weights``/``load_weights``."""
import json
import os
import pathlib

import h5py
import numpy as np
import pytest

from tinygrad_keras.engine.hdf5_format import WeightFileError
from tinygrad_keras.layers import Dense, Input, Lambda, merge
from tinygrad_keras.models import Model, Sequential, load_model, model_from_json, model_from_yaml
from tinygrad_keras.optimizers import SGD, Adadelta, Adagrad, Adam, Adamax, Nadam, RMSprop


def small_sequential(optimizer="sgd"):
    model = Sequential([Dense(5, input_dim=4, activation="tanh"), Dense(2)])
    model.compile(optimizer, "mse", metrics=["mae"])
    return model


def two_output_model():
    a, b = Input(shape=(4,), name="main_input"), Input(shape=(3,), name="aux_input")
    hidden = Dense(5, activation="relu")(merge([a, b], mode="concat"))
    main = Dense(1, activation="sigmoid", name="main_output")(hidden)
    aux = Dense(2, activation="softmax", name="aux_output")(a)
    return Model(input=[a, b], output=[main, aux])


def data(n=16):
    x = np.random.randn(n, 4).astype("float32")
    return x, np.random.randn(n, 2).astype("float32")


def test_save_file_has_the_1_2_2_layout(tmp_path):
    model = small_sequential(Adam(lr=0.01))
    model.train_on_batch(*data())
    path = str(tmp_path / "m.h5")
    model.save(path)
    with h5py.File(path, "r") as f:
        assert f.attrs["keras_version"] == b"1.2.2"
        config = json.loads(f.attrs["model_config"].decode())
        assert config["class_name"] == "Sequential" and isinstance(config["config"], list)
        training = json.loads(f.attrs["training_config"].decode())
        assert training["optimizer_config"]["class_name"] == "Adam"
        assert training["loss"] == "mse" and training["metrics"] == ["mae"]
        weights = f["model_weights"]
        assert [n.decode() for n in weights.attrs["layer_names"]] == ["dense_1", "dense_2"] or \
            len(weights.attrs["layer_names"]) == 2
        opt = f["optimizer_weights"]
        names = [n.decode() for n in opt.attrs["weight_names"]]
        assert len(names) == 1 + 2 * 4  # iterations, then m and v for W, b of two layers
        assert float(opt[names[0]][()]) == 1.0  # one update so far


def test_functional_weight_file_lists_input_layers(tmp_path):
    model = two_output_model()
    path = str(tmp_path / "w.h5")
    model.save_weights(path)
    with h5py.File(path, "r") as f:
        names = [n.decode() for n in f.attrs["layer_names"]]
    assert names == [layer.name for layer in model.layers]
    assert names[:2] == ["main_input", "aux_input"]


@pytest.mark.parametrize("make_optimizer", [
    lambda: Adam(lr=0.01),
    lambda: SGD(lr=0.05, momentum=0.9, nesterov=True, decay=0.01),
    lambda: RMSprop(lr=0.01),
    lambda: Nadam(lr=0.01),
    lambda: Adadelta(),
    lambda: Adagrad(lr=0.05, decay=0.1),
    lambda: Adamax(clipnorm=0.5),
], ids=["adam", "sgd-momentum", "rmsprop", "nadam", "adadelta", "adagrad-decay", "adamax"])
def test_training_resumes_exactly_after_load_model(make_optimizer, tmp_path):
    x, y = data()
    model = small_sequential(make_optimizer())
    for _ in range(3):
        model.train_on_batch(x, y)
    path = str(tmp_path / "m.h5")
    model.save(path)
    uninterrupted = [model.train_on_batch(x, y) for _ in range(4)]
    resumed_model = load_model(path)
    resumed = [resumed_model.train_on_batch(x, y) for _ in range(4)]
    assert resumed == uninterrupted
    for a, b in zip(model.get_weights(), resumed_model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_multi_output_model_resumes_with_dict_losses_and_weights(tmp_path):
    xa, xb = np.random.randn(8, 4).astype("f4"), np.random.randn(8, 3).astype("f4")
    ys = {"main_output": np.random.randint(0, 2, (8, 1)).astype("f4"),
          "aux_output": np.eye(2, dtype="f4")[np.random.randint(0, 2, 8)]}
    model = two_output_model()
    model.compile(Adam(lr=0.01), loss={"main_output": "binary_crossentropy",
                                       "aux_output": "categorical_crossentropy"},
                  loss_weights={"main_output": 1.0, "aux_output": 0.2}, metrics=["accuracy"])
    inputs = {"main_input": xa, "aux_input": xb}
    model.train_on_batch(inputs, ys)
    path = str(tmp_path / "m.h5")
    model.save(path)
    expected = [model.train_on_batch(inputs, ys) for _ in range(2)]
    loaded = load_model(path)
    assert loaded.metrics_names == model.metrics_names
    assert "aux_output_acc" in loaded.metrics_names
    assert [loaded.train_on_batch([xa, xb], [ys["main_output"], ys["aux_output"]])
            for _ in range(2)] == expected


def test_uncompiled_model_loads_with_a_warning(tmp_path):
    model = two_output_model()
    path = str(tmp_path / "m.h5")
    model.save(path)
    with pytest.warns(UserWarning, match="not\\* compiled"):
        loaded = load_model(path)
    x = [np.ones((2, 4), "f4"), np.ones((2, 3), "f4")]
    for a, b in zip(model.predict(x), loaded.predict(x)):
        np.testing.assert_array_equal(a, b)


def test_overwrite_false_asks_before_replacing(tmp_path, monkeypatch, capsys):
    path = str(tmp_path / "w.h5")
    model = small_sequential()
    model.save_weights(path)
    before = pathlib.Path(path).read_bytes()
    answers = iter(["maybe", "n"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    model.layers[0].set_weights([w * 0 for w in model.layers[0].get_weights()])
    model.save_weights(path, overwrite=False)
    assert pathlib.Path(path).read_bytes() == before
    monkeypatch.setattr("builtins.input", lambda prompt="": "y")
    model.save(path, overwrite=False)
    assert "Next time specify overwrite=True" in capsys.readouterr().out
    with h5py.File(path, "r") as f:
        assert "model_config" in f.attrs


def square_it(x):
    return x * x


@pytest.mark.filterwarnings("ignore:No training configuration")
def test_lambda_functions_come_only_from_custom_objects(tmp_path):
    inp = Input(shape=(3,))
    model = Model(input=inp, output=Lambda(square_it)(Dense(3)(inp)))
    path = str(tmp_path / "m.h5")
    model.save(path)
    with pytest.raises(ValueError, match="square_it") as err:
        load_model(path)
    assert "m.h5" in str(err.value) and "custom_objects" in str(err.value)
    loaded = load_model(path, custom_objects={"square_it": square_it})
    x = np.random.randn(2, 3).astype("f4")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))

    anonymous = Model(input=inp, output=Lambda(lambda t: t + 1)(inp))
    anonymous.save(path)
    with pytest.raises(ValueError, match="lambda"):
        load_model(path)


def pair_mean(tensors):
    return (tensors[0] + tensors[1]) * 0.5


@pytest.mark.filterwarnings("ignore:No training configuration")
def test_callable_merge_mode_needs_custom_objects(tmp_path):
    a, b = Input(shape=(2,)), Input(shape=(2,))
    model = Model(input=[a, b], output=merge([a, b], mode=pair_mean, output_shape=(2,)))
    path = str(tmp_path / "m.h5")
    model.save(path)
    with pytest.raises(ValueError, match="pair_mean"):
        load_model(path)
    loaded = load_model(path, custom_objects={"pair_mean": pair_mean})
    x = [np.ones((1, 2), "f4"), 3 * np.ones((1, 2), "f4")]
    np.testing.assert_array_equal(loaded.predict(x), [[2.0, 2.0]])


def my_loss(y_true, y_pred):
    return ((y_true - y_pred) ** 2).mean(axis=-1)


def test_custom_loss_is_found_in_custom_objects_or_named_in_the_error(tmp_path):
    model = Sequential([Dense(2, input_dim=4)])
    model.compile("sgd", my_loss)
    path = str(tmp_path / "m.h5")
    model.save(path)
    with pytest.raises(ValueError, match="my_loss"):
        load_model(path)
    assert load_model(path, custom_objects={"my_loss": my_loss}).loss_functions[0] is my_loss


def test_failed_save_keeps_the_previous_file(tmp_path, monkeypatch):
    path = str(tmp_path / "m.h5")
    model = small_sequential()
    model.save(path)
    good = pathlib.Path(path).read_bytes()

    def broken_config():
        raise RuntimeError("config exploded")

    monkeypatch.setattr(model, "get_config", broken_config)
    with pytest.raises(RuntimeError, match="config exploded"):
        model.save(path)
    assert pathlib.Path(path).read_bytes() == good
    assert sorted(os.listdir(tmp_path)) == ["m.h5"]


def test_wrong_architecture_names_file_layer_and_shapes_and_changes_nothing(tmp_path):
    path = str(tmp_path / "w.h5")
    small_sequential().save_weights(path)
    other = Sequential([Dense(5, input_dim=4), Dense(3)])
    before = other.get_weights()
    with pytest.raises(ValueError) as err:
        other.load_weights(path)
    message = str(err.value)
    assert "w.h5" in message and "dense" in message and "(5, 3)" in message
    for a, b in zip(before, other.get_weights()):
        np.testing.assert_array_equal(a, b)
    deeper = Sequential([Dense(5, input_dim=4), Dense(5), Dense(2)])
    with pytest.raises(ValueError, match="containing 2 layers into a model with 3 layers"):
        deeper.load_weights(path)


def test_load_weights_reads_a_save_file_and_load_model_refuses_a_weights_file(tmp_path):
    model = small_sequential()
    full, weights_only = str(tmp_path / "m.h5"), str(tmp_path / "w.h5")
    model.save(full)
    model.save_weights(weights_only)
    fresh = small_sequential()
    fresh.load_weights(full)
    for a, b in zip(model.get_weights(), fresh.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(WeightFileError, match="no model_config"):
        load_model(weights_only)
    not_hdf5 = tmp_path / "x.h5"
    not_hdf5.write_text("{}")
    with pytest.raises(WeightFileError, match="x.h5"):
        load_model(str(not_hdf5))


def test_optimizer_state_of_the_wrong_size_is_refused(tmp_path):
    x, y = data()
    model = small_sequential(Adam())
    model.train_on_batch(x, y)
    path = str(tmp_path / "m.h5")
    model.save(path)
    with h5py.File(path, "r+") as f:
        names = [n.decode() for n in f["optimizer_weights"].attrs["weight_names"]]
        f["optimizer_weights"].attrs["weight_names"] = [n.encode() for n in names[:-1]]
    with pytest.raises(WeightFileError, match="optimizer weights"):
        load_model(path)


def test_json_yaml_and_config_round_trips():
    pytest.importorskip("yaml")
    for model in (small_sequential(), two_output_model()):
        again = model_from_yaml(model.to_yaml())
        assert again.get_config() == type(model).from_config(model.get_config()).get_config()
        rebuilt = model_from_json(model.to_json())
        assert json.loads(again.to_json()) == json.loads(rebuilt.to_json())


def test_edited_values_and_configs_are_caught_by_their_checksums(tmp_path):
    """A file changed behind our back (bit rot, a bad copy) is refused, not half-trusted."""
    model = small_sequential(Adam(lr=0.01))
    model.train_on_batch(*data())
    path = str(tmp_path / "m.h5")
    model.save(path)
    with h5py.File(path, "r+") as f:
        f.attrs["training_config"] = np.bytes_(f.attrs["training_config"].replace(
            b'"loss": "mse"', b'"loss": "mae"'))
    with pytest.raises(WeightFileError, match="config is damaged"):
        load_model(path)
    model.save(path)
    with h5py.File(path, "r+") as f:
        name = model.layers[0].name
        kernel = f[f"model_weights/{name}/{name}_W:0"]
        kernel[0, 0] = kernel[0, 0] + 1.0
    with pytest.raises(WeightFileError, match=f"{name}_W:0.*damaged"):
        load_model(path)
    target = small_sequential()
    before = target.get_weights()
    with pytest.raises(WeightFileError, match="m.h5"):
        target.load_weights(path)
    for a, b in zip(before, target.get_weights()):
        np.testing.assert_array_equal(a, b)
