"""``fit_generator``/``evaluate_generator``/``predict_generator`` (Keras 1.2.2 arguments).

The generator is read in this thread, one batch at a time: ``max_q_size``,
``nb_worker`` and ``pickle_safe`` are accepted for compatibility and do not
start workers (a numpy model trains in one thread anyway; a queue would only
make a run harder to reproduce).  An epoch ends once ``samples_per_epoch``
samples were seen.
"""
from __future__ import annotations

import warnings

import numpy as np


def _split_batch(output, where: str) -> tuple:
    """``(x, y, sample_weight)`` from a generator item of 2 or 3 elements."""
    if not isinstance(output, tuple) or len(output) not in (2, 3):
        raise ValueError(f"{where}: the output of the generator should be a tuple (x, y, "
                         f"sample_weight) or (x, y). Found: {str(output)[:200]}")
    return output if len(output) == 3 else (output[0], output[1], None)


def _batch_len(x) -> int:
    if isinstance(x, dict):
        return len(next(iter(x.values())))
    if isinstance(x, (list, tuple)):
        return len(x[0])
    return len(x)


class GeneratorMethods:
    """Mixed into ``Model``: the generator forms of fit/evaluate/predict."""

    def fit_generator(self, generator, samples_per_epoch, nb_epoch, verbose=1, callbacks=None,
                      validation_data=None, nb_val_samples=None, class_weight=None,
                      max_q_size=10, nb_worker=1, pickle_safe=False, initial_epoch=0):
        """Train on batches yielded by ``generator``; returns the ``History``."""
        from . import compile_utils as C
        self._check_compiled()
        val_gen = hasattr(validation_data, "__next__")
        if val_gen and not nb_val_samples:
            raise ValueError("When using a generator for validation data, you must specify a "
                             "value for `nb_val_samples`.")
        val_ins = None
        if validation_data is not None and not val_gen:
            val_ins = self._validation_ins(validation_data, None)
        labels = C.deduplicate(self.metrics_names)
        do_validation = validation_data is not None
        callback_list = self._make_callbacks(callbacks, verbose)
        callback_list.set_params({"nb_epoch": nb_epoch, "nb_sample": samples_per_epoch,
                                  "verbose": verbose, "do_validation": do_validation,
                                  "metrics": labels + (["val_" + la for la in labels]
                                                       if do_validation else [])})
        self.stop_training = False
        callback_list.on_train_begin()
        for epoch in range(initial_epoch, nb_epoch):
            callback_list.on_epoch_begin(epoch)
            seen, batch_index, last_size = 0, 0, 32
            while seen < samples_per_epoch:
                x, y, sw = _split_batch(next(generator), "fit_generator")
                last_size = _batch_len(x)
                batch_logs = {"batch": batch_index, "size": last_size}
                callback_list.on_batch_begin(batch_index, batch_logs)
                outs = self.train_on_batch(x, y, sample_weight=sw, class_weight=class_weight)
                batch_logs.update(zip(labels, np.atleast_1d(outs).tolist()))
                callback_list.on_batch_end(batch_index, batch_logs)
                seen += last_size
                batch_index += 1
            if seen > samples_per_epoch:
                warnings.warn("Epoch comprised more than `samples_per_epoch` samples, which "
                              "might affect learning results. Set `samples_per_epoch` "
                              "correctly to avoid this warning.")
            epoch_logs = {}
            if do_validation:
                if val_gen:
                    val_outs = self.evaluate_generator(validation_data, nb_val_samples)
                else:
                    val_outs = self._test_loop(val_ins, last_size, verbose=0)
                epoch_logs.update(("val_" + la, v) for la, v in
                                  zip(labels, np.atleast_1d(val_outs).tolist()))
            callback_list.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        callback_list.on_train_end()
        return self.history

    def evaluate_generator(self, generator, val_samples, max_q_size=10, nb_worker=1,
                           pickle_safe=False):
        """Sample-count-weighted averages of ``test_on_batch`` until ``val_samples`` seen."""
        self._check_compiled()
        seen, totals = 0, None
        while seen < val_samples:
            x, y, sw = _split_batch(next(generator), "evaluate_generator")
            n = _batch_len(x)
            outs = np.atleast_1d(self.test_on_batch(x, y, sample_weight=sw)) * n
            totals = outs if totals is None else totals + outs
            seen += n
        averages = (totals / seen).tolist()
        return averages[0] if len(averages) == 1 else averages

    def predict_generator(self, generator, val_samples, max_q_size=10, nb_worker=1,
                          pickle_safe=False):
        """Predictions for the first ``val_samples`` samples the generator yields."""
        seen, chunks = 0, None
        while seen < val_samples:
            item = next(generator)
            x = item[0] if isinstance(item, tuple) and len(item) in (2, 3) else item
            outs = self.predict_on_batch(x)
            outs = outs if isinstance(outs, list) else [outs]
            chunks = [[o] for o in outs] if chunks is None else [c + [o] for c, o in
                                                                  zip(chunks, outs)]
            seen += len(outs[0])
        result = [np.concatenate(c, axis=0)[:val_samples] for c in chunks]
        return result[0] if len(result) == 1 else result
