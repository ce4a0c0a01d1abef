"""Callbacks that send the epoch logs elsewhere: CSV file, your functions, an HTTP server."""
from __future__ import annotations

import csv
import json
import os
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Iterable

import numpy as np

from .. import backend as K
from .base import Callback


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
            self.csv_file = open(self.filename, "a", newline="")  # noqa: SIM115 - kept open for the fit
        else:
            self.csv_file = open(self.filename, "w", newline="")  # noqa: SIM115 - as above

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
        two_args = lambda a, logs: None
        one_arg = lambda logs: None
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
