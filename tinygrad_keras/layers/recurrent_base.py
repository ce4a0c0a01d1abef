"""The recurrent machinery shared by SimpleRNN, GRU and LSTM: a Python loop over time.

An RNN here is nothing but a ``for`` loop over timesteps whose body is a handful of
Tensor operations.  Backpropagation through time is not written anywhere: the
autodiff engine walks the unrolled graph backwards like any other graph.

Speed notes (why the code looks the way it does):

* the input sequence is turned time-major once and cut into per-step Tensors by a
  *binary tree* of slices, not by ``T`` slices of the whole sequence: a slice's
  backward allocates a zero array the size of what it was cut from, so ``T`` flat
  slices of a ``(T, B, F)`` Tensor cost ``T`` full-size arrays in the backward pass,
  the tree only about ``2 log2(T)``;
* the per-step outputs are joined with one concatenate and one reshape (whose backward
  is a cheap split);
* SimpleRNN, GRU and LSTM (``recurrent.py``) fuse their gate matrices once per batch and,
  for the usual activations, use fused cell primitives (``autodiff/ops/recurrent.py``)
  for the elementwise part of a step, so a step records about five operations;
* the LSTM goes further where nothing needs the step-by-step graph (``whole_loop``): its
  whole loop is one primitive with a hand-written backward through time
  (``autodiff/ops/recurrent_loop.py``), tested equal to this readable loop.
"""
from __future__ import annotations

import numpy as np

from .. import backend as K
from ..autodiff import Tensor
from ..autodiff import functional as F
from ..engine.topology import InputSpec, Layer

__all__ = ["Recurrent"]


# ---- time-axis helpers ---------------------------------------------------------------
def unstack_time(x: Tensor) -> list:
    """``(T, B, ...)`` -> list of ``T`` Tensors ``(B, ...)`` (a binary tree of slices)."""
    n = x.shape[0]
    if n == 1:
        return [F.reshape(x, x.shape[1:])]
    if n <= 4:
        return [x[t] for t in range(n)]
    half = n // 2
    return unstack_time(x[:half]) + unstack_time(x[half:])


def time_major(x: Tensor) -> Tensor:
    """``(B, T, ...)`` -> ``(T, B, ...)``."""
    axes = (1, 0) + tuple(range(2, x.ndim))
    return F.transpose(x, axes)


def stack_time(outputs: list) -> Tensor:
    """``T`` Tensors ``(B, u)`` -> ``(B, T, u)`` with two ops (one concatenate along the
    features, one reshape) instead of one reshape per step and a concatenate."""
    batch, rest = outputs[0].shape[0], outputs[0].shape[1:]
    joined = F.concatenate([F.reshape(o, (batch, -1)) if o.ndim != 2 else o for o in outputs],
                           axis=1)
    return F.reshape(joined, (batch, len(outputs)) + rest)


def dropout_active(p: float) -> bool:
    """Whether a dropout rate ``p`` draws masks now (a rate in (0, 1), while training)."""
    return 0.0 < p < 1.0 and K.learning_phase() == 1


def dropout_masks(shape: tuple, p: float, count: int, dtype) -> list:
    """``count`` independent inverted-dropout masks of ``shape`` while training
    (keep with probability ``1 - p``, scaled by ``1 / (1 - p)``), else ``None`` each.

    ``None`` means "no mask" so that the step functions skip the multiply.
    """
    if not dropout_active(p):
        return [None] * count
    scale = 1.0 / (1.0 - p)
    return [Tensor(((np.random.random_sample(shape) >= p) * scale).astype(dtype))
            for _ in range(count)]


def masked(x: Tensor, mask):
    """``x * mask`` when a dropout mask is given, else ``x`` itself."""
    return x if mask is None else x * mask


def run_loop(step, inputs: list, states: list, mask=None, go_backwards: bool = False):
    """Run ``step(x_t, states) -> (output, new_states)`` over the timesteps.

    ``inputs``: list of ``T`` Tensors ``(B, ...)``; ``mask``: boolean array ``(B, T)``
    or None.  At a masked step the output and every state keep their previous
    value (the output then repeats the previous output; before any unmasked step
    that is the initial first state, as in Keras 1.2.2's symbolic loop).
    Returns ``(last_output, outputs_in_processing_order, final_states)``.
    """
    order = range(len(inputs) - 1, -1, -1) if go_backwards else range(len(inputs))
    outputs, prev_out = [], states[0]
    for t in order:
        out, new_states = step(inputs[t], states)
        if mask is not None:
            keep = mask[:, t:t + 1]
            out = F.where(keep, out, prev_out)
            new_states = [F.where(keep, s, old) for s, old in zip(new_states, states)]
        outputs.append(out)
        states, prev_out = new_states, out
    return outputs[-1], outputs, states


def _mask_array(mask):
    if mask is None:
        return None
    arr = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    return arr.astype(bool, copy=False)


# ---- the base layer ---------------------------------------------------------------------
class Recurrent(Layer):
    """Base of SimpleRNN, GRU and LSTM (not usable on its own: it has no ``step``).

    Input shape ``(None, timesteps, input_dim)``; output ``(None, timesteps,
    output_dim)`` with ``return_sequences=True``, else ``(None, output_dim)``.
    Subclasses define ``build`` (weights), ``state_count``, ``prepare(x)`` (work done
    once per batch: fused weights, dropout masks, input projections; returns the
    list of per-step inputs) and ``step(x_t, states)``.
    """

    state_count = 1

    def __init__(self, weights=None, return_sequences=False, go_backwards=False,
                 stateful=False, unroll=False, consume_less="cpu", input_dim=None,
                 input_length=None, **kwargs):
        if consume_less not in ("cpu", "mem", "gpu"):
            raise ValueError(f"{type(self).__name__}: `consume_less` must be 'cpu', 'mem' or "
                             f"'gpu', got {consume_less!r}")
        self.return_sequences = return_sequences
        self.initial_weights = weights
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.consume_less = consume_less
        self.supports_masking = True
        self.input_spec = [InputSpec(ndim=3)]
        self.input_dim = input_dim
        self.input_length = input_length
        self.states = [None] * self.state_count
        if self.input_dim:
            kwargs["input_shape"] = (self.input_length, self.input_dim)
        super().__init__(**kwargs)

    # ---- shapes and masks ------------------------------------------------------------
    def get_output_shape_for(self, input_shape):
        if self.return_sequences:
            return (input_shape[0], input_shape[1], self.output_dim)
        return (input_shape[0], self.output_dim)

    def compute_mask(self, x, mask=None):
        return mask if self.return_sequences else None

    def build_states(self, input_shape) -> None:
        """Record the full input shape; make the state Tensors of a stateful layer."""
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError(f"Input 0 is incompatible with layer {self.name}: expected "
                             f"ndim=3, found ndim={len(input_shape)} (shape {input_shape})")
        self.input_spec = [InputSpec(shape=input_shape)]
        self.input_dim = input_shape[2]
        if self.unroll and input_shape[1] is None:
            raise ValueError(f"{self.name}: cannot unroll a RNN if the time dimension is "
                             f"undefined; give the first layer an `input_shape`/`input_length` "
                             f"(Sequential) or the Input a `shape` (functional API).")
        if self.stateful:
            self.reset_states()
        else:
            self.states = [None] * self.state_count

    def reset_states(self) -> None:
        """Set the stored states of a stateful layer back to zeros ``(batch, output_dim)``."""
        if not self.stateful:
            raise AssertionError(f"Layer {self.name} must be stateful to reset its states "
                                 f"(it was built with stateful=False).")
        batch = self.input_spec[0].shape[0] if self.input_spec[0].shape else None
        if not batch:
            raise ValueError(self._no_batch_message())
        zeros = np.zeros((batch, self.output_dim), dtype=K.floatx())
        self.states = [Tensor(zeros.copy()) for _ in range(self.state_count)]

    def _no_batch_message(self) -> str:
        return (f"{self.name}: If a RNN is stateful, a complete input_shape must be provided "
                f"(including batch size). Pass `batch_input_shape=(batch, timesteps, dim)` to "
                f"the first layer of a Sequential model, or `batch_shape=` to your Input.")

    # ---- the forward pass --------------------------------------------------------------
    def initial_states(self, x: Tensor) -> list:
        batch = x.shape[0]
        if not self.stateful:
            zeros = Tensor(np.zeros((batch, self.output_dim), dtype=x.dtype))
            return [zeros] * len(self.states)
        stored = self.states[0].shape[0]
        if batch != stored:
            raise ValueError(f"{self.name} is stateful with a batch size of {stored} (from its "
                             f"batch_input_shape), but received a batch of {batch} samples. A "
                             f"stateful RNN needs every batch to have exactly {stored} samples.")
        return [Tensor(s.data.astype(x.dtype, copy=False)) for s in self.states]

    def call(self, x, mask=None):
        """``x``: Tensor ``(B, T, input_dim)``; ``mask``: ``(B, T)`` booleans or None."""
        if x.ndim != 3 or self.input_dim not in (None, x.shape[2]):
            raise ValueError(f"{self.name} expects input of shape (batch, timesteps, "
                             f"{self.input_dim}), got {x.shape}")
        try:
            states = self.initial_states(x)
            whole = self.whole_loop(x, states, mask)
            if whole is None:
                whole = self.readable_loop(x, states, mask)
            last, sequence, final = whole
        finally:
            self.release_batch()
        if self.stateful:
            # states are values, not graph: the next batch starts from detached copies
            for stored, new in zip(self.states, final):
                stored.data = new.data.copy()
        return sequence if self.return_sequences else last

    def readable_loop(self, x, states: list, mask) -> tuple:
        """The step-by-step loop (``run_loop``): ``(last output (B, u), the sequence
        (B, T, u) or None without return_sequences, final states)``."""
        inputs = self.prepare(x)
        last, outputs, final = run_loop(self._step_with_constants(), inputs,
                                        self.pack_states(states), _mask_array(mask),
                                        self.go_backwards)
        sequence = stack_time(outputs) if self.return_sequences else None
        return last, sequence, self.unpack_states(final)

    def whole_loop(self, x, states: list, mask):
        """The loop as one primitive, when a layer has one that applies here (the
        LSTM's); the same triple as ``readable_loop``, or None for the readable loop."""
        del x, states, mask  # the base layer has no loop primitive

    # ---- the Keras 1 hooks, for user subclasses (``step(x, states)`` receives the
    # states followed by ``get_constants(x)``, and returns ``(output, new_states)``) --------
    def get_initial_states(self, x: Tensor) -> list:
        return self.initial_states(x)

    def preprocess_input(self, x: Tensor) -> Tensor:
        return x

    def get_constants(self, x: Tensor) -> list:
        return []

    def prepare(self, x: Tensor) -> list:
        """Per-step inputs (``preprocess_input``, cut along time); SimpleRNN, GRU and LSTM
        override this to fuse their weights once per batch."""
        self._batch_constants = list(self.get_constants(x))
        return unstack_time(time_major(self.preprocess_input(x)))

    def _step_with_constants(self):
        if not hasattr(self, "step"):
            raise TypeError(f"{type(self).__name__} has no step(x, states): Recurrent is the "
                            f"base of SimpleRNN, GRU and LSTM, not a layer of its own")
        constants = getattr(self, "_batch_constants", None)
        if not constants:
            return self.step
        return lambda x_t, states: self.step(x_t, list(states) + constants)

    def pack_states(self, states: list) -> list:
        """The states as the step function carries them (a layer may fuse them)."""
        return states

    def unpack_states(self, states: list) -> list:
        """Inverse of ``pack_states``: the states as stored by a stateful layer."""
        return states

    def release_batch(self) -> None:
        """Drop what ``prepare`` kept for the steps (fused weights, masks), so that no
        graph outlives the forward pass through the layer."""
        for attr in [a for a in vars(self) if a.startswith("_batch_")]:
            setattr(self, attr, None)

    # ---- config --------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {"return_sequences": self.return_sequences, "go_backwards": self.go_backwards,
                  "stateful": self.stateful, "unroll": self.unroll,
                  "consume_less": self.consume_less}
        spec_shape = self.input_spec[0].shape if self.input_spec else None
        if self.stateful and spec_shape:
            config["batch_input_shape"] = spec_shape
        else:
            config["input_dim"] = self.input_dim
            config["input_length"] = self.input_length
        return {**super().get_config(), **config}
