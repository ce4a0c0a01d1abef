"""Norm-logging callbacks write their keys into History; plot_history draws or tabulates."""
import builtins

import numpy as np
import pytest

from tinygrad_keras.callbacks import Callback, GradientNormLogger, WeightNormLogger
from tinygrad_keras.layers import Dense
from tinygrad_keras.models import Sequential
from tinygrad_keras.utils import plotting


def small_model():
    np.random.seed(0)
    model = Sequential([Dense(4, input_dim=3, activation="tanh"), Dense(1)])
    model.compile("sgd", "mse")
    return model


def data(n=16):
    rng = np.random.RandomState(0)
    x = rng.rand(n, 3).astype("float32")
    return x, x.sum(axis=1, keepdims=True)


class GradSpy(Callback):
    """Notes the gradient norms of every batch of every epoch, straight from .grad."""

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = {}

    def on_batch_end(self, batch, logs=None):
        for w in self.model.trainable_weights:
            self.seen.setdefault(w.name, []).append(float(np.linalg.norm(w.grad)))

    def on_epoch_end(self, epoch, logs=None):
        self.last_epoch = {k: list(v) for k, v in self.seen.items()}


def test_keys_in_history_and_values_match_the_weights_and_grads():
    model = small_model()
    x, y = data()
    spy = GradSpy()
    history = model.fit(x, y, batch_size=4, nb_epoch=3, verbose=0, validation_split=0.25,
                        callbacks=[WeightNormLogger(), GradientNormLogger(), spy])
    names = [w.name for w in model.trainable_weights]
    for name in names:
        assert len(history.history[f"{name}_norm"]) == 3
        assert len(history.history[f"{name}_grad_norm"]) == 3
    # the last epoch's weight norms are the norms of the final weights
    for w in model.trainable_weights:
        assert history.history[f"{w.name}_norm"][-1] == pytest.approx(
            float(np.linalg.norm(w.data)), rel=1e-6)
        assert history.history[f"{w.name}_grad_norm"][-1] == pytest.approx(
            float(np.mean(spy.last_epoch[w.name])), rel=1e-5)
    assert len(spy.last_epoch[names[0]]) == 3  # 12 training samples in batches of 4


def test_gradient_modes():
    for mode, reduce in (("max", max), ("last", lambda v: v[-1])):
        model = small_model()
        spy = GradSpy()
        history = model.fit(*data(), batch_size=4, nb_epoch=1, verbose=0,
                            callbacks=[GradientNormLogger(mode=mode), spy])
        name = model.layers[0].W.name
        assert history.history[f"{name}_grad_norm"][0] == pytest.approx(
            reduce(spy.last_epoch[name]), rel=1e-5)
    with pytest.raises(ValueError, match="mode"):
        GradientNormLogger(mode="median")


def test_panels_pair_train_and_validation_and_group_norms():
    records = {"loss": [1, 0.5], "val_loss": [2, 1], "acc": [0.1, 0.2], "val_top": [3, 4],
               "dense_1_W_norm": [1, 2], "dense_1_W_grad_norm": [0.1, 0.2]}
    assert plotting.panels(records) == {
        "loss": ["loss", "val_loss"], "acc": ["acc"], "val_top": ["val_top"],
        "weight norms": ["dense_1_W_norm"], "gradient norms": ["dense_1_W_grad_norm"]}


def test_without_matplotlib_a_hint_and_a_table(monkeypatch, capsys):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    table = plotting.plot_history({"loss": [1.0, 0.25], "val_loss": [1.5, 0.5]})
    out = capsys.readouterr().out
    assert "pip install matplotlib" in out
    lines = table.splitlines()
    assert lines[0].split() == ["epoch", "loss", "val_loss"]
    assert lines[2].split() == ["2", "0.25", "0.5"]


def test_bad_history_is_named():
    with pytest.raises(TypeError, match="History"):
        plotting.plot_history([1, 2, 3])


def test_plot_with_matplotlib(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    history = small_model().fit(*data(), nb_epoch=2, verbose=0, validation_split=0.25,
                                callbacks=[WeightNormLogger()])
    fig = plotting.plot_history(history, str(tmp_path / "curves.png"))
    assert (tmp_path / "curves.png").stat().st_size > 0
    assert len(fig.axes) == 2  # loss (+ val_loss), weight norms
