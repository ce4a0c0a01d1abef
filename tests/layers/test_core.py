"""Core layers: the layer contract, values against numpy, gradients in float64,
Keras 1.2.2 facts (names, weight order, configs) and error messages."""
import doctest

import numpy as np
import pytest
from numpy.testing import assert_allclose

from tests.layers.layer_helpers import layer_gradcheck
from tinygrad_keras import backend as K
from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.engine.topology import Input
from tinygrad_keras.layers import (
    advanced_activations,
    core,
    dense_variants,
    lambda_layer,
    noise,
    normalization,
)
from tinygrad_keras.layers import merge as merge_function
from tinygrad_keras.models import Sequential
from tinygrad_keras.utils.test_utils import layer_test


def rand(*shape):
    return np.random.standard_normal(shape).astype(np.float32)


# ---- the contract ----------------------------------------------------------------
@pytest.mark.parametrize("cls, kwargs, input_shape", [
    (core.Dense, {"output_dim": 3}, (3, 2)),
    (core.Dense, {"output_dim": 3}, (3, 4, 2)),
    (core.Dense, {"output_dim": 3}, (3, 4, 5, 2)),
    (core.Dense, {"output_dim": 3, "W_regularizer": "l2", "b_regularizer": "l1",
                  "activity_regularizer": "activity_l2", "W_constraint": "maxnorm",
                  "b_constraint": "nonneg", "bias": True}, (3, 2)),
    (core.Dense, {"output_dim": 2, "bias": False, "activation": "tanh"}, (3, 4)),
    (core.Activation, {"activation": "relu"}, (3, 2)),
    (core.Dropout, {"p": 0.5}, (3, 2)),
    (core.Flatten, {}, (3, 2, 4)),
    (core.Reshape, {"target_shape": (8, 1)}, (3, 2, 4)),
    (core.Reshape, {"target_shape": (-1, 2)}, (3, 2, 4)),
    (core.Reshape, {"target_shape": (-1, 2)}, (None, None, 4)),
    (core.Permute, {"dims": (2, 1)}, (3, 2, 4)),
    (core.RepeatVector, {"n": 3}, (3, 2)),
    (core.Masking, {"mask_value": 0.0}, (3, 2, 4)),
    (core.ActivityRegularization, {"l1": 0.01, "l2": 0.01}, (3, 2)),
    (core.MaxoutDense, {"output_dim": 3, "nb_feature": 2}, (3, 2)),
    (core.Highway, {"activation": "relu"}, (3, 2)),
    (core.Highway, {"bias": False}, (3, 2)),
    (core.TimeDistributedDense, {"output_dim": 2}, (3, 2, 4)),
])
def test_layer_contract(cls, kwargs, input_shape):
    layer_test(cls, kwargs, input_shape=input_shape)


# ---- Dense -------------------------------------------------------------------------
def test_dense_matches_numpy_and_names_weights():
    layer = core.Dense(4, activation="tanh", name="d")
    x = rand(5, 3)
    y = layer(Tensor(x))
    W, b = layer.get_weights()
    assert [w.name for w in layer.weights] == ["d_W", "d_b"]
    assert W.shape == (3, 4) and b.shape == (4,)
    assert not b.any()  # zero init
    assert_allclose(y.data, np.tanh(x @ W + b), rtol=1e-6)
    assert y.dtype == np.float32


def test_dense_on_3d_input_replaces_last_axis():
    layer = core.Dense(2)
    x = rand(4, 5, 3)
    y = layer(Tensor(x))
    assert y.shape == (4, 5, 2)
    assert_allclose(y.data, x @ layer.get_weights()[0], rtol=1e-5)


def test_keras_1_import_paths():
    from tinygrad_keras.layers import Merge, merge
    from tinygrad_keras.layers.core import Merge as CoreMerge
    from tinygrad_keras.layers.core import merge as core_merge
    assert CoreMerge is Merge and core_merge is merge and callable(merge)


def test_dense_default_names_count_per_prefix():
    K.reset_uids()
    assert [core.Dense(1).name, core.Dense(1).name, core.Activation("relu").name] == \
        ["dense_1", "dense_2", "activation_1"]


def test_dense_input_dim_and_config():
    layer = core.Dense(output_dim=64, input_dim=100, init="he_normal", activation="relu")
    assert layer.batch_input_shape == (None, 100)
    config = layer.get_config()
    assert config["output_dim"] == 64 and config["input_dim"] == 100
    assert config["init"] == "he_normal" and config["activation"] == "relu"
    assert core.Dense.from_config(config).get_config() == config


def test_dense_weights_argument_is_applied():
    W, b = np.arange(6, dtype="float32").reshape(3, 2), np.array([1.0, -1.0], "float32")
    layer = core.Dense(2, weights=[W, b])
    y = layer(Tensor(np.ones((1, 3), "float32")))
    assert_allclose(y.data, [[7.0, 8.0]])


def test_dense_regularizer_losses():
    layer = core.Dense(2, W_regularizer="l2", activity_regularizer="activity_l1")
    x = rand(4, 3)
    y = layer(Tensor(x))
    W = layer.get_weights()[0]
    values = sorted(float(loss.data) for loss in layer.losses)
    expected = sorted([0.01 * float((W ** 2).sum()), 0.01 * float(np.abs(y.data).sum())])
    assert_allclose(values, expected, rtol=1e-5)


@pytest.mark.parametrize("bad", [0, -3, 2.5, None])
def test_dense_rejects_non_positive_output_dim(bad):
    with pytest.raises(ValueError, match="output_dim"):
        core.Dense(bad)


def test_dense_wrong_feature_size_names_layer_and_shapes():
    layer = core.Dense(3, name="first")
    layer(Input(shape=(4,)))
    with pytest.raises(ValueError, match=r"first.*\(None, 4\).*\(None, 5\)"):
        layer(Input(shape=(5,)))


def test_dense_first_in_sequential_trains():
    model = Sequential()
    model.add(core.Dense(3, input_dim=4, activation="softmax"))
    model.compile("sgd", "categorical_crossentropy")
    x, y = rand(8, 4), np.eye(3)[np.arange(8) % 3]
    history = model.fit(x, y, nb_epoch=2, batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_dense_gradients():
    np.random.seed(0)
    assert layer_gradcheck(core.Dense(3, activation="tanh"), np.random.randn(4, 2))
    assert layer_gradcheck(core.Dense(2, bias=False), np.random.randn(2, 3, 2))


# ---- Activation, Dropout, Flatten ------------------------------------------------------
def test_activation_values_and_config():
    x = rand(3, 4)
    assert_allclose(core.Activation("relu")(Tensor(x)).data, np.maximum(x, 0))
    assert core.Activation("tanh").get_config()["activation"] == "tanh"
    assert core.Activation("sigmoid").supports_masking


def test_dropout_identity_at_test_time_scaled_mask_in_training():
    x = np.ones((200, 50), dtype="float32")
    layer = core.Dropout(0.3)
    assert_allclose(layer(Tensor(x)).data, x)
    K.set_learning_phase(1)
    y = layer(Tensor(x)).data
    K.set_learning_phase(0)
    kept = y != 0
    assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert abs(kept.mean() - 0.7) < 0.02
    assert y.dtype == np.float32


def test_dropout_gradient_is_the_scaled_mask():
    x = Tensor(np.ones((20, 10)), requires_grad=True)
    K.set_learning_phase(1)
    y = core.Dropout(0.5)(x)
    K.set_learning_phase(0)
    y.sum().backward()
    assert_allclose(x.grad, y.data)  # d(x*m)/dx = m, and y = 1*m


def test_gradients_of_activation_dropout_masking_and_activity_regularization():
    np.random.seed(6)
    x = np.random.randn(4, 3, 2)
    assert layer_gradcheck(core.Activation("tanh"), x)
    assert layer_gradcheck(core.Dropout(0.4), x, phase=1, reseed=0)
    assert layer_gradcheck(core.Masking(0.5), x)  # no step equals 0.5: away from the jump
    assert layer_gradcheck(core.ActivityRegularization(l1=0.1), x)


def test_masked_steps_get_no_gradient():
    x = np.ones((1, 3, 2))
    x[0, 1] = 0.0
    t = Tensor(x, requires_grad=True)
    core.Masking(0.0)(t).sum().backward()
    assert_allclose(t.grad, [[[1, 1], [0, 0], [1, 1]]])


def test_dropout_noise_shape_shares_decisions():
    K.set_learning_phase(1)
    y = core.Dropout(0.5, noise_shape=(None, 1, 4))(Tensor(np.ones((6, 5, 4)))).data
    K.set_learning_phase(0)
    assert (y == y[:, :1, :]).all()


def test_dropout_config_and_bad_p():
    assert core.Dropout(0.2).get_config()["p"] == 0.2
    with pytest.raises(ValueError, match="Dropout"):
        core.Dropout(1.5)


def test_flatten_is_row_major_and_needs_known_shape():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    assert_allclose(core.Flatten()(Tensor(x)).data, x.reshape(2, 12))
    layer = core.Flatten(name="flat")
    with pytest.raises(ValueError, match="flat.*not fully defined"):
        layer.get_output_shape_for((None, None, 4))


# ---- shape layers -------------------------------------------------------------------
def test_reshape_infers_minus_one_and_checks_size():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    y = core.Reshape((-1, 3))(Tensor(x))
    assert_allclose(y.data, x.reshape(2, 4, 3))
    assert core.Reshape((-1, 3)).get_output_shape_for((None, 3, 4)) == (None, 4, 3)
    with pytest.raises(ValueError, match="total size"):
        core.Reshape((5,), name="r").get_output_shape_for((None, 3, 4))
    with pytest.raises(ValueError, match="total size"):
        core.Reshape((-1, 5)).get_output_shape_for((None, 3, 4))
    with pytest.raises(ValueError, match="one unknown"):
        core.Reshape((-1, -1))


def test_permute_is_one_indexed():
    x = rand(2, 3, 4, 5)
    layer = core.Permute((3, 1, 2))
    assert_allclose(layer(Tensor(x)).data, x.transpose(0, 3, 1, 2))
    assert core.Permute((2, 1)).get_output_shape_for((None, 10, 64)) == (None, 64, 10)
    with pytest.raises(ValueError, match="permutation"):
        core.Permute((0, 1))


def test_repeat_vector_copies():
    x = rand(2, 3)
    y = core.RepeatVector(4)(Tensor(x)).data
    assert y.shape == (2, 4, 3)
    assert_allclose(y, np.repeat(x[:, None, :], 4, axis=1))


def test_shape_layer_gradients():
    np.random.seed(1)
    assert layer_gradcheck(core.Reshape((-1, 2)), np.random.randn(2, 3, 2))
    assert layer_gradcheck(core.Permute((2, 1)), np.random.randn(2, 3, 2))
    assert layer_gradcheck(core.RepeatVector(3), np.random.randn(2, 3))
    assert layer_gradcheck(core.Flatten(), np.random.randn(2, 3, 2))


# ---- masks and penalties -------------------------------------------------------------
def test_masking_zeroes_masked_steps_and_returns_the_mask():
    x = rand(2, 4, 3)
    x[0, 1] = 0.0
    x[1, 3] = 0.0
    layer = core.Masking(0.0)
    out, mask = layer.run(Tensor(x))
    expected_mask = np.array([[1, 0, 1, 1], [1, 1, 1, 0]], dtype=bool)
    assert_allclose(np.asarray(mask.data), expected_mask)
    assert_allclose(out.data, x * expected_mask[..., None])


def test_masking_non_zero_value():
    x = np.full((1, 3, 2), 5.0, dtype="float32")
    x[0, 0] = [1.0, 5.0]
    _, mask = core.Masking(mask_value=5.0).run(Tensor(x))
    assert np.asarray(mask.data).tolist() == [[True, False, False]]


def test_activity_regularization_adds_penalty():
    x = rand(3, 4)
    layer = core.ActivityRegularization(l1=0.1, l2=0.2)
    y = layer(Tensor(x))
    assert_allclose(y.data, x)
    expected = 0.1 * np.abs(x).sum() + 0.2 * (x ** 2).sum()
    assert_allclose(float(layer.losses[0].data), expected, rtol=1e-5)
    assert layer.get_config()["l1"] == 0.1


# ---- Dense variants ---------------------------------------------------------------
def test_maxout_dense_matches_numpy():
    layer = core.MaxoutDense(3, nb_feature=4)
    x = rand(5, 2)
    y = layer(Tensor(x)).data
    W, b = layer.get_weights()
    assert W.shape == (4, 2, 3) and b.shape == (4, 3)
    b = np.random.randn(4, 3).astype("float32")
    layer.set_weights([W, b])
    y = layer(Tensor(x)).data
    expected = (np.einsum("bi,fio->bfo", x, W) + b).max(axis=1)
    assert_allclose(y, expected, rtol=1e-5)


def test_highway_matches_numpy_and_weight_order():
    layer = core.Highway(activation="tanh", name="hw")
    x = rand(4, 3)
    layer(Tensor(x))
    assert [w.name for w in layer.weights] == ["hw_W", "hw_W_carry", "hw_b", "hw_b_carry"]
    W, Wc, b, bc = layer.get_weights()
    assert (bc == 1).all()
    t = 1 / (1 + np.exp(-(x @ Wc + bc)))
    expected = t * np.tanh(x @ W + b) + (1 - t) * x
    assert_allclose(layer(Tensor(x)).data, expected, rtol=1e-5)


def test_dense_variant_gradients():
    np.random.seed(2)
    assert layer_gradcheck(core.MaxoutDense(2, nb_feature=3), np.random.randn(3, 2))
    assert layer_gradcheck(core.Highway(activation="tanh"), np.random.randn(3, 2))
    assert layer_gradcheck(core.TimeDistributedDense(2), np.random.randn(2, 3, 2))


def test_time_distributed_dense_is_dense_per_step():
    layer = core.TimeDistributedDense(2, input_dim=3, input_length=4)
    assert layer.batch_input_shape == (None, 4, 3)
    x = rand(2, 4, 3)
    layer(Tensor(x))
    W, b = layer.get_weights()
    assert_allclose(layer(Tensor(x)).data, x @ W + b, rtol=1e-5)
    with pytest.raises(ValueError, match="ndim=3"):
        core.TimeDistributedDense(2)(Tensor(rand(2, 3)))


# ---- docstring examples ------------------------------------------------------------
@pytest.mark.parametrize("module", [core, dense_variants, lambda_layer, advanced_activations,
                                    noise, normalization], ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    failures, _ = doctest.testmod(module, verbose=False)
    assert failures == 0


def test_merge_docstring_examples_run():
    # `layers.merge` is the function (Keras 1 API); its module is found through it
    import sys
    assert callable(merge_function)
    failures, tried = doctest.testmod(sys.modules[merge_function.__module__], verbose=False)
    assert failures == 0 and tried > 0
