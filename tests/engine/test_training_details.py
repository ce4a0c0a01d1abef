"""More of the training loop: masks in losses, no graph outside training, progress text,
stateful batch rules, trainability fixed at compile, legacy configs."""
import numpy as np
import pytest

from tinygrad_keras import backend as K
from tinygrad_keras.autodiff import Tensor, is_grad_enabled
from tinygrad_keras.engine import Input, Layer
from tinygrad_keras.engine.compile_utils import weighted_loss
from tinygrad_keras.layers import Dense, Masking, TimeDistributed
from tinygrad_keras.models import Model, Sequential


class GradProbe(Layer):
    """Identity that records whether the graph was being recorded and the learning phase."""

    seen: list = []  # noqa: RUF012 - shared record, reset by the test

    def call(self, x, mask=None):
        GradProbe.seen.append((is_grad_enabled(), K.learning_phase()))
        return x


def test_predict_and_evaluate_build_no_graph_training_does():
    GradProbe.seen = []
    model = Sequential([Dense(2, input_dim=3), GradProbe()])
    model.compile("sgd", "mse")
    x, y = np.random.randn(4, 3), np.random.randn(4, 2)
    model.predict(x)
    model.evaluate(x, y, verbose=0)
    model.test_on_batch(x, y)
    model.fit(x, y, nb_epoch=1, verbose=0, validation_data=(x, y))
    assert GradProbe.seen == [(False, 0), (False, 0), (False, 0), (True, 1), (False, 0)]
    assert model.predict(x).__class__ is np.ndarray


def test_weighted_loss_with_mask_rescales_by_mask_mean():
    def per_step(y_true, y_pred):
        return ((y_true - y_pred) ** 2).mean(axis=-1)
    y_true = Tensor(np.zeros((2, 3, 1), dtype="float32"))
    y_pred = Tensor(np.arange(6, dtype="float32").reshape(2, 3, 1))
    mask = np.array([[1, 1, 0], [1, 0, 0]], dtype=bool)
    got = weighted_loss(per_step, y_true, y_pred, np.ones(2), mask)
    scores = (np.arange(6).reshape(2, 3) ** 2) * mask / mask.mean()
    assert float(got.data) == pytest.approx(scores.mean(axis=1).mean(), rel=1e-6)


def test_masked_timesteps_do_not_count_in_the_loss():
    inp = Input(shape=(3, 2))
    model = Model(input=inp, output=TimeDistributed(Dense(1))(Masking(0.)(inp)))
    model.compile("sgd", "mse")
    x = np.random.randn(2, 3, 2)
    x[:, 2] = 0.0  # last step masked
    y = np.random.randn(2, 3, 1)
    base = model.test_on_batch(x, y)
    y2 = y.copy()
    y2[:, 2] += 100.0  # the target of a masked step changes nothing
    assert model.test_on_batch(x, y2) == pytest.approx(base, rel=1e-6)


def test_progress_text(capsys):
    model = Sequential([Dense(1, input_dim=2)])
    model.compile("sgd", "mse")
    x, y = np.zeros((10, 2)), np.zeros((10, 1))
    model.fit(x, y, nb_epoch=2, batch_size=5, validation_split=0.2, verbose=2)
    out = capsys.readouterr().out.split("\n")
    assert out[0] == "Train on 8 samples, validate on 2 samples"
    assert out[1] == "Epoch 1/2" and out[3] == "Epoch 2/2"
    assert out[2].startswith("0s - loss: ") and " - val_loss: " in out[2]
    model.fit(x, y, nb_epoch=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_stateful_models_need_whole_batches():
    class Stateful(Layer):
        stateful = True

        def reset_states(self):
            self.was_reset = True

    model = Sequential([Dense(2, batch_input_shape=(4, 3)), Stateful()])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="divided by the batch size. Found: 6 samples"):
        model.fit(np.zeros((6, 3)), np.zeros((6, 2)), batch_size=4, verbose=0)
    with pytest.raises(ValueError, match="divided by the batch size"):
        model.predict(np.zeros((6, 3)), batch_size=4)
    assert model.predict(np.zeros((3, 3)), batch_size=4).shape == (3, 2)
    model.reset_states()
    assert model.layers[1].was_reset


def test_trainability_is_fixed_at_compile():
    model = Sequential([Dense(2, input_dim=3), Dense(1)])
    model.layers[0].trainable = False
    model.compile("sgd", "mse")
    frozen = model.layers[0].get_weights()
    model.layers[0].trainable = True  # no effect until the next compile
    x, y = np.random.randn(8, 3), np.random.randn(8, 1)
    model.train_on_batch(x, y)
    assert all(np.array_equal(a, b) for a, b in zip(frozen, model.layers[0].get_weights()))
    model.compile("sgd", "mse")
    model.train_on_batch(x, y)
    assert not np.array_equal(frozen[0], model.layers[0].get_weights()[0])


def test_custom_loss_targets_are_not_shape_checked():
    def first_column(y_true, y_pred):
        return K.mean(K.square(y_pred - y_true[:, :1]), axis=-1)

    model = Sequential([Dense(1, input_dim=2)])
    model.compile("sgd", first_column)
    assert np.isfinite(model.train_on_batch(np.zeros((3, 2)), np.ones((3, 5))))


def test_legacy_sequential_config_and_nested_sequential():
    legacy = [{"name": "Dense", "custom_name": "d", "output_dim": 2, "input_dim": 3,
               "batch_input_shape": [None, 3]}]
    model = Sequential.from_config(legacy)
    assert model.layers[0].name == "d" and model.output_shape == (None, 2)
    outer = Sequential([model, Dense(1)])
    assert outer.predict(np.zeros((2, 3))).shape == (2, 1)
    assert len(outer.get_weights()) == 4
    clone = Sequential.from_config(outer.get_config())
    assert clone.output_shape == (None, 1)


def test_evaluate_progress_bar(capsys):
    model = Sequential([Dense(1, input_dim=2)])
    model.compile("sgd", "mse")
    model.evaluate(np.zeros((4, 2)), np.zeros((4, 1)), verbose=1)
    assert "4/4 [" in capsys.readouterr().out


def test_training_steps_do_not_accumulate_live_tensors():
    import gc
    model = Sequential([Dense(4, input_dim=3, activation="relu", activity_regularizer="l2"),
                        Dense(2, activation="softmax")])
    model.compile("adam", "categorical_crossentropy", metrics=["acc"])
    x, y = np.random.randn(16, 3), np.eye(2)[np.random.randint(0, 2, 16)]

    def live():
        gc.collect()
        return sum(isinstance(o, Tensor) for o in gc.get_objects())

    model.fit(x, y, nb_epoch=1, batch_size=4, verbose=0)
    before = live()
    model.fit(x, y, nb_epoch=3, batch_size=4, verbose=0)
    model.predict(x)
    assert live() <= before + 2
