"""Callbacks driven by a fake model through the Keras 1.2.2 ``fit`` call order."""
import csv
import json
import re
import threading
import urllib.parse
import warnings
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest

from tinygrad_keras import backend as K
from tinygrad_keras import callbacks as cbks
from tinygrad_keras.utils import generic_utils


class FakeOptimizer:
    def __init__(self, lr=0.1):
        self.lr = K.variable(lr)


class FakeModel:
    """What callbacks touch on a model: optimizer.lr, stop_training, save, save_weights."""

    def __init__(self, lr=0.1):
        self.optimizer = FakeOptimizer(lr)
        self.stop_training = False
        self.saved = []

    def save_weights(self, filepath, overwrite=True):
        self.saved.append(("weights", filepath, overwrite))

    def save(self, filepath, overwrite=True):
        self.saved.append(("model", filepath, overwrite))


def run_fit(callbacks, model, batch_logs, val_logs=None, nb_epoch=3, nb_sample=10,
            batch_size=4, verbose=0, metrics=("loss", "acc"), initial_epoch=0):
    """Drive callbacks exactly as the 1.2.2 fit loop does; returns the History.

    ``batch_logs(epoch, batch) -> {'loss': .., 'acc': ..}``; ``val_logs(epoch) -> dict``.
    """
    labels = list(metrics) + (["val_" + m for m in metrics] if val_logs else [])
    history = cbks.History()
    chain = [cbks.BaseLogger()] + list(callbacks) + [history]
    if verbose:
        chain.append(cbks.ProgbarLogger())
    clist = cbks.CallbackList(chain)
    clist.set_model(model)
    clist.set_params({"batch_size": batch_size, "nb_epoch": nb_epoch, "nb_sample": nb_sample,
                      "verbose": verbose, "do_validation": bool(val_logs), "metrics": labels})
    model.stop_training = False
    clist.on_train_begin()
    for epoch in range(initial_epoch, nb_epoch):
        clist.on_epoch_begin(epoch)
        starts = range(0, nb_sample, batch_size)
        for i, start in enumerate(starts):
            size = min(nb_sample, start + batch_size) - start
            logs = {"batch": i, "size": size}
            clist.on_batch_begin(i, logs)
            logs.update(batch_logs(epoch, i))
            clist.on_batch_end(i, logs)
        epoch_logs = dict(val_logs(epoch)) if val_logs else {}
        clist.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break
    clist.on_train_end()
    return history


def const_logs(epoch, batch):
    return {"loss": 1.0 + batch, "acc": 0.5}


# ---- BaseLogger, History, ProgbarLogger --------------------------------------------------
def test_history_holds_size_weighted_epoch_means():
    history = run_fit([], FakeModel(), const_logs, val_logs=lambda e: {"val_loss": 0.1 * e,
                                                                       "val_acc": 0.9})
    # batches of 4, 4, 2 with losses 1, 2, 3 -> (4 + 8 + 6) / 10
    assert history.history["loss"] == pytest.approx([1.8] * 3)
    assert history.history["acc"] == pytest.approx([0.5] * 3)
    assert history.history["val_loss"] == pytest.approx([0.0, 0.1, 0.2])
    assert history.epoch == [0, 1, 2]
    assert set(history.history) == {"loss", "acc", "val_loss", "val_acc"}
    assert history.params["nb_sample"] == 10


def test_progbar_logger_verbose_2_text(capsys):
    run_fit([], FakeModel(), const_logs, val_logs=lambda e: {"val_loss": 0.25, "val_acc": 0.75},
            nb_epoch=2, verbose=2)
    assert capsys.readouterr().out == (
        "Epoch 1/2\n0s - loss: 1.8000 - acc: 0.5000 - val_loss: 0.2500 - val_acc: 0.7500\n"
        "Epoch 2/2\n0s - loss: 1.8000 - acc: 0.5000 - val_loss: 0.2500 - val_acc: 0.7500\n")


def test_progbar_logger_verbose_1_final_line_shows_epoch_means(capsys):
    run_fit([], FakeModel(), const_logs, nb_epoch=1, verbose=1, initial_epoch=0)
    out = capsys.readouterr().out
    assert out == "Epoch 1/1\n10/10 [" + "=" * 30 + "] - 0s - loss: 1.8000 - acc: 0.5000\n"


def test_progbar_logger_epoch_numbers_start_at_initial_epoch(capsys):
    run_fit([], FakeModel(), const_logs, nb_epoch=5, verbose=2, initial_epoch=3)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 4/5" and lines[2] == "Epoch 5/5"


def test_progbar_logger_live_on_a_terminal(monkeypatch):
    class Terminal:
        def __init__(self):
            self.parts = []

        def write(self, s):
            self.parts.append(s)

        def flush(self):
            pass

        def isatty(self):
            return True
    term = Terminal()
    monkeypatch.setattr("sys.stdout", term)
    ticks = iter(np.arange(1000.0, 1100.0, 1.0))
    monkeypatch.setattr(generic_utils, "_clock", lambda: next(ticks))
    run_fit([], FakeModel(), const_logs, nb_epoch=1, verbose=1)
    text = "".join(term.parts)
    assert " 4/10 [===========>..................] - ETA: 1s - loss: 1.0000" in text
    assert " 8/10 [=======================>......] - ETA: 0s - loss: 1.5000" in text
    # the final line is shorter than the ETA line before it, so it is padded with spaces
    assert re.search(r"\r10/10 \[={30}\] - 3s - loss: 1\.8000 - acc: 0\.5000 +\n$", text)
    assert "\b" in text and "\r" in text


# ---- ModelCheckpoint --------------------------------------------------------------------
def test_checkpoint_formats_zero_based_epoch_and_logs(tmp_path, capsys):
    model = FakeModel()
    path = str(tmp_path / "w.{epoch:02d}-{val_loss:.2f}.h5")
    cb = cbks.ModelCheckpoint(path, verbose=1, save_weights_only=True)
    run_fit([cb], model, const_logs, val_logs=lambda e: {"val_loss": 1.0 / (e + 1)})
    names = [p.split("/")[-1] for _, p, _ in model.saved]
    assert names == ["w.00-1.00.h5", "w.01-0.50.h5", "w.02-0.33.h5"]
    assert all(kind == "weights" and overwrite for kind, _, overwrite in model.saved)
    assert "Epoch 00001: saving model to " + str(tmp_path / "w.01-0.50.h5") in capsys.readouterr().out


def test_checkpoint_filepath_key_missing_from_logs():
    cb = cbks.ModelCheckpoint("w.{epoch:02d}-{val_loss:.2f}.h5")
    with pytest.raises(KeyError, match=r"uses \{val_loss\}, but the epoch logs only have \['acc', 'loss'\]"):
        run_fit([cb], FakeModel(), const_logs, nb_epoch=1)


def test_checkpoint_save_best_only_min_and_messages(capsys):
    model = FakeModel()
    losses = [0.5, 0.7, 0.5, 0.2]
    cb = cbks.ModelCheckpoint("m.h5", verbose=1, save_best_only=True)
    run_fit([cb], model, const_logs, val_logs=lambda e: {"val_loss": losses[e]}, nb_epoch=4)
    assert [kind for kind, _, _ in model.saved] == ["model", "model"]  # epochs 0 and 3
    out = capsys.readouterr().out.splitlines()
    assert out == ["Epoch 00000: val_loss improved from inf to 0.50000, saving model to m.h5",
                   "Epoch 00001: val_loss did not improve",
                   "Epoch 00002: val_loss did not improve",
                   "Epoch 00003: val_loss improved from 0.50000 to 0.20000, saving model to m.h5"]


def test_checkpoint_auto_mode_maximises_accuracy_and_period():
    model = FakeModel()
    accs = [0.5, 0.6, 0.55, 0.9, 0.95, 0.1]
    cb = cbks.ModelCheckpoint("m.h5", monitor="val_acc", save_best_only=True, period=2)
    run_fit([cb], model, const_logs, val_logs=lambda e: {"val_acc": accs[e]}, nb_epoch=6)
    assert cb.best == 0.9  # checked at epochs 1, 3, 5 only
    assert len(model.saved) == 2


def test_checkpoint_warns_without_monitored_value_and_on_bad_mode():
    with pytest.warns(RuntimeWarning, match="unknown"):
        cb = cbks.ModelCheckpoint("m.h5", save_best_only=True, mode="sideways")
    model = FakeModel()
    with pytest.warns(RuntimeWarning, match="val_loss available"):
        run_fit([cb], model, const_logs, nb_epoch=1)
    assert model.saved == []


# ---- EarlyStopping ----------------------------------------------------------------------
def test_early_stopping_stops_on_patience_plus_one_bad_epoch(capsys):
    model = FakeModel()
    losses = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95]
    cb = cbks.EarlyStopping(patience=2, verbose=1)
    history = run_fit([cb], model, const_logs, val_logs=lambda e: {"val_loss": losses[e]},
                      nb_epoch=7)
    assert history.epoch == [0, 1, 2, 3, 4]
    assert cb.stopped_epoch == 4
    assert capsys.readouterr().out == "Epoch 00004: early stopping\n"


def test_early_stopping_min_delta_and_max_mode():
    model = FakeModel()
    accs = [0.5, 0.505, 0.509, 0.6]
    cb = cbks.EarlyStopping(monitor="val_acc", min_delta=0.01, patience=1)
    history = run_fit([cb], model, const_logs, val_logs=lambda e: {"val_acc": accs[e]}, nb_epoch=4)
    assert history.epoch == [0, 1, 2]  # 0.505 and 0.509 are not 0.01 better than 0.5
    cb2 = cbks.EarlyStopping(patience=0)
    history2 = run_fit([cb2], model, const_logs, val_logs=lambda e: {"val_loss": 1.0}, nb_epoch=4)
    assert history2.epoch == [0, 1]  # reusable: state reset in on_train_begin


# ---- learning-rate callbacks --------------------------------------------------------------
def test_learning_rate_scheduler_uses_zero_based_epochs():
    model = FakeModel()
    seen = []

    def schedule(epoch):
        seen.append(epoch)
        return 0.1 / (epoch + 1)
    lrs = []
    record = cbks.LambdaCallback(on_epoch_end=lambda e, logs: lrs.append(K.get_value(model.optimizer.lr)))
    run_fit([cbks.LearningRateScheduler(schedule), record], model, const_logs)
    assert seen == [0, 1, 2]
    np.testing.assert_allclose(lrs, [0.1, 0.05, 0.1 / 3], rtol=1e-6)


def test_learning_rate_scheduler_rejects_non_float():
    with pytest.raises(ValueError, match="should be float"):
        run_fit([cbks.LearningRateScheduler(lambda e: 1)], FakeModel(), const_logs)


def test_reduce_lr_on_plateau_patience_cooldown_min_lr(capsys):
    model = FakeModel(lr=1.0)
    cb = cbks.ReduceLROnPlateau(factor=0.5, patience=1, cooldown=1, min_lr=0.2, verbose=1)
    history = run_fit([cb], model, const_logs, val_logs=lambda e: {"val_loss": 1.0}, nb_epoch=8)
    # 1.2.2 counting: 0 improves; 1 waits; 2 reduces (then wait becomes 1 at once);
    # 3 is the cooldown epoch (wait reset to 0, then 1); 4 reduces; 5 cooldown; 6 reduces
    # to max(0.125, min_lr=0.2).  Logged lr is the value before that epoch's reduction.
    np.testing.assert_allclose(history.history["lr"], [1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.2])
    assert capsys.readouterr().out == ("\nEpoch 00002: reducing learning rate to 0.5.\n"
                                       "\nEpoch 00004: reducing learning rate to 0.25.\n"
                                       "\nEpoch 00006: reducing learning rate to 0.2.\n")
    model2 = FakeModel(lr=0.25)
    cb2 = cbks.ReduceLROnPlateau(factor=0.1, patience=0, min_lr=0.2)
    run_fit([cb2], model2, const_logs, val_logs=lambda e: {"val_loss": 1.0}, nb_epoch=4)
    assert K.get_value(model2.optimizer.lr) == pytest.approx(0.2)  # never below min_lr


def test_reduce_lr_on_plateau_rejects_factor_one():
    with pytest.raises(ValueError, match="factor >= 1.0"):
        cbks.ReduceLROnPlateau(factor=1.0)


# ---- CSVLogger, LambdaCallback ---------------------------------------------------------------
def test_csv_logger_rows_and_append(tmp_path):
    path = str(tmp_path / "log.csv")
    run_fit([cbks.CSVLogger(path)], FakeModel(), const_logs, nb_epoch=2)
    run_fit([cbks.CSVLogger(path, append=True)], FakeModel(), const_logs, nb_epoch=1)
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["epoch", "acc", "loss"]
    assert [r[0] for r in rows[1:]] == ["0", "1", "0"]  # one header only
    assert float(rows[1][2]) == pytest.approx(1.8)


def test_csv_logger_separator_and_iterables(tmp_path):
    path = str(tmp_path / "log.tsv")
    logger = cbks.CSVLogger(path, separator="\t")
    logger.on_train_begin()
    logger.on_epoch_end(0, {"loss": 0.5, "hist": np.array([1, 2])})
    logger.on_train_end()
    with open(path) as f:
        lines = f.read().splitlines()
    assert lines[0] == "epoch\thist\tloss"
    assert lines[1].split("\t")[1] == '"""[1, 2]"""'  # the 1.2.2 text, quoted by csv


def test_lambda_callback_calls_in_fit_order():
    events = []
    cb = cbks.LambdaCallback(
        on_train_begin=lambda logs: events.append("train_begin"),
        on_epoch_begin=lambda e, logs: events.append(("epoch_begin", e)),
        on_batch_begin=lambda b, logs: events.append(("batch_begin", b, logs["size"])),
        on_batch_end=lambda b, logs: events.append(("batch_end", b, logs["loss"])),
        on_epoch_end=lambda e, logs: events.append(("epoch_end", e, sorted(logs))),
        on_train_end=lambda logs: events.append("train_end"), note="extra")
    assert cb.note == "extra"
    run_fit([cb], FakeModel(), const_logs, nb_epoch=1, nb_sample=6, batch_size=4)
    assert events == ["train_begin", ("epoch_begin", 0), ("batch_begin", 0, 4),
                      ("batch_end", 0, 1.0), ("batch_begin", 1, 2), ("batch_end", 1, 2.0),
                      ("epoch_end", 0, ["acc", "loss"]), "train_end"]


def test_stop_training_from_a_callback_ends_fit():
    model = FakeModel()
    stopper = cbks.LambdaCallback(on_epoch_end=lambda e, logs: setattr(model, "stop_training", e == 1))
    assert run_fit([stopper], model, const_logs, nb_epoch=5).epoch == [0, 1]


# ---- RemoteMonitor against a local server, TensorBoard ----------------------------------------
def test_remote_monitor_posts_each_epoch():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            received.append((self.path, urllib.parse.parse_qs(body)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass
    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        root = "http://127.0.0.1:%d" % server.server_port
        run_fit([cbks.RemoteMonitor(root=root)], FakeModel(), const_logs, nb_epoch=2,
                val_logs=lambda e: {"val_loss": np.float32(0.5)})
    finally:
        server.shutdown()
        server.server_close()
    assert [path for path, _ in received] == ["/publish/epoch/end/"] * 2
    sent = json.loads(received[1][1]["data"][0])
    assert sent["epoch"] == 1 and sent["val_loss"] == 0.5 and sent["loss"] == pytest.approx(1.8)


def test_remote_monitor_unreachable_only_warns():
    server = HTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_port
    server.server_close()  # nothing listens there any more
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cbks.RemoteMonitor(root="http://127.0.0.1:%d" % port).on_epoch_end(0, {"loss": 1.0})
    assert any("could not reach RemoteMonitor" in str(w.message) for w in caught)


def test_tensorboard_says_it_needs_tensorflow():
    with pytest.raises(RuntimeError, match="TensorFlow backend"):
        cbks.TensorBoard()


# ---- with the real training loop ---------------------------------------------------------
def test_callbacks_in_a_real_fit(tmp_path, capsys):
    from tinygrad_keras.layers import Dense
    from tinygrad_keras.models import Sequential
    from tinygrad_keras.optimizers import SGD
    rng = np.random.RandomState(0)
    x, y = rng.rand(20, 3).astype("float32"), rng.rand(20, 1).astype("float32")
    model = Sequential([Dense(1, input_dim=3)])
    model.compile(SGD(lr=0.1), "mse")
    path = str(tmp_path / "log.csv")
    # lr 0 from epoch 1 on: the loss stops improving, so patience 0 stops after epoch 2
    schedule = cbks.LearningRateScheduler(lambda e: 0.1 if e == 0 else 0.0)
    stop = cbks.EarlyStopping(monitor="loss", patience=0, verbose=1)
    history = model.fit(x, y, batch_size=8, nb_epoch=10, verbose=2,
                        callbacks=[schedule, stop, cbks.CSVLogger(path)])
    assert history.epoch == [0, 1, 2] and set(history.history) == {"loss"}
    out = capsys.readouterr().out
    assert re.fullmatch(r"(Epoch [123]/10\n\d+s - loss: \d\.\d{4}\n){3}Epoch 00002: early stopping\n", out)
    with open(path) as f:
        assert len(f.read().splitlines()) == 4
