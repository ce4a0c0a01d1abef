"""Embedding: lookup, scatter-add gradient, mask_zero, row dropout, config."""
import numpy as np
import pytest

from tinygrad_keras import Tensor
from tinygrad_keras import backend as K
from tinygrad_keras.layers import Embedding


def built(**kwargs):
    layer = Embedding(10, 4, **kwargs)
    layer._ensure_built((None, kwargs.get("input_length")))
    return layer


def test_lookup_equals_rows_of_W():
    layer = built(input_length=3)
    x = np.array([[1, 2, 1], [0, 9, 3]])
    out = layer(Tensor(x))
    assert out.shape == (2, 3, 4) and out.dtype == np.float32
    np.testing.assert_array_equal(out.data, layer.get_weights()[0][x])


def test_float_indices_are_cast_to_int():
    layer = built()
    out = layer(Tensor(np.array([[1.0, 2.0]], "float32")))
    np.testing.assert_array_equal(out.data, layer.get_weights()[0][[[1, 2]]])


def test_repeated_words_accumulate_gradient():
    layer = built()
    x = np.array([[1, 2, 1], [1, 0, 0]])
    g = np.random.RandomState(0).randn(2, 3, 4).astype("float32")
    layer(Tensor(x)).backward(g)
    want = np.zeros((10, 4), "float32")
    np.add.at(want, x, g)
    np.testing.assert_allclose(layer.W.grad, want, rtol=1e-6)


def test_mask_zero():
    layer = built(mask_zero=True)
    x = Tensor(np.array([[3, 0, 1]]))
    np.testing.assert_array_equal(layer.compute_mask(x).data, [[True, False, True]])
    assert built().compute_mask(x) is None


def test_dropout_drops_whole_rows_only_while_training():
    layer = built(dropout=0.5)
    assert layer.uses_learning_phase
    x = np.tile(np.arange(10), (4, 1))
    W = layer.get_weights()[0]
    np.testing.assert_array_equal(layer(Tensor(x)).data, W[x])
    K.set_learning_phase(1)
    try:
        np.random.seed(0)
        out = layer(Tensor(x)).data
    finally:
        K.set_learning_phase(0)
    for word in range(10):
        vecs = out[:, word]  # every occurrence of `word`
        dropped = np.all(vecs == 0)
        assert dropped or np.allclose(vecs, 2 * W[word])
        assert np.all(vecs == vecs[0])
    assert 0 < sum(np.all(out[:, w] == 0) for w in range(10)) < 10


def test_shapes_and_declared_input():
    layer = Embedding(100, 8, input_length=5)
    assert layer.batch_input_shape == (None, 5) and layer.input_dtype == "int32"
    assert layer.get_output_shape_for((None, 5)) == (None, 5, 8)
    free = Embedding(100, 8)
    assert free.get_output_shape_for((None, 7)) == (None, 7, 8)
    fixed = Embedding(100, 8, batch_input_shape=(16, 5))
    assert fixed.batch_input_shape == (16, 5)


def test_weight_name_init_and_weights_argument():
    layer = built()
    assert layer.weights[0].name == f"{layer.name}_W"
    assert np.abs(layer.get_weights()[0]).max() <= 0.05      # 'uniform' default, scale 0.05
    w = np.arange(40, dtype="float32").reshape(10, 4)
    layer2 = Embedding(10, 4, weights=[w])
    layer2._ensure_built((None, None))
    np.testing.assert_array_equal(layer2.get_weights()[0], w)


def test_out_of_range_index_is_named():
    layer = built()
    with pytest.raises(ValueError, match="index 10 is out of range .* input_dim=10"):
        layer(Tensor(np.array([[10]])))


def test_regularizer_constraint_and_config_round_trip():
    layer = Embedding(10, 4, input_length=3, W_regularizer="l2", W_constraint="maxnorm",
                      mask_zero=True, dropout=0.2)
    layer._ensure_built((None, 3))
    assert len(layer.losses) == 1 and layer.W in layer.constraints
    config = layer.get_config()
    for key in ("input_dim", "output_dim", "init", "input_length", "mask_zero",
                "activity_regularizer", "W_regularizer", "W_constraint", "dropout"):
        assert key in config
    clone = Embedding.from_config(config)
    assert clone.get_config() == {**config, "name": clone.name}


def test_layer_contract():
    from tinygrad_keras.utils.test_utils import layer_test
    layer_test(Embedding, kwargs={"input_dim": 10, "output_dim": 4, "input_length": 2},
               input_shape=(3, 2), input_dtype="int32", expected_output_dtype="float32")


def test_mask_zero_reaches_the_lstm_in_a_sequential():
    from tinygrad_keras.layers import LSTM
    from tinygrad_keras.models import Sequential
    model = Sequential([Embedding(10, 4, mask_zero=True, input_length=5), LSTM(3)])
    model.compile("sgd", "mse")
    padded = model.predict(np.array([[0, 0, 3, 4, 5]]))
    plain = model.layers[1].call(model.layers[0].call(Tensor(np.array([[3, 4, 5]])))).data
    np.testing.assert_allclose(padded, plain, rtol=1e-5)
