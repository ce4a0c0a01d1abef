"""Converting weight arrays from other writers into our layouts (spec 17.4).

Three cases reach us:

* our own files and Keras 1.2.2 TensorFlow files: used as they are;
* Keras 1.2.2 Theano files (weight names without ``:0``): convolution kernels
  were true convolutions, so their spatial axes are flipped to become
  correlation kernels (also inside ``TimeDistributed`` and nested models);
  the legacy Conv1D layout is transposed;
* Keras 2 files (``keras_version`` 2.x): fused recurrent matrices are split
  into the 1.2.2 per-gate arrays, and conv kernels are moved to our layout.

Each conversion is written once, as a :class:`Conversion` per weight of the
layer: which of the file's arrays it comes from, and the steps (flip,
transpose, column block, new axis) that take that array to the weight.  The
steps only move elements, never change a value, so the same
:class:`Conversion` also takes the optimizer state the file keeps for that
array (momenta, moments, accumulators: one number per element) to the state
of the weight; ``engine/optimizer_state.py`` applies it there.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

_CONV2D = {"Convolution2D", "AtrousConvolution2D", "Deconvolution2D"}
_CONV1D = {"Convolution1D", "AtrousConvolution1D"}
# every kernel (ndim >= 4) of these was a true convolution on Theano; biases are 1-D
_CONV_ALL_KERNELS = {"Convolution3D", "ConvLSTM2D"}

Step = tuple  # (label: str, function: ndarray -> ndarray that only moves elements)


@dataclass(frozen=True)
class Conversion:
    """One weight of a layer, made from array number ``source`` of the file's arrays for
    that layer by applying ``steps`` in order (none: used as stored)."""

    source: int
    steps: tuple = ()

    def apply(self, array: np.ndarray) -> np.ndarray:
        """The steps applied to ``array`` (a weight, or optimizer state of the same shape)."""
        array = np.asarray(array)
        for _label, move in self.steps:
            array = move(array)
        return np.ascontiguousarray(array)

    def __call__(self, arrays: list) -> np.ndarray:
        return self.apply(arrays[self.source])

    @property
    def label(self) -> str:
        """What is done to the stored array, in words (for error messages)."""
        return ", then ".join(label for label, _ in self.steps) or "used as stored"

    def then(self, label: str, move: Callable[[np.ndarray], np.ndarray]) -> Conversion:
        return Conversion(self.source, self.steps + ((label, move),))

    def shifted(self, offset: int) -> Conversion:
        return Conversion(self.source + offset, self.steps)


def as_stored(count: int) -> list:
    """The conversions of a layer whose ``count`` arrays are used as they are."""
    return [Conversion(i) for i in range(count)]


def _flip_step(layer) -> Step:
    """A true-convolution kernel to a correlation kernel: reverse its spatial axes."""
    if getattr(layer, "dim_ordering", "tf") == "th" and type(layer).__name__ in _CONV2D:
        return "flipped along rows and columns (Theano kernel)", lambda k: k[:, :, ::-1, ::-1]
    return "flipped along its spatial axes (Theano kernel)", lambda k: k[::-1, ::-1, :, :]


def _flip_all_spatial_step(layer, ndim: int) -> Step:
    """Reverse every spatial axis of a kernel: the last ``ndim - 2`` for 'th', the first
    ``ndim - 2`` for 'tf'."""
    spatial = (slice(None, None, -1),) * (ndim - 2)
    if getattr(layer, "dim_ordering", "tf") == "th":
        return ("flipped along its spatial axes (Theano kernel)",
                lambda k: k[(slice(None),) * 2 + spatial])
    return ("flipped along its spatial axes (Theano kernel)",
            lambda k: k[spatial + (slice(None),) * 2])


def _column_block(k: int, parts: int) -> Step:
    return f"column block {k} of {parts}", lambda a: np.split(a, parts, axis=-1)[k]


def _keras2_recurrent(kind: str, layer, arrays: list) -> list:
    """Keras 2 ``kernel, recurrent_kernel, bias`` -> the 1.2.2 per-gate list."""
    if getattr(layer, "consume_less", "cpu") == "gpu":
        return as_stored(len(arrays))
    if kind == "GRU" and arrays[2].ndim == 2:
        raise ValueError(f"Layer {layer.name}: the file's GRU was built with reset_after=True, "
                         f"whose equations differ from Keras 1 GRU; it cannot be loaded")
    n = 4 if kind == "LSTM" else 3
    order = [0, 2, 1, 3] if kind == "LSTM" else [0, 1, 2]  # Keras 2 LSTM i,f,c,o -> 1.x i,c,f,o
    return [Conversion(source, (_column_block(k, n),)) for k in order for source in range(3)]


def _keras2_conv(kind: str, layer, arrays: list, backend: str) -> list | None:
    """Keras 2 kernels ``(kh, kw, in, out)`` / ``(k, in, out)`` -> ours; None if not a conv."""
    rest = as_stored(len(arrays))[1:]
    if kind in _CONV2D and arrays and arrays[0].ndim == 4:
        kernel = Conversion(0)
        if backend == "theano":
            kernel = kernel.then("flipped along rows and columns (Theano kernel)",
                                 lambda k: k[::-1, ::-1])
        if getattr(layer, "dim_ordering", "tf") == "th":
            kernel = kernel.then("transposed to (out, in, rows, cols)",
                                 lambda k: k.transpose(3, 2, 0, 1))
        return [kernel] + rest
    if kind == "Convolution3D" and arrays and arrays[0].ndim == 5:
        kernel = Conversion(0)                      # Keras 2: (k1, k2, k3, in, out)
        if backend == "theano":
            kernel = kernel.then("flipped along its spatial axes (Theano kernel)",
                                 lambda k: k[::-1, ::-1, ::-1])
        if getattr(layer, "dim_ordering", "tf") == "th":
            kernel = kernel.then("transposed to (out, in, k1, k2, k3)",
                                 lambda k: k.transpose(4, 3, 0, 1, 2))
        return [kernel] + rest
    if kind in _CONV1D and arrays and arrays[0].ndim == 3:
        kernel = Conversion(0)
        if backend == "theano":
            kernel = kernel.then("flipped along time (Theano kernel)", lambda k: k[::-1])
        return [kernel.then("given the 1.2.2 axis of length 1", lambda k: k[:, None, :, :])] \
            + rest
    return None


def _keras2_plan(layer, arrays: list, backend: str) -> list:
    kind = type(layer).__name__
    if kind == "Bidirectional":
        half = len(arrays) // 2
        return (_keras2_plan(layer.forward_layer, arrays[:half], backend)
                + [c.shifted(half) for c in _keras2_plan(layer.backward_layer, arrays[half:],
                                                         backend)])
    if kind == "TimeDistributed":
        return _keras2_plan(layer.layer, arrays, backend)
    if kind in ("LSTM", "GRU") and len(arrays) == 3:
        return _keras2_recurrent(kind, layer, arrays)
    conv = _keras2_conv(kind, layer, arrays, backend)
    return conv if conv is not None else as_stored(len(arrays))


def _sublayers(layer) -> list | None:
    """The layers whose weights make up ``layer.weights``, in order: a wrapper's inner
    layers, a nested model's layers; None for a plain layer (or if they do not add up)."""
    for attribute in ("inner_layers", "_unique_layers"):
        method = getattr(layer, attribute, None)
        if callable(method):
            subs = method()
            parts = [id(w) for sub in subs for w in sub.weights]
            return subs if parts == [id(w) for w in layer.weights] else None
    return None


def _keras1_plan(layer, arrays: list, theano: bool) -> list:
    """Keras 1.2.2 arrays: conv kernels of Theano files flipped (also inside wrappers and
    nested models), legacy Conv1D kernels transposed; everything else as stored."""
    subs = _sublayers(layer)
    if subs is not None and sum(len(sub.weights) for sub in subs) == len(arrays):
        plan = []
        for sub in subs:
            start = len(plan)
            part = arrays[start:start + len(sub.weights)]
            plan += [c.shifted(start) for c in _keras1_plan(sub, part, theano)]
        return plan
    plan = as_stored(len(arrays))
    if type(layer).__name__ in _CONV_ALL_KERNELS:
        return [c.then(*_flip_all_spatial_step(layer, a.ndim)) if theano and a.ndim >= 4 else c
                for c, a in zip(plan, arrays)]
    if type(layer).__name__ not in _CONV1D | _CONV2D or not arrays:
        return plan
    kernel, shape = plan[0], arrays[0].shape
    expected = tuple(layer.weights[0].shape) if layer.weights else None
    if type(layer).__name__ in _CONV1D and expected and len(shape) == 4 and shape != expected \
            and tuple(shape[i] for i in (2, 3, 1, 0)) == expected:
        kernel = kernel.then("transposed (2, 3, 1, 0) from the legacy Conv1D layout",
                             lambda k: k.transpose(2, 3, 1, 0))
    if theano and len(shape) == 4:
        kernel = kernel.then(*_flip_step(layer))
    return [kernel] + plan[1:]


def layer_conversion(layer, weight_names: list, arrays: list, style: dict) -> list:
    """``[Conversion]``, one per weight the file gives ``layer`` (in ``layer.weights`` order
    when the file fits the layer); only the arrays' shapes are looked at."""
    if style.get("keras2"):
        return _keras2_plan(layer, list(arrays), style.get("backend", ""))
    theano = bool(weight_names) and not any(n.endswith(":0") for n in weight_names)
    return _keras1_plan(layer, list(arrays), theano)


def convert_layer_arrays(layer, weight_names: list, arrays: list, style: dict) -> list:
    """Arrays from a file, in the order and layout ``layer.weights`` expects."""
    return [c(arrays) for c in layer_conversion(layer, weight_names, arrays, style)]
