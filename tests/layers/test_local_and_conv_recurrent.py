"""LocallyConnected1D/2D, ConvLSTM2D and time_distributed_dense against numpy
references written from Keras 1.2.2's definitions, in both image orderings."""
import numpy as np
import pytest

from tests.autodiff.test_conv import direct_correlate
from tests.layers.layer_helpers import layer_gradcheck
from tests.persistence.test_foreign_files import write_keras1
from tinygrad_keras import backend as K
from tinygrad_keras import layers as L
from tinygrad_keras.layers.recurrent import time_distributed_dense
from tinygrad_keras.models import Sequential
from tinygrad_keras.utils.test_utils import layer_test


def predict(layer, x):
    return Sequential([layer]).predict(np.asarray(x, dtype="float32"))


# ---- LocallyConnected ---------------------------------------------------------------------
def local1d_reference(x, W, b, k, s):
    steps = W.shape[0]
    out = np.stack([x[:, i * s:i * s + k, :].reshape(len(x), -1) @ W[i] for i in range(steps)], 1)
    return out + b[None]


def local2d_reference(x, W, b, kr, kc, stride, ordering):
    """1.2.2: position (i, j) uses W[i * cols + j]; 'th' fields are (channel, row, col);
    'th' adds b reshaped (not transposed) to (filters, rows, cols)."""
    rows, cols, f = b.shape
    out = np.zeros((len(x), rows, cols, f))
    for i in range(rows):
        for j in range(cols):
            r, c = slice(i * stride[0], i * stride[0] + kr), slice(j * stride[1], j * stride[1] + kc)
            patch = x[:, :, r, c] if ordering == "th" else x[:, r, c, :]
            out[:, i, j] = patch.reshape(len(x), -1) @ W[i * cols + j]
    if ordering == "th":
        return out.transpose(0, 3, 1, 2) + b.reshape(1, f, rows, cols)
    return out + b[None]


def test_locally_connected1d_matches_reference():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 9, 2))
    layer = L.LocallyConnected1D(4, 3, subsample_length=2, input_shape=(9, 2))
    model = Sequential([layer])
    W, b = rng.standard_normal((4, 6, 4)), rng.standard_normal((4, 4))
    model.set_weights([W, b])
    np.testing.assert_allclose(model.predict(x.astype("float32")),
                               local1d_reference(x, W, b, 3, 2), rtol=1e-4, atol=1e-5)
    assert layer.get_output_shape_for((None, 9, 2)) == (None, 4, 4)


@pytest.mark.parametrize("ordering", ["th", "tf"])
def test_locally_connected2d_matches_reference(ordering):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 6, 5) if ordering == "th" else (2, 6, 5, 3))
    layer = L.LocallyConnected2D(4, 3, 2, subsample=(2, 1), dim_ordering=ordering,
                                 input_shape=x.shape[1:])
    model = Sequential([layer])
    W, b = rng.standard_normal((2 * 4, 18, 4)), rng.standard_normal((2, 4, 4))
    model.set_weights([W, b])
    np.testing.assert_allclose(model.predict(x.astype("float32")),
                               local2d_reference(x, W, b, 3, 2, (2, 1), ordering),
                               rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("ordering", ["th", "tf"])
def test_locally_connected_contract_and_gradients(ordering):
    layer_test(L.LocallyConnected1D, {"nb_filter": 2, "filter_length": 2, "bias": False},
               input_shape=(2, 5, 3))
    shape = (2, 2, 4, 5) if ordering == "th" else (2, 4, 5, 2)
    layer_test(L.LocallyConnected2D, {"nb_filter": 2, "nb_row": 2, "nb_col": 3,
                                      "dim_ordering": ordering}, input_shape=shape)
    x = np.random.default_rng(2).standard_normal(shape)
    assert layer_gradcheck(L.LocallyConnected2D(2, 2, 2, dim_ordering=ordering), x)
    assert layer_gradcheck(L.LocallyConnected1D(2, 2), x[0])


def test_locally_connected_errors():
    with pytest.raises(ValueError, match="LocallyConnected2D.*'valid'"):
        L.LocallyConnected2D(2, 3, 3, border_mode="same")
    with pytest.raises(ValueError, match="every non-batch axis known"):
        L.LocallyConnected1D(2, 2).build((None, None, 3))


# ---- ConvLSTM2D ----------------------------------------------------------------------------
def hard_sigmoid(z):
    return np.clip(0.2 * z + 0.5, 0.0, 1.0)


def same_pads(n, k):
    total = k - 1
    return (total // 2, total - total // 2)


def conv_lstm_reference(x, weights, border_mode, nb_row, nb_col):
    """'th' layout: x (B, T, C, R, Cc); weights in 1.2.2 order i, c, f, o; one
    correlation per gate, hidden-to-gate 'same'; returns all hidden states."""
    gates = dict(zip("icfo", [weights[3 * n:3 * n + 3] for n in range(4)]))
    pads_x = ((0, 0), (0, 0)) if border_mode == "valid" else \
        (same_pads(x.shape[3], nb_row), same_pads(x.shape[4], nb_col))
    pads_h = (same_pads(0, nb_row), same_pads(0, nb_col))
    z0 = direct_correlate(x[:, 0], gates["i"][0], (1, 1), pads_x, (1, 1))
    h = c = np.zeros_like(z0)
    outs = []
    for t in range(x.shape[1]):
        z = {g: direct_correlate(x[:, t], W, (1, 1), pads_x, (1, 1)) + b.reshape(1, -1, 1, 1)
             + direct_correlate(h, U, (1, 1), pads_h, (1, 1)) for g, (W, U, b) in gates.items()}
        c = hard_sigmoid(z["f"]) * c + hard_sigmoid(z["i"]) * np.tanh(z["c"])
        h = hard_sigmoid(z["o"]) * np.tanh(c)
        outs.append(h)
    return np.stack(outs, 1)


def random_conv_lstm_weights(rng, channels, f, r, c, ordering):
    ws = []
    for _ in range(4):
        W, U, b = rng.normal(0, 0.4, (f, channels, r, c)), rng.normal(0, 0.4, (f, f, r, c)), \
            rng.normal(0, 0.4, f)
        ws += [W, U, b]
    stored = ws if ordering == "th" else \
        [a.transpose(2, 3, 1, 0) if a.ndim == 4 else a for a in ws]
    return ws, stored


def th_to_tf_seq(a):
    return np.ascontiguousarray(a.transpose(0, 1, 3, 4, 2))


@pytest.mark.parametrize("ordering", ["th", "tf"])
@pytest.mark.parametrize("border_mode", ["valid", "same"])
def test_conv_lstm2d_matches_reference(ordering, border_mode):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 2, 5, 4))                   # 'th'
    ws, stored = random_conv_lstm_weights(rng, 2, 3, 3, 2, ordering)
    ref = conv_lstm_reference(x, ws, border_mode, 3, 2)
    data = x if ordering == "th" else th_to_tf_seq(x)
    layer = L.ConvLSTM2D(3, 3, 2, border_mode=border_mode, dim_ordering=ordering,
                         return_sequences=True, input_shape=data.shape[1:])
    model = Sequential([layer])
    model.set_weights(stored)
    got = model.predict(data.astype("float32"))
    np.testing.assert_allclose(got, ref if ordering == "th" else th_to_tf_seq(ref),
                               rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("ordering", ["th", "tf"])
def test_conv_lstm2d_gradients_and_contract(ordering):
    shape = (1, 2, 2, 3, 3) if ordering == "th" else (1, 2, 3, 3, 2)
    x = np.random.default_rng(4).standard_normal(shape)
    assert layer_gradcheck(L.ConvLSTM2D(2, 2, 2, border_mode="same", dim_ordering=ordering,
                                        inner_activation="sigmoid"), x)
    layer_test(L.ConvLSTM2D, {"nb_filter": 2, "nb_row": 2, "nb_col": 2, "dim_ordering": ordering,
                              "go_backwards": True, "dropout_W": 0.2, "dropout_U": 0.2},
               input_shape=(2,) + shape[1:])


def test_conv_lstm2d_dropout_trains_and_stateful_carries_state():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 3, 4, 4, 1)).astype("float32")
    np.random.seed(0)
    model = Sequential([L.ConvLSTM2D(2, 3, 3, border_mode="same", dim_ordering="tf",
                                     dropout_W=0.3, dropout_U=0.3, input_shape=(3, 4, 4, 1)),
                        L.Flatten(), L.Dense(1)])
    model.compile("adam", "mse")
    y = 3 * x.reshape(4, -1).mean(1, keepdims=True)
    before = model.evaluate(x, y, verbose=0)
    for _ in range(40):
        model.train_on_batch(x, y)             # dropout masks drawn while training
    after = model.evaluate(x, y, verbose=0)
    assert np.isfinite(after) and after < 0.7 * before

    stateful = Sequential([L.ConvLSTM2D(2, 2, 2, border_mode="same", dim_ordering="tf",
                                        stateful=True, batch_input_shape=(4, 2, 4, 4, 1))])
    whole = Sequential([L.ConvLSTM2D(2, 2, 2, border_mode="same", dim_ordering="tf",
                                     input_shape=(None, 4, 4, 1))])
    whole.set_weights(stateful.get_weights())
    both = np.concatenate([x[:, :2], x[:, 1:3]], axis=1)
    stateful.predict(both[:, :2], batch_size=4)
    np.testing.assert_allclose(stateful.predict(both[:, 2:], batch_size=4), whole.predict(both),
                               rtol=1e-5, atol=1e-6)
    stateful.reset_states()
    np.testing.assert_allclose(stateful.predict(both[:, :2], batch_size=4),
                               whole.predict(both[:, :2]), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("ordering", ["th", "tf"])
def test_conv_lstm2d_theano_file_kernels_are_flipped(tmp_path, ordering):
    rng = np.random.default_rng(6)
    _, stored = random_conv_lstm_weights(rng, 1, 2, 2, 3, ordering)
    shape = (2, 1, 4, 4) if ordering == "th" else (2, 4, 4, 1)

    def make():
        return Sequential([L.ConvLSTM2D(2, 2, 3, border_mode="same", dim_ordering=ordering,
                                        name="clstm", input_shape=shape)])
    reference = make()
    reference.set_weights(stored)
    flip = (lambda a: a[:, :, ::-1, ::-1]) if ordering == "th" else (lambda a: a[::-1, ::-1])
    names = [f"{k}_{g}" for g in "icfo" for k in "WUb"]
    path = str(tmp_path / "theano.h5")
    write_keras1(path, [("clstm", [(n, (flip(a) if a.ndim == 4 else a).astype("float32"))
                                   for n, a in zip(names, stored)])], theano=True)
    loaded = make()
    loaded.load_weights(path)
    x = rng.standard_normal((3,) + shape).astype("float32")
    np.testing.assert_allclose(loaded.predict(x), reference.predict(x), rtol=1e-5, atol=1e-6)


def test_conv_lstm2d_rejects_bad_arguments():
    with pytest.raises(ValueError, match="ConvLSTM2D.*border_mode"):
        L.ConvLSTM2D(2, 3, 3, border_mode="full")
    with pytest.raises(ValueError, match="dropout_U"):
        L.ConvLSTM2D(2, 3, 3, dropout_U=1.5)


# ---- time_distributed_dense --------------------------------------------------------------
def test_time_distributed_dense_matches_numpy_and_shares_dropout_over_time():
    rng = np.random.default_rng(7)
    x, w, b = rng.standard_normal((2, 5, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    np.testing.assert_allclose(time_distributed_dense(x, w, b).data, x @ w + b, rtol=1e-12)
    np.testing.assert_allclose(time_distributed_dense(x, w, dropout=0.5).data, x @ w)  # test
    K.set_learning_phase(1)
    try:
        out = time_distributed_dense(np.ones((3, 6, 8)), np.eye(8), dropout=0.5).data
    finally:
        K.set_learning_phase(0)
    assert set(np.unique(out)) <= {0.0, 2.0}
    assert np.all(out == out[:, :1])           # the same features dropped at every step
    with pytest.raises(ValueError, match="input_dim is 4"):
        time_distributed_dense(x, w, input_dim=4)
