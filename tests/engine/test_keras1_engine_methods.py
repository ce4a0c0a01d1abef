"""Keras 1.2.2 engine methods that custom layers, models and optimizers call.

add_update / get_updates_for, add_loss(losses, inputs) / get_losses_for, the mask
properties, Model.state_updates, a Keras 1 style optimizer (get_updates/get_gradients),
and the helper functions 1.2.2 kept in keras.engine.training and keras.engine.topology.
"""
from __future__ import annotations

import inspect

import numpy as np
import pytest

from tinygrad_keras import Tensor
from tinygrad_keras import backend as K
from tinygrad_keras.engine import Input, Layer, topology
from tinygrad_keras.engine import training as T
from tinygrad_keras.layers import LSTM, Dense, Embedding
from tinygrad_keras.models import Model, Sequential
from tinygrad_keras.optimizers import SGD, Optimizer


class RunningMean(Layer):
    """Passes its input through; keeps the mean of the training batches it saw (1.2.2 style)."""

    def build(self, input_shape):
        self.mean = K.zeros((input_shape[-1],))
        self.non_trainable_weights = [self.mean]

    def call(self, x, mask=None):
        new_mean = 0.5 * self.mean + 0.5 * K.mean(x, axis=0)
        self.add_update([(self.mean, new_mean)], x)
        return x


def _running_mean_model():
    model = Sequential([RunningMean(input_shape=(2,)), Dense(1)])
    model.compile("sgd", "mse")
    return model


def test_add_update_runs_after_each_training_batch_only():
    model = _running_mean_model()
    x = np.array([[1.0, 2.0], [3.0, 6.0]], dtype="float32")
    y = np.zeros((2, 1), dtype="float32")
    mean = model.layers[0].mean
    model.predict(x)
    model.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(mean.data, [0.0, 0.0])   # not stateful: not in state_updates
    model.fit(x, y, batch_size=2, nb_epoch=1, verbose=0)
    np.testing.assert_allclose(mean.data, [1.0, 2.0])   # 0.5 * 0 + 0.5 * [2, 4]
    model.fit(x, y, batch_size=2, nb_epoch=1, verbose=0)
    np.testing.assert_allclose(mean.data, [1.5, 3.0])
    assert len(model.updates) == 1 and model.state_updates == []


def test_get_updates_for_files_updates_by_inputs():
    layer = RunningMean()
    x = Tensor(np.ones((3, 2), dtype="float32"))
    layer(x)
    assert len(layer.get_updates_for(x)) == 1
    assert layer.get_updates_for(None) == []
    layer.add_update((layer.mean, np.ones(2)))
    assert len(layer.get_updates_for(None)) == 1 and len(layer.updates) == 2
    with pytest.raises(TypeError, match="add_update expects"):
        layer.add_update([layer.mean])


def test_stateful_layer_updates_are_state_updates_and_run_in_predict():
    class Counter(RunningMean):
        stateful = True
    model = Sequential([Counter(input_shape=(2,))])
    model.compile("sgd", "mse")
    model.predict(np.full((4, 2), 2.0, dtype="float32"))
    assert len(model.state_updates) == 1
    np.testing.assert_allclose(model.layers[0].mean.data, [1.0, 1.0])


def test_add_loss_with_inputs_and_get_losses_for():
    layer = Dense(2, W_regularizer="l2")
    x = Tensor(np.ones((1, 3), dtype="float32"))
    layer(x)
    penalty = Tensor(np.float32(3.0))
    layer.add_loss(penalty, inputs=x)
    layer.add_loss([Tensor(np.float32(1.0))])
    assert [float(t.data) for t in layer.get_losses_for(x)] == [3.0]
    unconditional = layer.get_losses_for(None)
    assert len(unconditional) == 2 and float(unconditional[1].data) == 1.0
    assert len(layer.losses) == 3


def test_added_loss_counts_in_the_loss_and_is_trained_on():
    class Penalised(Layer):
        def call(self, x, mask=None):
            self.add_loss(10.0 * K.mean(K.square(x)), inputs=x)
            return x
    inp = Input(shape=(2,))
    hidden_layer, out_layer = Dense(2, bias=False), Dense(1, bias=False)
    model = Model(inp, out_layer(Penalised()(hidden_layer(inp))))
    model.compile(SGD(lr=0.02), "mse")
    x, y = np.ones((8, 2), dtype="float32"), np.zeros((8, 1), dtype="float32")

    def by_hand():
        h = x @ hidden_layer.get_weights()[0]
        out = h @ out_layer.get_weights()[0]
        return float(np.mean((out - y) ** 2)), float(10.0 * np.mean(h ** 2))
    mse, penalty = by_hand()
    assert model.evaluate(x, y, verbose=0) == pytest.approx(mse + penalty, rel=1e-5)
    model.fit(x, y, nb_epoch=20, verbose=0)
    assert by_hand()[1] < penalty / 10


def test_masks_are_keras_tensors_with_values():
    inp = Input(shape=(4,), dtype="int32")
    embedded = Embedding(10, 3, mask_zero=True)
    seq = embedded(inp)
    lstm = LSTM(2, return_sequences=True)
    lstm(seq)
    assert embedded.input_mask is None
    assert embedded.output_mask is lstm.input_mask is not None
    assert lstm.get_output_mask_at(0) is lstm.output_mask
    plain = Dense(2)
    plain(Input(shape=(3,)))
    assert plain.output_mask is None and plain.get_input_mask_at(0) is None
    f = K.function([inp], [embedded.output_mask, lstm.output_mask])
    mask, same = f([np.array([[1, 2, 0, 0]])])
    assert mask.tolist() == [[True, True, False, False]] and same.tolist() == mask.tolist()


# ---- a Keras 1.2.2 style optimizer --------------------------------------------------------
class HandWrittenSGD(Optimizer):
    """SGD with momentum as a Keras 1.2.2 user would write it against get_updates."""

    def __init__(self, lr=0.01, momentum=0.0, **kwargs):
        super().__init__(**kwargs)
        self.lr = K.variable(lr)
        self.momentum = K.variable(momentum)
        self.iterations = K.variable(0.0)
        self.seen_iterations = []

    def get_updates(self, params, constraints, loss):
        grads = self.get_gradients(loss, params)
        self.updates = [K.update_add(self.iterations, 1)]
        self.seen_iterations.append(float(K.get_value(self.iterations)))  # old value
        moments = getattr(self, "moments", None) or [K.zeros(K.get_variable_shape(p))
                                                     for p in params]
        self.moments = moments
        self.weights = [self.iterations] + moments
        for p, g, m in zip(params, grads, moments):
            v = self.momentum * m - self.lr * g
            self.updates.append(K.update(m, v))
            new_p = p + v
            if p in constraints:
                new_p = constraints[p](new_p)
            self.updates.append(K.update(p, new_p))
        return self.updates


def _fit_with(optimizer):
    np.random.seed(3)
    K.reset_uids()
    model = Sequential([Dense(4, input_dim=3, activation="tanh"), Dense(1)])
    model.compile(optimizer, "mse")
    x = np.random.randn(32, 3).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model.fit(x, y, batch_size=8, nb_epoch=3, verbose=0, shuffle=False)
    return model


def test_keras1_style_optimizer_trains_like_the_builtin():
    custom = HandWrittenSGD(lr=0.05, momentum=0.9)
    hand = _fit_with(custom)
    builtin = _fit_with(SGD(lr=0.05, momentum=0.9))
    for a, b in zip(hand.get_weights(), builtin.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # updates are made together after get_updates: reads saw the old count
    assert custom.seen_iterations == [float(i) for i in range(12)]
    assert float(K.get_value(custom.iterations)) == 12.0
    assert len(custom.get_weights()) == 1 + 4


def test_get_gradients_of_another_loss_and_clipping():
    w = K.variable(np.array([1.0, -2.0]))
    loss = K.sum(K.square(w))
    grads = SGD(clipvalue=1.0).get_gradients(loss, [w])
    np.testing.assert_allclose(grads[0].data, [1.0, -1.0])
    with pytest.raises(TypeError, match="get_updates"):
        SGD().get_updates([w], {}, loss)


# ---- helpers of keras.engine.training / topology ------------------------------------------
SIGNATURES_1_2_2 = {
    "standardize_input_data": ["data", "names", "shapes", "check_batch_axis",
                               "exception_prefix"],
    "standardize_sample_or_class_weights": ["x_weight", "output_names", "weight_type"],
    "standardize_class_weights": ["class_weight", "output_names"],
    "standardize_sample_weights": ["sample_weight", "output_names"],
    "check_array_lengths": ["inputs", "targets", "weights"],
    "check_loss_and_target_compatibility": ["targets", "losses", "output_shapes"],
    "collect_metrics": ["metrics", "output_names"],
    "batch_shuffle": ["index_array", "batch_size"],
    "make_batches": ["size", "batch_size"],
    "weighted_objective": ["fn"],
    "standardize_weights": ["y", "sample_weight", "class_weight", "sample_weight_mode"],
}


@pytest.mark.parametrize("name", sorted(SIGNATURES_1_2_2))
def test_training_helpers_have_the_122_signatures(name):
    params = list(inspect.signature(getattr(T, name)).parameters)
    assert params == SIGNATURES_1_2_2[name]


def test_training_helpers_behave():
    x = np.ones((4, 3))
    assert [a.shape for a in T.standardize_input_data({"a": x}, ["a"], [(None, 3)])] == [(4, 3)]
    with pytest.raises(ValueError, match="expected a to have shape"):
        T.standardize_input_data(x, ["a"], [(None, 5)], exception_prefix="model input")
    with pytest.raises(ValueError, match="same number of samples"):
        T.check_array_lengths([x], [np.ones((5, 1))], [None])
    assert T.standardize_sample_weights({"out": [1]}, ["out"]) == [[1]]
    assert T.standardize_class_weights(None, ["a", "b"]) == [None, None]
    assert T.collect_metrics(["acc"], ["a", "b"]) == [["acc"], ["acc"]]
    assert T.collect_metrics({"b": "mae"}, ["a", "b"]) == [[], ["mae"]]
    with pytest.raises(TypeError, match="metrics"):
        T.collect_metrics("acc", ["a"])
    assert T.make_batches(5, 2) == [(0, 2), (2, 4), (4, 5)]
    assert sorted(T.batch_shuffle(np.arange(5), 2).tolist()) == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="categorical_crossentropy"):
        from tinygrad_keras.objectives import categorical_crossentropy
        T.check_loss_and_target_compatibility([np.ones((3, 1))], [categorical_crossentropy],
                                              [(None, 4)])


def test_weighted_objective_masks_and_weights():
    def squared(y_true, y_pred):
        return K.mean(K.square(y_pred - y_true), axis=-1)
    weighted = T.weighted_objective(squared)
    y_true = np.zeros((2, 1), dtype="float32")
    y_pred = np.array([[1.0], [3.0]], dtype="float32")
    assert float(weighted(y_true, y_pred, None).data) == pytest.approx(5.0)
    # weight 0 on the second sample: only the first counts, rescaled by 1 / 0.5 then averaged
    assert float(weighted(y_true, y_pred, np.array([1.0, 0.0])).data) == pytest.approx(1.0)


@pytest.mark.parametrize("pickle_safe", [False, True])
def test_generator_enqueuer_reads_ahead(pickle_safe):
    enqueuer = T.GeneratorEnqueuer(iter(range(1000)), pickle_safe=pickle_safe)
    enqueuer.start(nb_worker=1, max_q_size=3)
    try:
        assert enqueuer.is_running()
        assert [enqueuer.queue.get(timeout=10) for _ in range(5)] == [0, 1, 2, 3, 4]
    finally:
        enqueuer.stop(timeout=5)
    assert not enqueuer.is_running() and enqueuer.queue is None


def test_topology_container_to_list_object_list_uid():
    from tinygrad_keras.engine.container import Container
    assert topology.Container is Container
    assert topology.to_list(3) == [3] and topology.to_list([3]) == [3]
    a, b = object(), object()
    assert topology.object_list_uid([a, b]) == f"{id(a)}, {id(b)}"
    assert topology.object_list_uid(a) == str(id(a))


def test_updates_of_a_wrapped_layer_run_too():
    from tinygrad_keras.layers import TimeDistributed
    model = Sequential([TimeDistributed(RunningMean(), input_shape=(3, 2))])
    model.compile("sgd", "mse")
    x = np.ones((4, 3, 2), dtype="float32")
    model.fit(x, x, nb_epoch=1, batch_size=4, verbose=0)
    np.testing.assert_allclose(model.layers[0].layer.mean.data, [0.5, 0.5])
    assert len(model.updates) == 1
