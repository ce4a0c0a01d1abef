"""Details of the 1.2.2 weight layout: wrappers, legacy Merge models, the guide's caption
example, and the way Keras 1.2.2 itself reads our files."""
import os

import h5py
import numpy as np

from tinygrad_keras.layers import (
    LSTM,
    Activation,
    Bidirectional,
    Convolution2D,
    Dense,
    Flatten,
    MaxPooling2D,
    Merge,
    TimeDistributed,
)
from tinygrad_keras.models import Sequential, load_model


def group_weight_names(path, group):
    with h5py.File(path, "r") as f:
        return [n.decode() for n in f[group].attrs["weight_names"]]


def test_wrappers_store_inner_weights_under_their_own_group(tmp_path):
    dense, lstm = Dense(3, name="inner_dense"), LSTM(2, name="inner_lstm")
    model = Sequential([TimeDistributed(dense, input_shape=(4, 5), name="td"),
                        Bidirectional(lstm, name="bi")])
    path = str(tmp_path / "w.h5")
    model.save_weights(path)
    assert group_weight_names(path, "td") == ["inner_dense_W:0", "inner_dense_b:0"]
    names = group_weight_names(path, "bi")
    assert names[0] == "forward_inner_lstm_W_i:0" and len(names) == 24
    assert names[12] == "backward_inner_lstm_W_i:0"
    clone = Sequential([TimeDistributed(Dense(3), input_shape=(4, 5)),
                        Bidirectional(LSTM(2))])
    clone.load_weights(path)
    x = np.random.random((2, 4, 5)).astype("float32")
    np.testing.assert_array_equal(clone.predict(x), model.predict(x))


def test_sequential_starting_with_a_merge_of_models(tmp_path):
    left = Sequential([Dense(3, input_dim=4, name="left_dense")])
    right = Sequential([Dense(3, input_dim=2, name="right_dense")])
    model = Sequential([Merge([left, right], mode="concat"), Dense(1, name="top")])
    model.compile("sgd", "mse")
    path = str(tmp_path / "m.h5")
    model.save(path)
    with h5py.File(path, "r") as f:  # flattened_layers: the branches' layers, then the rest
        names = [n.decode() for n in f["model_weights"].attrs["layer_names"]]
    assert names == ["left_dense", "right_dense", "top"]
    loaded = load_model(path)
    xs = [np.random.random((3, 4)), np.random.random((3, 2))]
    np.testing.assert_array_equal(loaded.predict(xs), model.predict(xs))


def test_caption_example_loads_weight_file(tmp_path, monkeypatch):
    """The quick start's image model, full size, loading ``weight_file.h5`` by that name."""
    def image_model_of_the_guide():
        image_model = Sequential()
        image_model.add(Convolution2D(32, 3, 3, border_mode="valid", input_shape=(3, 100, 100)))
        image_model.add(Activation("relu"))
        image_model.add(Convolution2D(32, 3, 3))
        image_model.add(Activation("relu"))
        image_model.add(MaxPooling2D(pool_size=(2, 2)))
        image_model.add(Convolution2D(64, 3, 3, border_mode="valid"))
        image_model.add(Activation("relu"))
        image_model.add(Convolution2D(64, 3, 3))
        image_model.add(Activation("relu"))
        image_model.add(MaxPooling2D(pool_size=(2, 2)))
        image_model.add(Flatten())
        image_model.add(Dense(128))
        return image_model

    monkeypatch.chdir(tmp_path)
    pretrained = image_model_of_the_guide()
    pretrained.save_weights("weight_file.h5")
    image_model = image_model_of_the_guide()
    # let's load the weights from a save file.
    image_model.load_weights("weight_file.h5")
    for a, b in zip(image_model.get_weights(), pretrained.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert os.listdir(tmp_path) == ["weight_file.h5"]


def keras_1_2_2_load_weights(path, layers):
    """What 1.2.2's ``load_weights_from_hdf5_group`` does, restated (topological case)."""
    with h5py.File(path, "r") as f:
        layer_names = [n.decode("utf8") for n in f.attrs["layer_names"]]
        filtered = [n for n in layer_names if len(f[n].attrs["weight_names"])]
        with_weights = [layer for layer in layers if layer.weights]
        assert len(filtered) == len(with_weights)
        for name, layer in zip(filtered, with_weights):
            group = f[name]
            values = [group[n.decode("utf8")][()] for n in group.attrs["weight_names"]]
            layer.set_weights(values)


def test_a_file_we_write_loads_the_way_keras_1_2_2_reads_it(tmp_path):
    model = Sequential([Convolution2D(2, 3, 3, input_shape=(1, 5, 5)), Flatten(),
                        Dense(2), Activation("softmax")])
    path = str(tmp_path / "w.h5")
    model.save(path)
    with h5py.File(path, "r") as f:
        assert f.attrs["model_config"].decode("utf-8").startswith('{"class_name": "Sequential"')
    weights_path = str(tmp_path / "weights.h5")
    model.save_weights(weights_path)
    clone = Sequential([Convolution2D(2, 3, 3, input_shape=(1, 5, 5)), Flatten(),
                        Dense(2), Activation("softmax")])
    keras_1_2_2_load_weights(weights_path, clone.layers)
    x = np.random.random((2, 1, 5, 5)).astype("float32")
    np.testing.assert_array_equal(clone.predict(x), model.predict(x))
