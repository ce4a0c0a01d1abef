"""Callbacks: objects the training loop calls at fixed points of ``fit`` (Keras 1.2.2).

``fit`` builds ``CallbackList([BaseLogger()] + callbacks + [History()] +
[ProgbarLogger()] if verbose)``, then calls ``set_params``, ``set_model``,
``on_train_begin``; per epoch ``on_epoch_begin(epoch)``, per batch
``on_batch_begin(i, {'batch': i, 'size': n})`` and ``on_batch_end(i, logs)``,
then ``on_epoch_end(epoch, logs)``; finally ``on_train_end()``.  Epoch numbers
given to callbacks are 0-based (only the printed ``Epoch k/N`` is 1-based).
"""
from __future__ import annotations

import csv
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections import deque
from collections.abc import Iterable

import numpy as np

from . import backend as K
from .utils.generic_utils import Progbar


class Callback:
    """Base class: every hook does nothing.  ``self.params`` and ``self.model`` are set by fit."""

    def __init__(self):
        self.params: dict = {}
        self.model = None

    def set_params(self, params: dict) -> None:
        self.params = params

    def set_model(self, model) -> None:
        self.model = model

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass


class CallbackList:
    """Calls each callback in order; warns when batch hooks are slow compared to the batch."""

    def __init__(self, callbacks=None, queue_length: int = 10):
        self.callbacks = list(callbacks or [])
        self.queue_length = queue_length
        self._reset_timing()

    def _reset_timing(self) -> None:
        self._delta_t_batch = 0.0
        self._t_enter_batch = time.time()
        self._delta_ts_batch_begin: deque = deque([], maxlen=self.queue_length)
        self._delta_ts_batch_end: deque = deque([], maxlen=self.queue_length)

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)

    def set_params(self, params: dict) -> None:
        for callback in self.callbacks:
            callback.set_params(params)

    def set_model(self, model) -> None:
        for callback in self.callbacks:
            callback.set_model(model)

    def on_epoch_begin(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)
        self._reset_timing()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def _warn_if_slow(self, times: deque, hook: str) -> None:
        # Same rule as 1.2.2: median hook time above 95% of the batch time and above 0.1 s.
        median = float(np.median(times))
        if self._delta_t_batch > 0.0 and median > 0.95 * self._delta_t_batch and median > 0.1:
            warnings.warn("Method %s() is slow compared to the batch update (%f). "
                          "Check your callbacks." % (hook, median))

    def on_batch_begin(self, batch, logs=None):
        logs = logs if logs is not None else {}
        started = time.time()
        for callback in self.callbacks:
            callback.on_batch_begin(batch, logs)
        self._delta_ts_batch_begin.append(time.time() - started)
        self._warn_if_slow(self._delta_ts_batch_begin, "on_batch_begin")
        self._t_enter_batch = time.time()

    def on_batch_end(self, batch, logs=None):
        logs = logs if logs is not None else {}
        self._delta_t_batch = time.time() - self._t_enter_batch
        started = time.time()
        for callback in self.callbacks:
            callback.on_batch_end(batch, logs)
        self._delta_ts_batch_end.append(time.time() - started)
        self._warn_if_slow(self._delta_ts_batch_end, "on_batch_end")

    def on_train_begin(self, logs=None):
        logs = logs if logs is not None else {}
        for callback in self.callbacks:
            callback.on_train_begin(logs)

    def on_train_end(self, logs=None):
        logs = logs if logs is not None else {}
        for callback in self.callbacks:
            callback.on_train_end(logs)


class BaseLogger(Callback):
    """Writes the size-weighted epoch mean of every ``params['metrics']`` key into the epoch logs.

    Added first by ``fit``, so later callbacks see the train means.
    """

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        self.totals: dict = {}

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        size = logs.get("size", 0)
        self.seen += size
        for key, value in logs.items():
            if key not in ("batch", "size"):
                self.totals[key] = self.totals.get(key, 0) + value * size

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        for key in self.params.get("metrics", []):
            if key in self.totals:
                logs[key] = self.totals[key] / self.seen


class ProgbarLogger(Callback):
    """Prints ``Epoch k/N`` and the progress bar (verbose 1) or one line per epoch (verbose 2).

    The last batch of an epoch is not drawn; ``on_epoch_end`` draws the final
    line with the epoch logs appended (so train values shown are the epoch means
    and ``val_*`` appear), forced past the throttle, as in 1.2.2.
    """

    def on_train_begin(self, logs=None):
        self.verbose = self.params["verbose"]
        self.nb_epoch = self.params["nb_epoch"]

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose:
            print("Epoch %d/%d" % (epoch + 1, self.nb_epoch))
            self.progbar = Progbar(target=self.params["nb_sample"], verbose=self.verbose)
        self.seen = 0
        self.log_values: list = []

    def on_batch_begin(self, batch, logs=None):
        if self.seen < self.params["nb_sample"]:
            self.log_values = []

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        self.seen += logs.get("size", 0)
        self.log_values += [(k, logs[k]) for k in self.params["metrics"] if k in logs]
        if self.verbose and self.seen < self.params["nb_sample"]:
            self.progbar.update(self.seen, self.log_values)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.log_values += [(k, logs[k]) for k in self.params["metrics"] if k in logs]
        if self.verbose:
            self.progbar.update(self.seen, self.log_values, force=True)


class History(Callback):
    """Records ``epoch`` (list of indices) and ``history`` (``{key: [value per epoch]}``)."""

    def on_train_begin(self, logs=None):
        self.epoch: list = []
        self.history: dict = {}

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


def _monitor_op(monitor: str, mode: str, owner: str):
    """``np.greater`` or ``np.less``: 'auto' maximises accuracies and fmeasure, else minimises."""
    if mode not in ("auto", "min", "max"):
        warnings.warn("%s mode %s is unknown, fallback to auto mode." % (owner, mode),
                      RuntimeWarning)
        mode = "auto"
    if mode == "max" or (mode == "auto" and ("acc" in monitor or monitor.startswith("fmeasure"))):
        return np.greater
    return np.less


class ModelCheckpoint(Callback):
    """Save the model (or only its weights) every ``period`` epochs.

    ``filepath`` may hold ``{epoch}`` (0-based) and any epoch-log key, e.g.
    ``'weights.{epoch:02d}-{val_loss:.2f}.hdf5'``.  With ``save_best_only`` a
    file is written only when ``monitor`` strictly improves.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", period=1):
        super().__init__()
        self.filepath = filepath
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.period = period
        self.epochs_since_last_save = 0
        self.monitor_op = _monitor_op(monitor, mode, "ModelCheckpoint")
        self.best = -np.inf if self.monitor_op is np.greater else np.inf

    def _save(self, filepath: str) -> None:
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epochs_since_last_save += 1
        if self.epochs_since_last_save < self.period:
            return
        self.epochs_since_last_save = 0
        filepath = self.filepath.format(epoch=epoch, **logs)
        if not self.save_best_only:
            if self.verbose > 0:
                print("Epoch %05d: saving model to %s" % (epoch, filepath))
            self._save(filepath)
            return
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn("Can save best model only with %s available, skipping."
                          % self.monitor, RuntimeWarning)
        elif self.monitor_op(current, self.best):
            if self.verbose > 0:
                print("Epoch %05d: %s improved from %0.5f to %0.5f, saving model to %s"
                      % (epoch, self.monitor, self.best, current, filepath))
            self.best = current
            self._save(filepath)
        elif self.verbose > 0:
            print("Epoch %05d: %s did not improve" % (epoch, self.monitor))


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    Training stops at the end of the (patience+1)-th consecutive epoch without
    improvement (1.2.2 counting).
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto"):
        super().__init__()
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.wait = 0
        self.stopped_epoch = 0
        self.monitor_op = _monitor_op(monitor, mode, "EarlyStopping")
        # Shift the current value against the direction of improvement.
        self.min_delta = min_delta if self.monitor_op is np.greater else -min_delta
        self.best = -np.inf if self.monitor_op is np.greater else np.inf

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = -np.inf if self.monitor_op is np.greater else np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn("Early stopping requires %s available!" % self.monitor, RuntimeWarning)
            return
        if self.monitor_op(current - self.min_delta, self.best):
            self.best = current
            self.wait = 0
            return
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True
        self.wait += 1

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print("Epoch %05d: early stopping" % self.stopped_epoch)


class LearningRateScheduler(Callback):
    """At each epoch start set ``model.optimizer.lr`` to ``schedule(epoch)`` (0-based, a float)."""

    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self.model.optimizer, "lr"):
            raise ValueError('Optimizer must have a "lr" attribute.')
        lr = self.schedule(epoch)
        if not isinstance(lr, (float, np.float32, np.float64)):
            raise ValueError('The output of the "schedule" function should be float, '
                             "got %r (%s) for epoch %d." % (lr, type(lr).__name__, epoch))
        K.set_value(self.model.optimizer.lr, lr)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` once ``monitor`` stalls for ``patience`` epochs.

    Improvement means better than the best by more than ``epsilon``.  After a
    reduction ``cooldown`` epochs pass before counting again; the rate never
    goes below ``min_lr``.  Adds ``logs['lr']`` every epoch (so History has it).
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 epsilon=1e-4, cooldown=0, min_lr=0):
        super().__init__()
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0 (got %r)."
                             % factor)
        self.monitor = monitor
        self.factor = factor
        self.min_lr = min_lr
        self.epsilon = epsilon
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.mode = mode
        self._reset()

    def _reset(self) -> None:
        if self.mode not in ("auto", "min", "max"):
            warnings.warn("Learning Rate Plateau Reducing mode %s is unknown, "
                          "fallback to auto mode." % self.mode, RuntimeWarning)
            self.mode = "auto"
        # Unlike the other callbacks, 1.2.2 'auto' here looks at 'acc' only (not fmeasure).
        if self.mode == "min" or (self.mode == "auto" and "acc" not in self.monitor):
            self.monitor_op = lambda a, b: np.less(a, b - self.epsilon)
            self.best = np.inf
        else:
            self.monitor_op = lambda a, b: np.greater(a, b + self.epsilon)
            self.best = -np.inf
        self.cooldown_counter = 0
        self.wait = 0
        self.lr_epsilon = self.min_lr * 1e-4

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["lr"] = K.get_value(self.model.optimizer.lr)[()]
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn("Learning Rate Plateau Reducing requires %s available!"
                          % self.monitor, RuntimeWarning)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            if self.wait >= self.patience:
                self._reduce(epoch)
            self.wait += 1

    def _reduce(self, epoch: int) -> None:
        old_lr = float(K.get_value(self.model.optimizer.lr))
        if old_lr > self.min_lr + self.lr_epsilon:
            new_lr = max(old_lr * self.factor, self.min_lr)
            K.set_value(self.model.optimizer.lr, new_lr)
            if self.verbose > 0:
                print("\nEpoch %05d: reducing learning rate to %s." % (epoch, new_lr))
            self.cooldown_counter = self.cooldown
            self.wait = 0


def _csv_cell(value):
    """Iterables (lists, arrays) become the text ``"[a, b]"`` as in 1.2.2; scalars pass."""
    is_scalar_array = isinstance(value, np.ndarray) and value.ndim == 0
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes)) and not is_scalar_array:
        return '"[%s]"' % ", ".join(map(str, value))
    return value


class CSVLogger(Callback):
    """Write one row per epoch to ``filename``: ``epoch`` then the sorted log keys."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = filename
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as f:
                    self.append_header = not f.readline()
            self.csv_file = open(self.filename, "a", newline="")
        else:
            self.csv_file = open(self.filename, "w", newline="")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.writer is None:
            self.keys = sorted(logs.keys())
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         delimiter=self.sep)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _csv_cell(logs[key])) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None:
            self.csv_file.close()
        self.writer = None


class LambdaCallback(Callback):
    """A callback from plain functions: ``f(epoch, logs)``, ``f(batch, logs)``, ``f(logs)``.

    Extra keyword arguments become attributes.
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None,
                 on_batch_end=None, on_train_begin=None, on_train_end=None, **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        two_args = lambda a, logs: None  # noqa: E731 - the default no-op hooks
        one_arg = lambda logs: None  # noqa: E731
        self.on_epoch_begin = on_epoch_begin or two_args
        self.on_epoch_end = on_epoch_end or two_args
        self.on_batch_begin = on_batch_begin or two_args
        self.on_batch_end = on_batch_end or two_args
        self.on_train_begin = on_train_begin or one_arg
        self.on_train_end = on_train_end or one_arg


def _json_ready(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


class RemoteMonitor(Callback):
    """POST ``{field: json.dumps({'epoch': e, **logs})}`` (form-encoded) to ``root + path``.

    Uses the standard library (1.2.2 needed ``requests``); an unreachable server
    only warns.
    """

    def __init__(self, root="http://localhost:9000", path="/publish/epoch/end/", field="data",
                 headers=None):
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers if headers is not None else {
            "Accept": "application/json", "Content-Type": "application/json"}

    def on_epoch_end(self, epoch, logs=None):
        send = {"epoch": epoch}
        send.update((k, _json_ready(v)) for k, v in (logs or {}).items())
        body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode("utf-8")
        request = urllib.request.Request(self.root + self.path, data=body,
                                         headers=self.headers, method="POST")
        try:
            urllib.request.urlopen(request, timeout=10).close()
        except (urllib.error.URLError, OSError):
            warnings.warn("Warning: could not reach RemoteMonitor root server at " + str(self.root))


class TensorBoard(Callback):
    """TensorBoard logging needs the TensorFlow backend (as in Keras 1.2.2 on Theano)."""

    def __init__(self, log_dir="./logs", histogram_freq=0, write_graph=True, write_images=False):
        super().__init__()
        raise RuntimeError("TensorBoard callback only works with the TensorFlow backend; "
                           "the backend here is %r. Use CSVLogger or History instead."
                           % K.backend())
