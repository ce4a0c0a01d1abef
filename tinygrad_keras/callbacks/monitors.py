"""Callbacks that watch a logged quantity: checkpoints, early stopping, learning-rate control."""
from __future__ import annotations

import warnings

import numpy as np

from .. import backend as K
from .base import Callback


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
        try:
            filepath = self.filepath.format(epoch=epoch, **logs)
        except KeyError as e:
            raise KeyError(f"ModelCheckpoint filepath {self.filepath!r} uses {{{e.args[0]}}}, "
                           f"but the epoch logs only have {sorted(logs)} (and 'epoch'); "
                           "val_* keys need validation data") from None
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
            raise ValueError('The output of the "schedule" function should be float, '  # noqa: TRY004 - 1.2.2 raises ValueError
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
