"""``ModelCheckpoint`` through the real ``fit`` loop, with real files."""
import os

import numpy as np
import pytest

from tinygrad_keras.callbacks import LambdaCallback, ModelCheckpoint
from tinygrad_keras.layers import Dense
from tinygrad_keras.models import Sequential, load_model


def problem():
    np.random.seed(3)
    x = np.random.randn(40, 4).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = Sequential([Dense(6, input_dim=4, activation="tanh"),
                        Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    return model, x, y


def fit_recording(model, x, y, checkpoint, nb_epoch=4):
    """Fit; return the epoch logs and the weights at the end of every epoch."""
    logs, weights = [], []
    recorder = LambdaCallback(on_epoch_end=lambda epoch, log: (
        logs.append(dict(log)), weights.append(model.get_weights())))
    model.fit(x, y, nb_epoch=nb_epoch, batch_size=8, validation_split=0.25, verbose=0,
              callbacks=[checkpoint, recorder])
    return logs, weights


def test_template_names_every_epoch_with_full_models(tmp_path):
    model, x, y = problem()
    template = str(tmp_path / "weights.{epoch:02d}-{val_loss:.2f}.h5")
    logs, weights = fit_recording(model, x, y, ModelCheckpoint(template))
    expected = [template.format(epoch=i, **log) for i, log in enumerate(logs)]
    assert sorted(os.path.join(tmp_path, f) for f in os.listdir(tmp_path)) == sorted(expected)
    resumed = load_model(expected[2])
    for a, b in zip(resumed.get_weights(), weights[2]):
        np.testing.assert_array_equal(a, b)
    assert resumed.optimizer.get_config() == model.optimizer.get_config()


@pytest.mark.parametrize("monitor", ["val_loss", "val_acc"])
def test_save_best_only_keeps_the_best_epoch(tmp_path, monitor):
    model, x, y = problem()
    path = str(tmp_path / "best.h5")
    logs, weights = fit_recording(model, x, y, ModelCheckpoint(
        path, monitor=monitor, save_best_only=True, save_weights_only=True), nb_epoch=5)
    values = [log[monitor] for log in logs]
    best = None
    for i, v in enumerate(values):  # strict improvement, as in 1.2.2 (first best wins)
        if best is None or (v < values[best] if monitor == "val_loss" else v > values[best]):
            best = i
    fresh, _, _ = problem()
    fresh.load_weights(path)
    for a, b in zip(fresh.get_weights(), weights[best]):
        np.testing.assert_array_equal(a, b)


def test_period_and_verbose_messages(tmp_path, capsys):
    model, x, y = problem()
    template = str(tmp_path / "w{epoch}.h5")
    fit_recording(model, x, y, ModelCheckpoint(template, verbose=1, period=2,
                                               save_weights_only=True))
    assert sorted(os.listdir(tmp_path)) == ["w1.h5", "w3.h5"]
    assert "Epoch 00001: saving model to" in capsys.readouterr().out
