"""Weight files written by other Keras versions, built here with plain h5py.

* Keras 1.2.2, TensorFlow backend: names ``dense_1_W:0``, correlation kernels;
* Keras 1.2.2, Theano backend: names ``dense_1_W``, true-convolution kernels
  (flipped on load: predictions equal numpy's convolution);
* Keras 2: ``keras_version``/``backend`` attributes, ``layer/kernel:0`` names
  (nested groups), fused LSTM/GRU matrices, ``(kh, kw, in, out)`` kernels.

Predictions are compared with numpy/scipy references written from the file's
own conventions, not with our layers.
"""
import h5py
import numpy as np
import pytest
from scipy import signal

from tinygrad_keras.layers import (
    GRU,
    LSTM,
    BatchNormalization,
    Convolution2D,
    Dense,
    Embedding,
    Flatten,
)
from tinygrad_keras.models import Sequential, load_model


def write_keras1(path, layers, theano=False):
    """``layers``: ``[(layer_name, [(suffix, array), ...])]`` in the 1.2.2 layout."""
    tail = "" if theano else ":0"
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [name.encode() for name, _ in layers]
        for name, weights in layers:
            group = f.create_group(name)
            names = [f"{name}_{suffix}{tail}" for suffix, _ in weights]
            group.attrs["weight_names"] = [n.encode() for n in names]
            for n, (_, value) in zip(names, weights):
                group.create_dataset(n, data=value)


def write_keras2(path, layers, backend="tensorflow"):
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"2.1.6"
        f.attrs["backend"] = backend.encode()
        f.attrs["layer_names"] = [name.encode() for name, _ in layers]
        for name, weights in layers:
            group = f.create_group(name)
            names = [f"{name}/{suffix}:0" for suffix, _ in weights]
            group.attrs["weight_names"] = [n.encode() for n in names]
            for n, (_, value) in zip(names, weights):
                group.create_dataset(n, data=value)  # the '/' nests a group, as in Keras 2


def rand(*shape):
    return np.random.uniform(-1, 1, shape).astype("float32")


# ---- convolution: reference on channels-first arrays ---------------------------------
def conv_reference(x, kernel_oihw, bias, flip: bool):
    """``x (B, C, H, W)``, kernel ``(out, in, kh, kw)``; valid correlation or convolution."""
    op = signal.convolve2d if flip else signal.correlate2d
    out = np.zeros((x.shape[0], kernel_oihw.shape[0], x.shape[2] - kernel_oihw.shape[2] + 1,
                    x.shape[3] - kernel_oihw.shape[3] + 1))
    for b in range(x.shape[0]):
        for o in range(kernel_oihw.shape[0]):
            out[b, o] = sum(op(x[b, i], kernel_oihw[o, i], mode="valid")
                            for i in range(x.shape[1])) + bias[o]
    return out


def conv_model(ordering):
    shape = (2, 5, 5) if ordering == "th" else (5, 5, 2)
    return Sequential([Convolution2D(3, 3, 2, dim_ordering=ordering, input_shape=shape),
                       Flatten(), Dense(2)])


def conv_prediction_reference(x_chw, k_oihw, b, W, bias2, ordering, flip):
    y = conv_reference(x_chw, k_oihw, b, flip)
    if ordering == "tf":
        y = y.transpose(0, 2, 3, 1)
    return y.reshape(len(y), -1) @ W + bias2


@pytest.mark.parametrize("ordering", ["th", "tf"])
@pytest.mark.parametrize("theano", [False, True], ids=["tf-names", "theano-names"])
def test_keras_1_2_2_conv_file(tmp_path, ordering, theano):
    k = rand(3, 2, 3, 2)                     # (out, in, kh, kw)
    b, W, bias2 = rand(3), rand(3 * 3 * 4, 2), rand(2)
    stored = k if ordering == "th" else k.transpose(2, 3, 1, 0)  # tf: (kh, kw, in, out)
    path = str(tmp_path / "w.h5")
    write_keras1(path, [("convolution2d_1", [("W", stored), ("b", b)]), ("flatten_1", []),
                        ("dense_1", [("W", W), ("b", bias2)])], theano=theano)
    model = conv_model(ordering)
    model.load_weights(path)
    x = rand(2, 2, 5, 5)
    x_in = x if ordering == "th" else x.transpose(0, 2, 3, 1)
    expected = conv_prediction_reference(x, k, b, W, bias2, ordering, flip=theano)
    np.testing.assert_allclose(model.predict(x_in), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("ordering", ["th", "tf"])
@pytest.mark.parametrize("backend", ["tensorflow", "theano"])
def test_keras_2_conv_dense_file(tmp_path, ordering, backend):
    k = rand(3, 2, 3, 2)
    b, W, bias2 = rand(3), rand(3 * 3 * 4, 2), rand(2)
    path = str(tmp_path / "w.h5")
    write_keras2(path, [("conv2d_1", [("kernel", k.transpose(2, 3, 1, 0)), ("bias", b)]),
                        ("flatten_1", []), ("dense_1", [("kernel", W), ("bias", bias2)])],
                 backend)
    model = conv_model(ordering)
    model.load_weights(path)
    x = rand(2, 2, 5, 5)
    x_in = x if ordering == "th" else x.transpose(0, 2, 3, 1)
    expected = conv_prediction_reference(x, k, b, W, bias2, ordering, flip=backend == "theano")
    np.testing.assert_allclose(model.predict(x_in), expected, rtol=1e-4, atol=1e-5)


# ---- recurrent + embedding + batch norm, Keras 2 fused layout --------------------------
def hard_sigmoid(z):
    return np.clip(0.2 * z + 0.5, 0.0, 1.0)


def keras2_lstm(x, kernel, recurrent, bias):
    """Keras 2 LSTM (gates i, f, c, o; hard-sigmoid gates), all steps returned."""
    u = recurrent.shape[0]
    h, c, out = np.zeros((len(x), u)), np.zeros((len(x), u)), []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f = hard_sigmoid(z[:, :u]), hard_sigmoid(z[:, u:2 * u])
        c = f * c + i * np.tanh(z[:, 2 * u:3 * u])
        h = hard_sigmoid(z[:, 3 * u:]) * np.tanh(c)
        out.append(h)
    return np.stack(out, axis=1)


def keras2_gru(x, kernel, recurrent, bias):
    """Keras 2 GRU, reset_after=False (gates z, r, h), last output."""
    u = recurrent.shape[0]
    h = np.zeros((len(x), u))
    for t in range(x.shape[1]):
        xz = x[:, t] @ kernel + bias
        z = hard_sigmoid(xz[:, :u] + h @ recurrent[:, :u])
        r = hard_sigmoid(xz[:, u:2 * u] + h @ recurrent[:, u:2 * u])
        hh = np.tanh(xz[:, 2 * u:] + (r * h) @ recurrent[:, 2 * u:])
        h = z * h + (1 - z) * hh
    return h


@pytest.mark.parametrize("consume_less", ["cpu", "gpu"])
def test_keras_2_embedding_lstm_gru_dense_batchnorm_file(tmp_path, consume_less):
    emb = rand(7, 3)
    lstm = (rand(3, 16), rand(4, 16), rand(16))
    gru = (rand(4, 6), rand(2, 6), rand(6))
    dense = (rand(2, 2), rand(2))
    bn = (rand(2) + 2, rand(2), rand(2), np.random.uniform(0.5, 2, 2).astype("f4"))
    path = str(tmp_path / "w.h5")
    write_keras2(path, [
        ("embedding_1", [("embeddings", emb)]),
        ("lstm_1", list(zip(("kernel", "recurrent_kernel", "bias"), lstm))),
        ("gru_1", list(zip(("kernel", "recurrent_kernel", "bias"), gru))),
        ("dense_1", list(zip(("kernel", "bias"), dense))),
        ("batch_normalization_1", list(zip(("gamma", "beta", "moving_mean",
                                            "moving_variance"), bn)))])
    model = Sequential([Embedding(7, 3, input_length=5),
                        LSTM(4, return_sequences=True, consume_less=consume_less),
                        GRU(2, consume_less=consume_less), Dense(2), BatchNormalization()])
    model.load_weights(path)
    ids = np.random.randint(0, 7, (3, 5))
    h = keras2_gru(keras2_lstm(emb[ids], *lstm), *gru) @ dense[0] + dense[1]
    gamma, beta, mean, var = bn
    expected = gamma * (h - mean) / np.sqrt(var + 1e-3) + beta
    np.testing.assert_allclose(model.predict(ids.astype("int32")), expected, rtol=1e-4,
                               atol=1e-5)


def test_keras_2_gru_with_reset_after_is_refused_by_name(tmp_path):
    path = str(tmp_path / "w.h5")
    write_keras2(path, [("gru_1", [("kernel", rand(3, 6)), ("recurrent_kernel", rand(2, 6)),
                                   ("bias", rand(2, 6))])])
    model = Sequential([GRU(2, input_shape=(4, 3))])
    before = model.get_weights()
    with pytest.raises(ValueError, match="reset_after"):
        model.load_weights(path)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_keras_0_legacy_file_loads_positionally(tmp_path):
    W, b = rand(4, 3), rand(3)
    path = str(tmp_path / "legacy.h5")
    with h5py.File(path, "w") as f:
        f.attrs["nb_layers"] = 2
        g = f.create_group("layer_0")
        g.attrs["nb_params"] = 2
        g.create_dataset("param_0", data=W)
        g.create_dataset("param_1", data=b)
        f.create_group("layer_1").attrs["nb_params"] = 0
    from tinygrad_keras.layers import Activation
    model = Sequential([Dense(3, input_dim=4), Activation("relu")])
    model.load_weights(path)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], W)
    with pytest.raises(ValueError, match="by_name"):
        model.load_weights(path, by_name=True)


def test_file_we_write_has_only_what_keras_1_2_2_reads(tmp_path):
    """Keras 1.2.2 ``load_weights``: ``layer_names`` and ``weight_names`` attributes read as
    byte strings, datasets read with ``g[name]`` in that order."""
    model = Sequential([Convolution2D(2, 3, 3, input_shape=(1, 5, 5)), Flatten(), Dense(2)])
    path = str(tmp_path / "w.h5")
    model.save_weights(path)
    with h5py.File(path, "r") as f:
        assert f.attrs["layer_names"].dtype.kind == "S"
        for layer in model.layers:
            names = f[layer.name].attrs["weight_names"]
            values = [f[layer.name][n.decode()][()] for n in names]
            for value, weight in zip(values, layer.get_weights()):
                np.testing.assert_array_equal(value, weight)


def test_keras_2_bidirectional_conv1d_and_simple_rnn(tmp_path):
    """Bidirectional: forward arrays then backward ones; Conv1D kernel ``(k, in, out)``."""
    from tinygrad_keras.layers import Bidirectional, Convolution1D, SimpleRNN
    conv = (rand(2, 3, 4), rand(4))
    fwd, bwd = (rand(4, 8), rand(2, 8), rand(8)), (rand(4, 8), rand(2, 8), rand(8))
    rnn = (rand(2, 3), rand(3, 3), rand(3))
    path = str(tmp_path / "w.h5")
    write_keras2(path, [
        ("conv1d_1", list(zip(("kernel", "bias"), conv))),
        ("bidirectional_1", list(zip(("forward_lstm_1/kernel", "forward_lstm_1/recurrent_kernel",
                                      "forward_lstm_1/bias", "backward_lstm_1/kernel",
                                      "backward_lstm_1/recurrent_kernel",
                                      "backward_lstm_1/bias"), fwd + bwd))),
        ("simple_rnn_1", list(zip(("kernel", "recurrent_kernel", "bias"), rnn)))])
    seq = Sequential([Convolution1D(4, 2, input_shape=(6, 3)),
                      Bidirectional(LSTM(2, return_sequences=True), merge_mode="sum"),
                      SimpleRNN(3)])
    seq.load_weights(path)
    x = rand(2, 6, 3)
    # correlation over time: out[t] = sum_k x[t + k] @ kernel[k] + b
    c = sum(x[:, k:k + 5] @ conv[0][k] for k in range(2)) + conv[1]
    both = keras2_lstm(c, *fwd) + keras2_lstm(c[:, ::-1], *bwd)[:, ::-1]
    h = np.zeros((2, 3))
    for t in range(both.shape[1]):
        h = np.tanh(both[:, t] @ rnn[0] + h @ rnn[1] + rnn[2])
    np.testing.assert_allclose(seq.predict(x), h, rtol=1e-4, atol=1e-5)


def keras_1_2_2_model_file(path, W1, b1, W2, b2, slots):
    """A ``model.save`` file as Keras 1.2.2 (TF backend) wrote it for a 2-layer functional
    model compiled with Adam, configs written out by hand from the 1.2.2 sources."""
    import json

    def dense(name, units, activation, inbound, input_dim=None):
        config = {"name": name, "trainable": True, "output_dim": units, "init": "glorot_uniform",
                  "activation": activation, "W_regularizer": None, "b_regularizer": None,
                  "activity_regularizer": None, "W_constraint": None, "b_constraint": None,
                  "bias": True, "input_dim": input_dim}
        return {"class_name": "Dense", "name": name, "config": config,
                "inbound_nodes": [[[inbound, 0, 0]]]}
    model_config = {"class_name": "Model", "config": {
        "name": "model_1",
        "layers": [{"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
                    "config": {"batch_input_shape": [None, 3], "input_dtype": "float32",
                               "sparse": False, "name": "input_1"}},
                   dense("dense_1", 4, "relu", "input_1"),
                   dense("dense_2", 2, "softmax", "dense_1")],
        "input_layers": [["input_1", 0, 0]], "output_layers": [["dense_2", 0, 0]]}}
    training_config = {"optimizer_config": {"class_name": "Adam", "config": {
        "lr": 0.0010000000474974513, "beta_1": 0.8999999761581421,
        "beta_2": 0.9990000128746033, "epsilon": 1e-08, "decay": 0.0}},
        "loss": "categorical_crossentropy", "metrics": ["accuracy"],
        "sample_weight_mode": None, "loss_weights": None}
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"1.2.2"
        f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
        f.attrs["training_config"] = json.dumps(training_config).encode("utf8")
        weights = f.create_group("model_weights")
        weights.attrs["layer_names"] = [b"input_1", b"dense_1", b"dense_2"]
        weights.create_group("input_1").attrs["weight_names"] = []
        for name, arrays in (("dense_1", (W1, b1)), ("dense_2", (W2, b2))):
            g = weights.create_group(name)
            names = [f"{name}_W:0", f"{name}_b:0"]
            g.attrs["weight_names"] = [n.encode() for n in names]
            for n, a in zip(names, arrays):
                g.create_dataset(n, data=a)
        opt = f.create_group("optimizer_weights")
        names = [f"Variable_{i}:0" for i in range(len(slots))]
        opt.attrs["weight_names"] = [n.encode() for n in names]
        for n, a in zip(names, slots):
            opt.create_dataset(n, data=a)


def test_a_keras_1_2_2_model_file_loads_compiled_with_its_optimizer_state(tmp_path):
    W1, b1, W2, b2 = rand(3, 4), rand(4), rand(4, 2), rand(2)
    # Adam state: iterations, then m and v for the name-sorted weights (dense_1_W, dense_1_b,
    # dense_2_W, dense_2_b), as 1.2.2 on TensorFlow ordered them
    shapes = [(3, 4), (4,), (4, 2), (2,)]
    slots = [np.array(7.0, "f4")] + [rand(*s) for s in shapes] + [
        np.random.uniform(0.1, 1, s).astype("f4") for s in shapes]
    path = str(tmp_path / "keras122.h5")
    keras_1_2_2_model_file(path, W1, b1, W2, b2, slots)
    model = load_model(path)
    assert model.metrics_names == ["loss", "acc"]
    for got, want in zip(model.optimizer.get_weights(), slots):
        np.testing.assert_array_equal(got, want)
    x = rand(5, 3)
    logits = np.maximum(x @ W1 + b1, 0) @ W2 + b2
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-5, atol=1e-6)
    model.train_on_batch(x, np.eye(2)[[0, 1, 0, 1, 0]])
    assert float(model.optimizer.iterations.data) == 8.0
