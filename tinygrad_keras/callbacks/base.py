"""The callback protocol and the callbacks ``fit`` adds itself (Keras 1.2.2).

``fit`` builds ``CallbackList([BaseLogger()] + callbacks + [History()] +
[ProgbarLogger()] if verbose)``, then calls ``set_params``, ``set_model``,
``on_train_begin``; per epoch ``on_epoch_begin(epoch)``, per batch
``on_batch_begin(i, {'batch': i, 'size': n})`` and ``on_batch_end(i, logs)``,
then ``on_epoch_end(epoch, logs)``; finally ``on_train_end()``.  Epoch numbers
given to callbacks are 0-based (only the printed ``Epoch k/N`` is 1-based).
"""
from __future__ import annotations

import time
import warnings
from collections import deque

import numpy as np

from ..utils.generic_utils import Progbar


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
