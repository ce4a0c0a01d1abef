"""TimeDistributed and Bidirectional."""
import numpy as np
import pytest

from tinygrad_keras import Tensor
from tinygrad_keras.layers import GRU, LSTM, Bidirectional, Dense, SimpleRNN, TimeDistributed


def seq(batch=2, steps=4, dim=3, seed=0):
    return np.random.RandomState(seed).randn(batch, steps, dim).astype("float32")


# ---- TimeDistributed -----------------------------------------------------------------
def test_time_distributed_dense_equals_dense_at_every_step():
    td = TimeDistributed(Dense(5, activation="tanh"))
    x = seq()
    y = td(Tensor(x))
    assert y.shape == (2, 4, 5)
    W, b = td.get_weights()
    np.testing.assert_allclose(y.data, np.tanh(x @ W + b), rtol=1e-5)
    assert td.get_output_shape_for((None, 4, 3)) == (None, 4, 5)


def test_time_distributed_weights_are_the_inner_layers():
    inner = Dense(5, W_regularizer="l1", activity_regularizer="activity_l2")
    td = TimeDistributed(inner)
    td(Tensor(seq()))
    assert td.weights == inner.weights and td.weights[0].name == f"{inner.name}_W"
    assert td.name.startswith("timedistributed_")
    assert len(td.losses) == 2          # inner weight penalty + activity on the whole output
    td.set_weights([np.ones((3, 5)), np.zeros(5)])
    np.testing.assert_array_equal(inner.get_weights()[0], np.ones((3, 5)))


def test_fixed_batch_loop_equals_reshape_path():
    td_loop = TimeDistributed(Dense(5), batch_input_shape=(2, 4, 3))
    td_loop._ensure_built((2, 4, 3))
    td_flat = TimeDistributed(Dense(5))
    td_flat._ensure_built((None, 4, 3))
    td_flat.set_weights(td_loop.get_weights())
    x = Tensor(seq())
    np.testing.assert_allclose(td_loop(x).data, td_flat(x).data, rtol=1e-6)


def test_time_distributed_gradient_reaches_inner_weights():
    td = TimeDistributed(Dense(2))
    td(Tensor(seq())).sum().backward()
    np.testing.assert_allclose(td.layer.b.grad, [8.0, 8.0])


def test_time_distributed_config_and_errors():
    td = TimeDistributed(Dense(5), input_shape=(4, 3))
    config = td.get_config()
    assert config["layer"]["class_name"] == "Dense"
    clone = TimeDistributed.from_config(config)
    assert isinstance(clone.layer, Dense) and clone.layer.output_dim == 5
    with pytest.raises(ValueError, match="at least 3"):
        TimeDistributed(Dense(2))._ensure_built((None, 3))
    with pytest.raises(TypeError, match="wraps a layer instance"):
        TimeDistributed("dense")


def test_time_distributed_passes_masks_through():
    td = TimeDistributed(Dense(2))
    assert td.supports_masking and td.compute_mask(None, "m") == "m"


# ---- Bidirectional ----------------------------------------------------------------------
@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_merges_forward_and_flipped_backward(merge_mode, return_sequences):
    bi = Bidirectional(GRU(3, return_sequences=return_sequences), merge_mode=merge_mode)
    x = Tensor(seq())
    out = bi(x)
    fwd = bi.forward_layer(x).data
    bwd = bi.backward_layer(x).data
    if return_sequences:
        bwd = bwd[:, ::-1]
    want = {"concat": lambda: np.concatenate([fwd, bwd], -1), "sum": lambda: fwd + bwd,
            "mul": lambda: fwd * bwd, "ave": lambda: (fwd + bwd) / 2,
            None: lambda: None}[merge_mode]()
    if merge_mode is None:
        np.testing.assert_allclose(out[0].data, fwd, rtol=1e-6)
        np.testing.assert_allclose(out[1].data, bwd, rtol=1e-6)
        assert bi.get_output_shape_for((None, 4, 3))[0] == bi.forward_layer.get_output_shape_for(
            (None, 4, 3))
    else:
        np.testing.assert_allclose(out.data, want, rtol=1e-5, atol=1e-7)
        assert out.shape[1:] == bi.get_output_shape_for((None, 4, 3))[1:]


def test_backward_copy_reads_the_sequence_reversed():
    bi = Bidirectional(SimpleRNN(2), merge_mode=None)
    bi._ensure_built((None, 4, 3))
    assert not bi.forward_layer.go_backwards and bi.backward_layer.go_backwards
    bi.backward_layer.set_weights(bi.forward_layer.get_weights())
    x = seq()
    _, bwd = bi(Tensor(x))
    np.testing.assert_allclose(bwd.data, bi.forward_layer(Tensor(x[:, ::-1].copy())).data,
                               rtol=1e-5)


def test_bidirectional_weights_names_and_halves():
    lstm = LSTM(2)
    bi = Bidirectional(lstm)
    bi._ensure_built((None, 4, 3))
    names = [w.name for w in bi.weights]
    assert len(names) == 24
    assert names[0] == f"forward_{lstm.name}_W_i" and names[12] == f"backward_{lstm.name}_W_i"
    weights = [np.full(w.shape, k, "float32") for k, w in enumerate(bi.get_weights())]
    bi.set_weights(weights)
    assert bi.backward_layer.get_weights()[0][0, 0] == 12
    bi2 = Bidirectional(LSTM(2), weights=weights)
    bi2._ensure_built((None, 4, 3))
    np.testing.assert_array_equal(bi2.get_weights()[13], weights[13])


def test_bidirectional_regularizers_and_trainable():
    bi = Bidirectional(SimpleRNN(2, W_regularizer="l2"))
    bi._ensure_built((None, 4, 3))
    assert len(bi.losses) == 2
    bi.trainable = False
    assert bi.trainable_weights == [] and len(bi.non_trainable_weights) == 6


def test_bidirectional_stateful_reset():
    bi = Bidirectional(LSTM(2, stateful=True, batch_input_shape=(2, 4, 3)))
    bi._ensure_built((2, 4, 3))
    x = Tensor(seq())
    first = bi(x).data
    assert not np.allclose(bi(x).data, first)
    bi.reset_states()
    np.testing.assert_allclose(bi(x).data, first, rtol=1e-6)


def test_bidirectional_bad_merge_mode_and_config():
    with pytest.raises(ValueError, match="merge_mode"):
        Bidirectional(LSTM(2), merge_mode="max")
    bi = Bidirectional(LSTM(2, return_sequences=True), merge_mode="sum")
    config = bi.get_config()
    assert config["merge_mode"] == "sum" and config["layer"]["class_name"] == "LSTM"
    clone = Bidirectional.from_config(config)
    assert clone.merge_mode == "sum" and clone.return_sequences
    assert clone.compute_mask(None, "m") == "m"


# ---- contract and models -----------------------------------------------------------------
def test_layer_contracts():
    from tinygrad_keras.utils.test_utils import layer_test
    layer_test(TimeDistributed, kwargs={"layer": Dense(2)}, input_shape=(3, 2, 4))
    layer_test(Bidirectional, kwargs={"layer": LSTM(2, return_sequences=True)},
               input_shape=(3, 4, 2))


def test_time_distributed_wraps_a_whole_model_and_trains():
    from tinygrad_keras.models import Sequential
    inner = Sequential([Dense(4, input_dim=3, activation="relu"), Dense(2)])
    model = Sequential([TimeDistributed(inner, input_shape=(5, 3))])
    model.compile("sgd", "mse")
    x = seq(steps=5)
    y = model.predict(x)
    assert y.shape == (2, 5, 2)
    np.testing.assert_allclose(y[:, 2], inner.predict(x[:, 2]), rtol=1e-5)
    assert len(model.trainable_weights) == 4
    before = model.train_on_batch(x, np.zeros((2, 5, 2), "float32"))
    after = model.train_on_batch(x, np.zeros((2, 5, 2), "float32"))
    assert np.ravel(after)[0] < np.ravel(before)[0]


def test_time_distributed_regularizer_in_model_losses():
    from tinygrad_keras.models import Sequential
    model = Sequential([TimeDistributed(Dense(2, W_regularizer="l1"), input_shape=(3, 4))])
    model.compile("sgd", "mse")
    assert len(model.losses) == 1


def test_stacked_bidirectional_in_a_model():
    from tinygrad_keras.models import Sequential
    model = Sequential([Bidirectional(LSTM(3, return_sequences=True), input_shape=(4, 3)),
                       Bidirectional(LSTM(3)), Dense(2, activation="softmax")])
    model.compile("rmsprop", "categorical_crossentropy")
    assert model.output_shape == (None, 2)
    model.fit(seq(batch=4), np.eye(2)[[0, 1, 0, 1]].astype("float32"), nb_epoch=1, verbose=0)


def test_bidirectional_after_a_masking_embedding():
    from tinygrad_keras.layers import Embedding
    from tinygrad_keras.models import Sequential
    model = Sequential([Embedding(10, 3, mask_zero=True, input_length=5),
                        Bidirectional(LSTM(2), merge_mode="sum"), Dense(1)])
    model.compile("sgd", "mse")
    padded = model.predict(np.array([[0, 0, 4, 5, 6]]))
    emb, bi = model.layers[0], model.layers[1]
    plain = bi.call(emb.call(Tensor(np.array([[4, 5, 6]])))).data @ model.layers[2].W.data
    np.testing.assert_allclose(padded, plain + model.layers[2].b.data, rtol=1e-5)
    model.fit(np.array([[0, 1, 2, 3, 4]] * 4), np.ones((4, 1), "float32"), nb_epoch=1, verbose=0)
