"""Training-loop semantics of Keras 1.2.2 (spec section 4)."""
import numpy as np
import pytest

from tinygrad_keras import backend as K
from tinygrad_keras.callbacks import Callback
from tinygrad_keras.engine import Input
from tinygrad_keras.layers import Dense, Dropout
from tinygrad_keras.models import Model, Sequential


def mlp(nb_class=3, input_dim=4, dropout=0.0, activation="softmax"):
    model = Sequential()
    model.add(Dense(8, input_dim=input_dim, activation="relu"))
    if dropout:
        model.add(Dropout(dropout))
    model.add(Dense(nb_class, activation=activation))
    return model


def data(n=40, input_dim=4, nb_class=3):
    x = np.random.randn(n, input_dim).astype("float32")
    y = np.eye(nb_class)[np.random.randint(0, nb_class, n)]
    return x, y


class Recorder(Callback):
    """Records every hook call with its argument and a copy of the logs."""

    def __init__(self, log):
        super().__init__()
        self.log = log

    def on_train_begin(self, logs=None):
        self.log.append(("train_begin",))

    def on_epoch_begin(self, epoch, logs=None):
        self.log.append(("epoch_begin", epoch))

    def on_batch_begin(self, batch, logs=None):
        self.log.append(("batch_begin", batch, dict(logs)))

    def on_batch_end(self, batch, logs=None):
        self.log.append(("batch_end", batch, dict(logs)))

    def on_epoch_end(self, epoch, logs=None):
        self.log.append(("epoch_end", epoch, dict(logs)))

    def on_train_end(self, logs=None):
        self.log.append(("train_end",))


def test_history_keys_and_epochs():
    model = mlp()
    model.compile("sgd", "categorical_crossentropy", metrics=["accuracy", "mse"])
    x, y = data()
    hist = model.fit(x, y, nb_epoch=3, batch_size=10, verbose=0, validation_split=0.25)
    assert set(hist.history) == {"loss", "acc", "mean_squared_error", "val_loss", "val_acc",
                                 "val_mean_squared_error"}
    assert hist.epoch == [0, 1, 2] and all(len(v) == 3 for v in hist.history.values())
    assert model.metrics_names == ["loss", "acc", "mean_squared_error"]
    assert np.isfinite(hist.history["loss"]).all()


def test_fit_before_compile():
    with pytest.raises(RuntimeError, match="The model needs to be compiled before being used."):
        mlp().fit(*data(), verbose=0)


def test_validation_split_takes_the_tail_before_shuffling():
    model = mlp()
    model.compile("sgd", "categorical_crossentropy")
    x, y = data(n=20)
    log = []
    model.fit(x, y, nb_epoch=1, batch_size=20, verbose=0, validation_split=0.3,
              callbacks=[Recorder(log)])
    assert model.validation_data[0][0].shape[0] == 6
    np.testing.assert_array_equal(model.validation_data[0][0], x[14:])
    sizes = [e[2]["size"] for e in log if e[0] == "batch_begin"]
    assert sizes == [14]


def test_epoch_loss_is_batch_size_weighted_mean():
    model = mlp()
    model.compile("sgd", "categorical_crossentropy", metrics=["acc"])
    log = []
    x, y = data(n=25)
    hist = model.fit(x, y, nb_epoch=1, batch_size=10, verbose=0, callbacks=[Recorder(log)],
                     shuffle=False)
    batches = [e[2] for e in log if e[0] == "batch_end"]
    assert [b["size"] for b in batches] == [10, 10, 5]
    for key in ("loss", "acc"):
        expected = sum(b[key] * b["size"] for b in batches) / 25
        assert hist.history[key][0] == pytest.approx(expected, rel=1e-6)


def test_evaluate_is_batch_size_weighted_and_matches_test_on_batch():
    model = mlp()
    model.compile("sgd", "categorical_crossentropy", metrics=["acc"])
    x, y = data(n=25)
    parts = [(model.test_on_batch(x[s:e], y[s:e]), e - s) for s, e in ((0, 10), (10, 20),
                                                                         (20, 25))]
    expected = np.sum([np.array(v) * n for v, n in parts], axis=0) / 25
    np.testing.assert_allclose(model.evaluate(x, y, batch_size=10, verbose=0), expected,
                               rtol=1e-6)


def test_callbacks_order_and_zero_based_epochs():
    model = mlp()
    model.compile("sgd", "categorical_crossentropy")
    log = []
    x, y = data(n=10)
    model.fit(x, y, nb_epoch=4, batch_size=5, verbose=0, callbacks=[Recorder(log)],
              initial_epoch=2)
    kinds = [e[:2] if len(e) > 1 else e for e in log]
    assert kinds == [("train_begin",), ("epoch_begin", 2), ("batch_begin", 0), ("batch_end", 0),
                     ("batch_begin", 1), ("batch_end", 1), ("epoch_end", 2),
                     ("epoch_begin", 3), ("batch_begin", 0), ("batch_end", 0),
                     ("batch_begin", 1), ("batch_end", 1), ("epoch_end", 3), ("train_end",)]
    # BaseLogger ran before the user callback: the epoch mean is already in the logs
    assert "loss" in log[6][2]
    assert model.history.epoch == [2, 3]


def test_stop_training_ends_after_the_epoch():
    class Stop(Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    model = mlp()
    model.compile("sgd", "categorical_crossentropy")
    hist = model.fit(*data(), nb_epoch=5, verbose=0, callbacks=[Stop()])
    assert hist.epoch == [0]


def test_dropout_only_in_training_and_predict_builds_no_graph():
    model = mlp(dropout=0.9)
    model.compile("sgd", "categorical_crossentropy")
    x, _ = data(n=8)
    p1, p2 = model.predict(x), model.predict(x)
    np.testing.assert_array_equal(p1, p2)
    assert K.learning_phase() == 0
    model.train_on_batch(x, np.eye(3)[[0] * 8])
    assert K.learning_phase() == 0


def test_reproducible_with_numpy_seed():
    def run():
        np.random.seed(123)
        model = mlp(dropout=0.3)
        model.compile("adam", "categorical_crossentropy")
        x, y = data()
        return model.fit(x, y, nb_epoch=2, batch_size=8, verbose=0).history["loss"]
    assert run() == run()


def test_sample_weight_and_class_weight():
    x, y = data(n=6)
    model = mlp()
    model.compile("sgd", "categorical_crossentropy")
    w = np.array([1., 0., 2., 0., 1., 1.])
    per_sample = [model.test_on_batch(x[i:i + 1], y[i:i + 1]) for i in range(6)]
    # loss = mean(l * w) / mean(w != 0)
    expected = np.mean(np.array(per_sample) * w) / np.mean(w != 0)
    assert model.test_on_batch(x, y, sample_weight=w) == pytest.approx(expected, rel=1e-5)
    labels = y.argmax(1)
    class_weight = {0: 1., 1: 3., 2: 0.5}
    cw = np.array([class_weight[c] for c in labels])
    expected = np.mean(np.array(per_sample) * cw) / np.mean(cw != 0)
    before = [p.copy() for p in model.get_weights()]
    got = model.train_on_batch(x, y, class_weight=class_weight)
    assert got == pytest.approx(expected, rel=1e-5)
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    with pytest.raises(KeyError, match="class_weight"):
        model.train_on_batch(x, y, class_weight={0: 1.})


def test_temporal_sample_weights():
    inp = Input(shape=(3, 2))
    model = Model(input=inp, output=Dense(2)(inp))
    model.compile("sgd", "mse", sample_weight_mode="temporal")
    x = np.random.randn(4, 3, 2)
    y = np.random.randn(4, 3, 2)
    w = np.random.randint(0, 2, (4, 3)).astype(float)
    w[0, 0] = 1
    pred = model.predict(x)
    per_step = ((pred - y) ** 2).mean(-1)
    expected = np.mean(per_step * w) / np.mean(w != 0)
    assert model.test_on_batch(x, y, sample_weight=w) == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match="sample_weight"):
        model.test_on_batch(x, y, sample_weight=np.ones(4))


def test_regularization_penalty_is_in_the_reported_loss():
    model = Sequential([Dense(2, input_dim=3, W_regularizer="l2")])
    model.compile("sgd", "mse")
    x, y = np.random.randn(5, 3), np.random.randn(5, 2)
    W = model.layers[0].get_weights()[0]
    plain = np.mean((model.predict(x) - y) ** 2)
    assert model.test_on_batch(x, y) == pytest.approx(plain + 0.01 * np.sum(W ** 2), rel=1e-5)


def test_shuffle_batch_keeps_chunks_together():
    from tinygrad_keras.engine.training_utils import batch_shuffle
    np.random.seed(0)
    out = batch_shuffle(np.arange(10), 3)
    assert sorted(out.tolist()) == list(range(10)) and out[-1] == 9
    chunks = out[:9].reshape(3, 3)
    assert all((c == np.arange(c[0], c[0] + 3)).all() for c in chunks)


def test_weights_sorted_by_name_at_compile():
    model = mlp()
    model.compile("sgd", "mse")
    names = [w.name for w in model._collected_trainable_weights]
    assert names == sorted(names) and len(names) == 4


def test_generators():
    model = mlp()
    model.compile("sgd", "categorical_crossentropy", metrics=["acc"])
    x, y = data(n=20)

    def gen():
        while True:
            for i in range(0, 20, 5):
                yield x[i:i + 5], y[i:i + 5]

    hist = model.fit_generator(gen(), samples_per_epoch=20, nb_epoch=2, verbose=0,
                               validation_data=gen(), nb_val_samples=10)
    assert set(hist.history) == {"loss", "acc", "val_loss", "val_acc"}
    loss, acc = model.evaluate_generator(gen(), 20)
    np.testing.assert_allclose([loss, acc], model.evaluate(x, y, batch_size=5, verbose=0),
                               rtol=1e-5)
    preds = model.predict_generator(gen(), 12)
    np.testing.assert_allclose(preds, model.predict(x[:12]), rtol=1e-6)
    with pytest.raises(ValueError, match="nb_val_samples"):
        model.fit_generator(gen(), 20, 1, verbose=0, validation_data=gen())
