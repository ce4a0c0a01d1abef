"""What cannot be exact is refused, naming the layer or argument (no Keras 3 needed);
configs declaring more weights than their arrays hold are refused before allocating."""
from __future__ import annotations

import io
import json
import tracemalloc
import zipfile

import h5py
import numpy as np
import pytest

from tinygrad_keras.engine.hdf5_format import WeightFileError
from tinygrad_keras.engine.keras3_format import save_keras3

# uncompiled models and Keras 3's default initializers are reported, and fine here
pytestmark = [pytest.mark.filterwarnings("ignore:No training configuration"),
              pytest.mark.filterwarnings("ignore:Keras 3 initializers")]
from tinygrad_keras.engine.keras3_mapping import HARD_SIGMOID_SCALE, Keras3MappingError
from tinygrad_keras.layers import (
    GRU,
    LSTM,
    Activation,
    Bidirectional,
    Convolution2D,
    Dense,
    Embedding,
    Input,
    Merge,
    merge,
)
from tinygrad_keras.models import Model, Sequential, load_model
from tinygrad_keras.optimizers import Adam, Nadam, RMSprop


def _refused(model, match, tmp_path):
    target = tmp_path / "m.keras"
    with pytest.raises(Keras3MappingError, match=match):
        model.save(str(target))
    assert not target.exists()


@pytest.mark.parametrize("layer, match", [
    (lambda: Activation("hard_sigmoid", input_shape=(3,)), "hard_sigmoid"),
    (lambda: LSTM(2, activation="hard_sigmoid", input_shape=(3, 2)), "hard_sigmoid"),
    (lambda: LSTM(2, dropout_W=0.2, input_shape=(3, 2)), "dropout_W"),
    (lambda: GRU(2, dropout_U=0.2, input_shape=(3, 2)), "dropout_U"),
    (lambda: Convolution2D(2, 3, 3, border_mode="full", input_shape=(1, 5, 5)), "full"),
    (lambda: Dense(2, W_constraint="maxnorm", input_dim=3), "W_constraint"),
    (lambda: Dense(2, activity_regularizer="activity_l2", input_dim=3), "activity_regularizer"),
    (lambda: Dense(2, activation="hard_sigmoid", W_regularizer="l2", input_dim=3), "regular"),
    (lambda: Embedding(5, 2, dropout=0.1, input_length=3), "dropout"),
])
def test_layers_without_an_exact_keras3_equivalent_are_refused(layer, match, tmp_path):
    _refused(Sequential([layer()]), match, tmp_path)


def test_a_python_merge_function_is_never_exported(tmp_path):
    left, right = Sequential([Dense(2, input_dim=2)]), Sequential([Dense(2, input_dim=2)])
    _refused(Sequential([Merge([left, right], mode=lambda x: x[0] - x[1],
                               output_shape=(2,))]), "merge mode", tmp_path)


def test_a_masked_bidirectional_sequence_is_refused(tmp_path):
    _refused(Sequential([Embedding(5, 2, mask_zero=True, input_length=4),
                         Bidirectional(LSTM(2, return_sequences=True))]), "masked", tmp_path)


@pytest.mark.parametrize("optimizer, match", [(RMSprop(), "sqrt"), (Nadam(), "schedule")])
def test_optimizers_that_update_differently_are_refused(optimizer, match, tmp_path):
    model = Sequential([Dense(2, input_dim=3)])
    model.compile(optimizer, "mse")
    _refused(model, match, tmp_path)
    save_keras3(model, str(tmp_path / "m.keras"), include_optimizer=False)
    assert "compile_config" not in _config(tmp_path / "m.keras")


def test_losses_that_differ_are_refused(tmp_path):
    model = Sequential([Dense(2, input_dim=3)])
    model.compile("sgd", "hinge")
    _refused(model, "hinge", tmp_path)


def _config(path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("config.json"))


def _rewrite(path, edit) -> None:
    """Edit config.json of a .keras archive in place."""
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    config = json.loads(members["config.json"])
    edit(config)
    members["config.json"] = json.dumps(config)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _layer(config, name):
    return next(la for la in config["config"]["layers"] if la["name"] == name)


@pytest.mark.parametrize("edit, match", [
    (lambda c: _layer(c, "d")["config"].update(activation="gelu"), "gelu"),
    (lambda c: _layer(c, "d").update(class_name="EinsumDense"), "EinsumDense"),
    (lambda c: _layer(c, "d")["config"].update(kernel_constraint={"class_name": "MaxNorm"}),
     "kernel_constraint"),
    (lambda c: _layer(c, "d")["config"].update(dtype="mixed_float16"), "float16"),
])
def test_keras3_layers_without_a_keras1_equivalent_are_refused(edit, match, tmp_path):
    path = tmp_path / "m.keras"
    Sequential([Dense(2, input_dim=3, name="d")]).save(str(path))
    _rewrite(path, edit)
    with pytest.raises(Keras3MappingError, match=match):
        load_model(str(path))


def test_keras3_gru_with_reset_after_is_refused(tmp_path):
    path = tmp_path / "m.keras"
    Sequential([GRU(2, input_shape=(3, 2), name="g")]).save(str(path))
    _rewrite(path, lambda c: _layer(c, "g")["config"].update(reset_after=True))
    with pytest.raises(Keras3MappingError, match="reset_after"):
        load_model(str(path))


def test_hard_sigmoid_gates_are_scaled_by_1_2_and_back(tmp_path):
    np.random.seed(1)
    model = Sequential([LSTM(2, input_shape=(3, 2), name="l")])
    path = tmp_path / "m.keras"
    model.save(str(path))
    with zipfile.ZipFile(path) as archive, h5py.File(
            io.BytesIO(archive.read("model.weights.h5")), "r") as f:
        kernel = f["layers/lstm/cell/vars/0"][()]
    weights = model.layers[0].get_weights()  # W_i, U_i, b_i, W_c, ... (Keras 1 order)
    W_i, W_c = weights[0], weights[3]
    np.testing.assert_allclose(kernel[:, :2], HARD_SIGMOID_SCALE * W_i, rtol=1e-6)
    np.testing.assert_allclose(kernel[:, 4:6], W_c, rtol=1e-6)  # the cell block: unscaled
    back = load_model(str(path))
    for a, b in zip(back.layers[0].get_weights(), model.layers[0].get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_a_keras3_file_declaring_a_huge_dense_is_refused_before_allocating(tmp_path):
    path = tmp_path / "m.keras"
    Sequential([Dense(2, input_dim=3, name="d")]).save(str(path))

    def grow(config):
        _layer(config, "d")["config"]["units"] = 60000
        config["config"]["layers"][0]["config"]["batch_shape"] = [None, 60000]
    _rewrite(path, grow)
    tracemalloc.start()
    with pytest.raises(WeightFileError, match="does not match its weights"):
        load_model(str(path))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50e6


def test_an_hdf5_file_declaring_a_huge_dense_is_refused_before_allocating(tmp_path):
    path = tmp_path / "m.h5"
    Sequential([Dense(2, input_dim=3, name="d")]).save(str(path))
    with h5py.File(path, "a") as f:
        config = json.loads(f.attrs["model_config"])
        config["config"][0]["config"].update(output_dim=60000, batch_input_shape=[None, 60000])
        f.attrs["model_config"] = np.bytes_(json.dumps(config).encode())
        del f.attrs["config_sha256"]
    tracemalloc.start()
    with pytest.raises(WeightFileError, match="does not match its weights"):
        load_model(str(path))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50e6


def test_functional_models_round_trip_here(tmp_path):
    a, b = Input(shape=(3,)), Input(shape=(3,))
    shared = Dense(2, activation="hard_sigmoid")
    model = Model([a, b], [merge([shared(a), shared(b)], mode="sum"), shared(a)])
    x = [np.random.randn(4, 3).astype("float32") for _ in range(2)]
    model.save(str(tmp_path / "f.keras"))
    back = load_model(str(tmp_path / "f.keras"))
    for p, q in zip(model.predict(x), back.predict(x)):
        np.testing.assert_allclose(p, q, rtol=1e-5, atol=1e-6)


def test_a_keras3_compile_config_without_keras1_equivalent_leaves_the_model_uncompiled(
        tmp_path):
    path = tmp_path / "m.keras"
    model = Sequential([Dense(2, input_dim=3, name="d")])
    model.compile("adam", "mse")
    model.save(str(path))
    _rewrite(path, lambda c: c["compile_config"]["optimizer"]["config"].update(amsgrad=True))
    with pytest.warns(UserWarning, match="amsgrad"):
        back = load_model(str(path))
    assert not getattr(back, "_compiled", False)


def test_the_compile_config_comes_back(tmp_path):
    path = tmp_path / "m.keras"
    model = Sequential([Dense(2, input_dim=3, activation="softmax")])
    model.compile(Adam(lr=0.01, decay=0.1, clipnorm=2.0), "categorical_crossentropy",
                  metrics=["acc"])
    model.save(str(path))
    optimizer = _config(path)["compile_config"]["optimizer"]
    assert optimizer["config"]["learning_rate"]["class_name"] == "InverseTimeDecay"
    assert optimizer["config"]["global_clipnorm"] == 2.0
    back = load_model(str(path))
    config = back.optimizer.get_config()
    assert type(back.optimizer).__name__ == "Adam"
    assert np.isclose(config["lr"], 0.01) and np.isclose(config["decay"], 0.1)
    assert back.loss == "categorical_crossentropy" and back.metrics == ["accuracy"]
