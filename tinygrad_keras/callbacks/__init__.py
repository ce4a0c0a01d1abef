"""Callbacks: objects the training loop calls at fixed points of ``fit`` (Keras 1.2.2).

``fit`` builds ``CallbackList([BaseLogger()] + callbacks + [History()] +
[ProgbarLogger()] if verbose)``, then calls ``set_params``, ``set_model``,
``on_train_begin``; per epoch ``on_epoch_begin(epoch)``, per batch
``on_batch_begin(i, {'batch': i, 'size': n})`` and ``on_batch_end(i, logs)``,
then ``on_epoch_end(epoch, logs)``; finally ``on_train_end()``.  Epoch numbers
given to callbacks are 0-based (only the printed ``Epoch k/N`` is 1-based).
"""
from .base import BaseLogger, Callback, CallbackList, History, ProgbarLogger
from .inspection import GradientNormLogger, WeightNormLogger  # noqa: F401
from .loggers import CSVLogger, LambdaCallback, RemoteMonitor, TensorBoard
from .monitors import EarlyStopping, LearningRateScheduler, ModelCheckpoint, ReduceLROnPlateau

__all__ = [
           "BaseLogger",
           "CSVLogger",
           "Callback",
           "CallbackList",
           "EarlyStopping",
           "History",
           "LambdaCallback",
           "LearningRateScheduler",
           "ModelCheckpoint",
           "ProgbarLogger",
           "ReduceLROnPlateau",
           "RemoteMonitor",
           "TensorBoard",
]
