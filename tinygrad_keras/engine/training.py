"""``Model``: a Container that can be compiled, trained, evaluated and used to predict.

One training step (``train_on_batch`` and every batch of ``fit``):

1. learning phase 1 (dropout and noise on);
2. forward through the graph on Tensors made from the numpy batch;
3. total loss = sum of ``loss_weight * weighted loss`` per output + every layer penalty;
4. gradients cleared, ``loss.backward()``;
5. ``optimizer.update(params, constraints)`` with the trainable weights sorted by
   name at compile time; then learning phase 0.

``evaluate``/``predict`` run in phase 0 under ``no_grad``: no graph is built.
Semantics follow Keras 1.2.2 (spec section 4); generators live in
``training_generators.py``, data checks in ``training_utils.py``.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import backend as K
from ..autodiff import Tensor, enable_grad, no_grad
from ..autodiff.row_grad import clear_grads, without_grad
from . import compile_utils as C
from . import training_utils as U
from .bound_values import GraphNeeded, bind_values
from .container import Container
from .saving import SavingMixin
from .training_generators import GeneratorMethods
from .training_utils import slice_X


class Model(GeneratorMethods, SavingMixin, Container):
    """A functional model: ``Model(input=a, output=b)``; see :class:`Container`."""

    # ---- compile -------------------------------------------------------------------
    def compile(self, optimizer, loss, metrics=None, loss_weights=None,
                sample_weight_mode=None, **kwargs) -> None:
        """Choose optimizer, loss(es), metrics; collect the trainable weights (sorted)."""
        from .. import optimizers
        if kwargs:
            raise TypeError(f"compile() got unexpected keyword arguments {sorted(kwargs)}")
        self.optimizer = optimizers.get(optimizer)
        self.loss, self.loss_weights = loss, loss_weights
        self.sample_weight_mode = sample_weight_mode
        self.metrics = metrics
        names = self.output_names
        self.loss_functions = C.resolve_losses(loss, names)
        self._loss_weights = [float(w) for w in C.per_output_values(
            loss_weights, names, "loss_weights", default=1.0)]
        self._sample_weight_modes = C.per_output_values(sample_weight_mode, names,
                                                        "sample_weight_mode")
        shapes = [t._keras_shape for t in self.outputs]
        self._metrics = C.resolve_metrics(metrics, names, shapes, self.loss_functions)
        self.metrics_names = C.metrics_names(names, self._metrics)
        self._collected_trainable_weights = sorted(self.trainable_weights, key=lambda w: w.name
                                                   or "")
        self.built = True
        self._compiled = True
        self._checked_signature = None  # batches are checked in full again after compile

    def _check_compiled(self) -> None:
        if not getattr(self, "_compiled", False):
            raise RuntimeError("The model needs to be compiled before being used.")

    # ---- data ------------------------------------------------------------------------
    def _input_shapes(self) -> list:
        return [t._keras_shape for t in self.inputs]

    def _target_shapes(self) -> list:
        shapes = []
        for t, fn in zip(self.outputs, self.loss_functions):
            shape = t._keras_shape
            if getattr(fn, "__name__", "") == "sparse_categorical_crossentropy":
                shape = tuple(shape[:-1]) + (1,)
            shapes.append(shape if C.is_library_loss(fn) else None)
        return shapes

    def _standardize_x(self, x, check_batch_dim: bool = True) -> list:
        xs = U.standardize_input_data(x, self.input_names, self._input_shapes(),
                                      check_batch_dim, "model input", self)
        U.check_finite(xs, self.input_names, "model input")
        return xs

    def _standardize_user_data(self, x, y, sample_weight=None, class_weight=None,
                               check_batch_dim=True, batch_size=None) -> tuple:
        """``(xs, ys, weights)`` lists, checked against the model (spec 4.3)."""
        self._check_compiled()
        signature = _batch_signature(x, y, sample_weight, class_weight, check_batch_dim,
                                     batch_size)
        if signature is not None and signature == getattr(self, "_checked_signature", None):
            return self._restandardize(x, y)
        checked = self._standardize_checked(x, y, sample_weight, class_weight, check_batch_dim,
                                            batch_size)
        self._checked_signature = signature
        return checked

    def _restandardize(self, x, y) -> tuple:
        """The checks that depend on values only (finite data), for one x and one y whose
        shapes and dtypes passed every structural check on an earlier batch: a training
        loop of ``train_on_batch`` calls skips what cannot have changed."""
        xs = [x[:, None] if x.ndim == 1 else x]
        ys = [y[:, None] if y.ndim == 1 else y]
        U.check_finite(xs, self.input_names, "model input")
        U.check_finite(ys, self.output_names, "model target")
        ndim = 2 if self._sample_weight_modes[0] == "temporal" else 1  # checked before
        return xs, ys, [C.unit_weights(ys[0].shape[:ndim])]

    def _standardize_checked(self, x, y, sample_weight, class_weight, check_batch_dim,
                             batch_size) -> tuple:
        xs = self._standardize_x(x, check_batch_dim)
        ys = U.standardize_input_data(y, self.output_names, None, False, "model target")
        # the loss-specific advice (e.g. to_categorical) first, then the generic shape check
        U.check_loss_and_target_compatibility(ys, self.loss_functions,
                                              [t._keras_shape for t in self.outputs],
                                              self.output_names)
        U.standardize_input_data(ys, self.output_names, self._target_shapes(), False,
                                 "model target")
        U.check_finite(ys, self.output_names, "model target")
        sws = U.per_output(sample_weight, self.output_names, "sample_weight")
        cws = U.per_output(class_weight, self.output_names, "class_weight")
        weights = [U.standardize_weights(yy, sw, cw, mode) for yy, sw, cw, mode in
                   zip(ys, sws, cws, self._sample_weight_modes)]
        # no sample or class weights: the shared default (compile_utils.weighted_loss knows it)
        weights = [C.unit_weights(w.shape) if sw is None and not isinstance(cw, dict) else w
                   for w, sw, cw in zip(weights, sws, cws)]
        U.check_array_lengths(xs, ys, weights)
        if self.stateful and batch_size and len(xs[0]) % batch_size != 0:
            raise ValueError(f"In a stateful network, you should only pass inputs with a number "
                             f"of samples that can be divided by the batch size. Found: "
                             f"{len(xs[0])} samples. Batch size: {batch_size}.")
        return xs, ys, weights

    def _to_tensors(self, xs: list, requires_grad: bool = False) -> list:
        """Inputs as Tensors of their Input's dtype (floatx unless the Input says otherwise)."""
        tensors = []
        for x, layer in zip(xs, self.input_layers):
            dtype = np.dtype(getattr(layer, "input_dtype", None) or K.floatx())
            wants = requires_grad and dtype.kind == "f"
            tensors.append(Tensor(np.asarray(x, dtype=dtype), requires_grad=wants))
        return tensors

    # ---- one batch ---------------------------------------------------------------------
    def _loss_and_metrics(self, xs, ys, weights, training: bool) -> tuple:
        """Forward pass: ``(total_loss Tensor, [loss, per-output losses, metrics] floats)``.

        A loss that differentiates with respect to the model's inputs
        (``K.gradients(..., [model.input])``, a gradient penalty) needs the inputs
        to require grad and the graph recorded even when evaluating: the first
        batch finds out (``GraphNeeded``) and from then on the model runs that way."""
        if getattr(self, "_loss_needs_input_graph", False):
            with enable_grad():
                return self._scored_forward(xs, ys, weights, inputs_require_grad=True)
        try:
            return self._scored_forward(xs, ys, weights, inputs_require_grad=False)
        except GraphNeeded:
            self._loss_needs_input_graph = True
            return self._loss_and_metrics(xs, ys, weights, training)

    def _scored_forward(self, xs, ys, weights, inputs_require_grad: bool) -> tuple:
        outputs, masks = self.run_graph(self._to_tensors(xs, inputs_require_grad))
        bound, self._last_values = self._last_values, None
        with bind_values(bound):
            return self._score(outputs, masks, ys, weights)

    def _score(self, outputs, masks, ys, weights) -> tuple:
        """Weighted losses + penalties (a Tensor) and the logged floats for one batch."""
        total, per_output, y_tensors = None, [], []
        for out, mask, y, w, fn, lw in zip(outputs, masks, ys, weights, self.loss_functions,
                                           self._loss_weights):
            y_true = Tensor(np.asarray(y, dtype=out.dtype if out.dtype.kind == "f"
                                       else K.floatx()))
            y_tensors.append(y_true)
            value = C.weighted_loss(fn, y_true, out, w, mask)
            per_output.append(value)
            term = value * lw if lw != 1.0 else value
            total = term if total is None else total + term
        for penalty in self.losses:
            total = total + penalty
        values = [float(total.data)]
        if len(outputs) > 1:
            values += [float(v.data) for v in per_output]
        if not any(self._metrics):  # no metric to compute (one empty list per output)
            return total, values
        # metrics record no graph, unless one differentiates (K.gradients in a metric)
        with enable_grad() if getattr(self, "_loss_needs_input_graph", False) else no_grad():
            for entries, y_true, out in zip(self._metrics, y_tensors, outputs):
                values += C.metric_values(entries, y_true, out)
        return total, values

    def _train_batch(self, xs, ys, weights) -> list:
        K.set_learning_phase(1)
        try:
            total, values = self._loss_and_metrics(xs, ys, weights, training=True)
            params = self._collected_trainable_weights
            clear_grads(self.weights)
            if total.requires_grad:
                total.backward()
            # weights the loss does not reach get a zero gradient (asked without reading
            # .grad: that would make an Embedding's rows dense)
            for w in without_grad(params):
                w.grad = np.zeros_like(w.data)
            self.optimizer.update(params, self.constraints, loss=total)
            self.apply_updates(self.updates)  # add_update pairs, e.g. running means
        finally:
            K.set_learning_phase(0)
        return values

    @no_grad()
    def _test_batch(self, xs, ys, weights) -> list:
        K.set_learning_phase(0)
        values = self._loss_and_metrics(xs, ys, weights, training=False)[1]
        self.apply_updates(self.state_updates)
        return values

    @no_grad()
    def _predict_batch(self, xs) -> list:
        """The outputs of one batch, with no graph recorded -- unless a layer takes
        ``K.gradients`` while it runs (``GraphNeeded``): then, from that batch on, the
        model predicts recording the graph from inputs that require grad."""
        K.set_learning_phase(0)
        if getattr(self, "_predict_needs_graph", False):
            with enable_grad():
                outputs, _ = self.run_graph(self._to_tensors(xs, requires_grad=True))
        else:
            try:
                outputs, _ = self.run_graph(self._to_tensors(xs))
            except GraphNeeded:
                self._predict_needs_graph = True
                return self._predict_batch(xs)
        self._last_values = None  # nothing scores this batch: drop the activations
        self.apply_updates(self.state_updates)
        return [o.data for o in outputs]

    # ---- loops -----------------------------------------------------------------------
    def _make_callbacks(self, callbacks, verbose) -> object:
        from .. import callbacks as cbks
        self.history = cbks.History()
        chain = [cbks.BaseLogger()] + list(callbacks or []) + [self.history]
        if verbose:
            chain.append(cbks.ProgbarLogger())
        callback_list = cbks.CallbackList(chain)
        callback_list.set_model(self)
        return callback_list

    def _fit_loop(self, ins, batch_size=32, nb_epoch=100, verbose=1, callbacks=None,
                  val_ins=None, shuffle=True, initial_epoch=0):
        """Train on ``ins = (xs, ys, weights)``; ``val_ins`` likewise or None."""
        n = len(ins[0][0])
        labels = C.deduplicate(self.metrics_names)
        if verbose and val_ins is not None:
            print(f"Train on {n} samples, validate on {len(val_ins[0][0])} samples")
        callback_list = self._make_callbacks(callbacks, verbose)
        callback_list.set_params({"batch_size": batch_size, "nb_epoch": nb_epoch,
                                  "nb_sample": n, "verbose": verbose,
                                  "do_validation": val_ins is not None,
                                  "metrics": _log_keys(labels, val_ins is not None)})
        self.stop_training = False
        self.validation_data = val_ins
        callback_list.on_train_begin()
        index_array = np.arange(n)
        for epoch in range(initial_epoch, nb_epoch):
            callback_list.on_epoch_begin(epoch)
            if shuffle == "batch":
                index_array = U.batch_shuffle(index_array, batch_size)
            elif shuffle:
                np.random.shuffle(index_array)
            self._train_epoch(ins, index_array, batch_size, labels, callback_list)
            epoch_logs = {}
            if val_ins is not None:
                val_outs = self._test_loop(val_ins, batch_size, verbose=0)
                epoch_logs.update(("val_" + la, v) for la, v in zip(labels, val_outs))
            callback_list.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        callback_list.on_train_end()
        return self.history

    def _train_epoch(self, ins, index_array, batch_size, labels, callback_list) -> None:
        """One pass over ``index_array`` in batches, with the batch callbacks."""
        xs, ys, ws = ins
        for batch_index, (start, end) in enumerate(U.make_batches(len(index_array),
                                                                  batch_size)):
            ids = index_array[start:end]
            batch_logs = {"batch": batch_index, "size": len(ids)}
            callback_list.on_batch_begin(batch_index, batch_logs)
            outs = self._train_batch(slice_X(xs, ids), slice_X(ys, ids), C.slice_weights(ws, ids))
            batch_logs.update(zip(labels, outs))
            callback_list.on_batch_end(batch_index, batch_logs)

    def _progbar(self, n: int, verbose: int):
        if verbose != 1:
            return None
        from ..utils.generic_utils import Progbar
        return Progbar(target=n)

    def _test_loop(self, ins, batch_size=32, verbose=0) -> list:
        """Batch-size-weighted averages of ``[loss, ...]`` over ``ins = (xs, ys, weights)``."""
        xs, ys, ws = ins
        n = len(xs[0])
        totals, bar = None, self._progbar(n, verbose)
        for start, end in U.make_batches(n, batch_size):
            ids = np.arange(start, end)
            outs = self._test_batch(slice_X(xs, ids), slice_X(ys, ids), C.slice_weights(ws, ids))
            scaled = [v * (end - start) for v in outs]
            totals = scaled if totals is None else [a + b for a, b in zip(totals, scaled)]
            if bar is not None:
                bar.update(end)
        return [t / n for t in totals]

    def _predict_loop(self, xs, batch_size=32, verbose=0) -> list:
        n = len(xs[0])
        chunks, bar = None, self._progbar(n, verbose)
        for start, end in U.make_batches(n, batch_size):
            outs = self._predict_batch(slice_X(xs, start, end))
            chunks = [[o] for o in outs] if chunks is None else [c + [o] for c, o in
                                                                  zip(chunks, outs)]
            if bar is not None:
                bar.update(end)
        if chunks is None:  # no samples: empty arrays of the declared shapes
            return [np.zeros((0,) + tuple(d or 0 for d in t._keras_shape[1:]), dtype=K.floatx())
                    for t in self.outputs]
        return [np.concatenate(c, axis=0) for c in chunks]

    # ---- the public API --------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=32, nb_epoch=10, verbose=1, callbacks=None,
            validation_split=0., validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, **kwargs):
        """Train for ``nb_epoch`` epochs; returns the ``History`` callback (spec 4.4)."""
        if "show_accuracy" in kwargs:
            kwargs.pop("show_accuracy")
            warnings.warn("The \"show_accuracy\" argument is deprecated, instead you should "
                          "pass the \"accuracy\" metric to the model at compile time:\n"
                          "`model.compile(optimizer, loss, metrics=[\"accuracy\"])`")
        if kwargs:
            raise TypeError(f"Received unknown keyword arguments: {kwargs}")
        ins = self._standardize_user_data(x, y, sample_weight, class_weight, False, batch_size)
        val_ins = None
        if validation_data is not None:
            val_ins = self._validation_ins(validation_data, batch_size)
        elif validation_split and 0. < validation_split < 1.:
            split_at = int(len(ins[0][0]) * (1. - validation_split))
            xs, ys, ws = ins
            val_ins = (slice_X(xs, split_at), slice_X(ys, split_at), C.slice_weights(ws, split_at))
            ins = (slice_X(xs, 0, split_at), slice_X(ys, 0, split_at),
                   C.slice_weights(ws, 0, split_at))
        return self._fit_loop(ins, batch_size, nb_epoch, verbose, callbacks, val_ins, shuffle,
                              initial_epoch)

    def _validation_ins(self, validation_data, batch_size) -> tuple:
        if not isinstance(validation_data, (list, tuple)) or len(validation_data) not in (2, 3):
            raise ValueError("When passing validation_data, it must be a tuple of 2 (x_val, y_val) "
                             "or 3 (x_val, y_val, val_sample_weights) items; got "
                             f"{str(validation_data)[:200]}")
        val_x, val_y = validation_data[0], validation_data[1]
        val_w = validation_data[2] if len(validation_data) == 3 else None
        return self._standardize_user_data(val_x, val_y, val_w, None, False, batch_size)

    def evaluate(self, x, y, batch_size=32, verbose=1, sample_weight=None):
        """Loss (and metrics) in test mode: a scalar, or a list ordered as ``metrics_names``."""
        ins = self._standardize_user_data(x, y, sample_weight, None, False, batch_size)
        return _unwrap(self._test_loop(ins, batch_size, verbose))

    def predict(self, x, batch_size=32, verbose=0):
        """Outputs for ``x`` in test mode (works uncompiled); an array or a list of them.

        ``x`` as in ``fit``: an array, a list of arrays (one per input) or a dict by input
        name; a nested Python list is one array for a one-input model (``[[0.0] * 100]``
        is one sample of 100 features).
        """
        xs = self._standardize_x(x, check_batch_dim=False)
        n = len(xs[0])
        if self.stateful and n > batch_size and n % batch_size != 0:
            raise ValueError(f"In a stateful network, you should only pass inputs with a number "
                             f"of samples that can be divided by the batch size. Found: {n} "
                             f"samples. Batch size: {batch_size}.")
        return _unwrap(self._predict_loop(xs, batch_size, verbose))

    def train_on_batch(self, x, y, sample_weight=None, class_weight=None):
        """One gradient step on one batch; returns the loss (and metrics) before the step."""
        ins = self._standardize_user_data(x, y, sample_weight, class_weight, True)
        return _unwrap(self._train_batch(*ins))

    def test_on_batch(self, x, y, sample_weight=None):
        ins = self._standardize_user_data(x, y, sample_weight, None, True)
        return _unwrap(self._test_batch(*ins))

    def predict_on_batch(self, x):
        return _unwrap(self._predict_batch(self._standardize_x(x)))

    # ---- misc ------------------------------------------------------------------------
    def summary(self, line_length: int = 100, positions=(.33, .55, .67, 1.)) -> None:
        from ..utils.layer_utils import print_summary
        print_summary(self.layers, {id(n) for n in self._nodes}, line_length, positions)

    def to_json(self, **kwargs) -> str:
        """``{'class_name', 'config', 'keras_version': '1.2.2'}`` as JSON."""
        from .serialization import model_to_json
        return model_to_json(self, **kwargs)

    def to_yaml(self, **kwargs) -> str:
        import yaml  # optional dependency, as in Keras 1

        from .serialization import model_dict
        return yaml.dump(model_dict(self), **kwargs)

    def explain_step(self, x, y, sample_weight=None, training: bool = True):
        """Trace one training step per layer without updating (see ``engine/inspection.py``)."""
        from .inspection import explain_step
        return explain_step(self, x, y, sample_weight, training)


def _batch_signature(x, y, sample_weight, class_weight, check_batch_dim, batch_size):
    """What the structural checks of one x array and one y array depend on, or None for
    anything else (lists, dicts, sample or class weights: always checked in full)."""
    if (type(x) is not np.ndarray or type(y) is not np.ndarray or sample_weight is not None
            or class_weight is not None):
        return None
    return x.shape, x.dtype, y.shape, y.dtype, check_batch_dim, batch_size  # dtypes compare fast


def _log_keys(labels: list, validating: bool) -> list:
    """The ``params['metrics']`` of the callbacks: labels, then ``val_`` labels."""
    return list(labels) + (["val_" + la for la in labels] if validating else [])


def _unwrap(values: list):
    return values[0] if len(values) == 1 else values


# Keras 1.2.2 scripts import its helper functions from keras.engine.training
from .keras1_training_helpers import *
