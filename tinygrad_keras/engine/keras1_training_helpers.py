"""The helper functions of Keras 1.2.2's ``keras/engine/training.py``, with its signatures.

Keras 1 code (custom training loops, ports of later features) imports these from
``keras.engine.training``.  The engine's own checks live in ``training_utils.py`` and
``compile_utils.py`` with the project's error messages; the functions here are the
1.2.2-shaped doors to them, plus the three that have no other home
(``collect_metrics``, ``weighted_objective``, ``GeneratorEnqueuer``).
"""
from __future__ import annotations

import copy
import multiprocessing
import queue
import threading
import time

import numpy as np

from ..autodiff import Tensor
from . import compile_utils as C
from . import training_utils as U
from .training_utils import batch_shuffle, make_batches, slice_X, standardize_weights

__all__ = ["GeneratorEnqueuer", "batch_shuffle", "check_array_lengths",
           "check_loss_and_target_compatibility", "collect_metrics", "make_batches", "slice_X",
           "standardize_class_weights", "standardize_input_data",
           "standardize_sample_or_class_weights", "standardize_sample_weights",
           "standardize_weights", "weighted_objective"]


def standardize_input_data(data, names, shapes=None, check_batch_axis=True,
                           exception_prefix="") -> list:
    """``data`` (array, list or dict by name) as one array per name, shapes checked."""
    return U.standardize_input_data(data, list(names), shapes, check_batch_dim=check_batch_axis,
                                    what=exception_prefix or "model input")


def standardize_sample_or_class_weights(x_weight, output_names, weight_type) -> list:
    """One sample/class weight (or None) per output, from a value, list or dict by name."""
    return U.per_output(x_weight, list(output_names), weight_type)


def standardize_class_weights(class_weight, output_names) -> list:
    return standardize_sample_or_class_weights(class_weight, output_names, "class_weight")


def standardize_sample_weights(sample_weight, output_names) -> list:
    return standardize_sample_or_class_weights(sample_weight, output_names, "sample_weight")


def check_array_lengths(inputs, targets, weights) -> None:
    """Raise a ValueError unless all arrays have the same number of samples."""
    U.check_array_lengths(list(inputs), list(targets), list(weights))


def check_loss_and_target_compatibility(targets, losses, output_shapes) -> None:
    """Raise a ValueError for integer labels with categorical_crossentropy and for targets
    whose shape cannot match the output under a same-shape loss."""
    names = [f"output {i}" for i in range(len(targets))]
    U.check_loss_and_target_compatibility(list(targets), list(losses), list(output_shapes),
                                          names)


def collect_metrics(metrics, output_names) -> list:
    """One list of metrics per output from ``metrics`` (a list for all, or a dict by name)."""
    if not metrics:
        return [[] for _ in output_names]
    if isinstance(metrics, list):
        return [copy.copy(metrics) for _ in output_names]
    if isinstance(metrics, dict):
        nested = []
        for name in output_names:
            wanted = metrics.get(name, [])
            nested.append(wanted if isinstance(wanted, list) else [wanted])
        return nested
    raise TypeError(f"Type of `metrics` argument not understood. Expected a list or "
                    f"dictionary, found: {metrics!r}")


def weighted_objective(fn):
    """``fn(y_true, y_pred)`` as ``weighted(y_true, y_pred, weights, mask=None)``.

    The per-sample scores are masked (rescaled by the mask's mean), averaged down to
    the rank of ``weights`` (``(B,)`` or ``(B, T)``; None means all ones), weighted,
    divided by the fraction of non-zero weights and averaged to a scalar Tensor.
    """
    def weighted(y_true, y_pred, weights, mask=None):
        y_true = y_true if isinstance(y_true, Tensor) else Tensor(np.asarray(y_true))
        y_pred = y_pred if isinstance(y_pred, Tensor) else Tensor(np.asarray(y_pred))
        if weights is None:
            weights = np.ones(y_pred.shape[:1])
        w = weights.data if isinstance(weights, Tensor) else np.asarray(weights)
        return C.weighted_loss(fn, y_true, y_pred, w, mask)
    weighted.__name__ = f"weighted_{getattr(fn, '__name__', 'objective')}"
    return weighted


class GeneratorEnqueuer:
    """Reads a data generator ahead into ``self.queue``, in threads or (``pickle_safe``)
    forked processes, as Keras 1.2.2's ``fit_generator`` did.

    >>> enqueuer = GeneratorEnqueuer(iter(range(100)))
    >>> enqueuer.start(nb_worker=1, max_q_size=4)
    >>> enqueuer.queue.get(timeout=5)
    0
    >>> enqueuer.stop()
    """

    def __init__(self, generator, pickle_safe=False):
        self._generator = generator
        self._pickle_safe = pickle_safe
        self._threads: list = []
        self._stop_event = None
        self.queue = None

    def _work(self, max_q_size: int, wait_time: float) -> None:
        while not self._stop_event.is_set():
            try:
                if self._pickle_safe or self.queue.qsize() < max_q_size:
                    self.queue.put(next(self._generator))
                else:
                    time.sleep(wait_time)
            except StopIteration:
                self._stop_event.set()
            except Exception:
                self._stop_event.set()
                raise

    def start(self, nb_worker=1, max_q_size=10, wait_time=0.05) -> None:
        """Start ``nb_worker`` readers that keep up to ``max_q_size`` items queued."""
        try:
            if self._pickle_safe:
                context = multiprocessing.get_context("fork")  # the generator is not picklable
                self.queue = context.Queue(maxsize=max_q_size)
                self._stop_event = context.Event()
            else:
                self.queue = queue.Queue()
                self._stop_event = threading.Event()
            for _ in range(nb_worker):
                if self._pickle_safe:
                    np.random.seed()  # else every child draws the same random numbers
                    worker = context.Process(target=self._work, args=(max_q_size, wait_time),
                                             daemon=True)
                else:
                    worker = threading.Thread(target=self._work, args=(max_q_size, wait_time),
                                              daemon=True)
                self._threads.append(worker)
                worker.start()
        except BaseException:
            self.stop()
            raise

    def is_running(self) -> bool:
        return self._stop_event is not None and not self._stop_event.is_set()

    def stop(self, timeout=None) -> None:
        """Stop the readers and wait for them (call from the thread that started them)."""
        if self.is_running():
            self._stop_event.set()
        for worker in self._threads:
            if worker.is_alive():
                if self._pickle_safe:
                    worker.terminate()
                else:
                    worker.join(timeout)
        if self._pickle_safe and self.queue is not None:
            self.queue.close()
        self._threads, self._stop_event, self.queue = [], None, None
