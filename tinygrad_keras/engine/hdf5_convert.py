"""Converting weight arrays from other writers into our layouts (spec 17.4).

Three cases reach us:

* our own files and Keras 1.2.2 TensorFlow files: used as they are;
* Keras 1.2.2 Theano files (weight names without ``:0``): convolution kernels
  were true convolutions, so their spatial axes are flipped to become
  correlation kernels; the legacy Conv1D layout is transposed;
* Keras 2 files (``keras_version`` 2.x): fused recurrent matrices are split
  into the 1.2.2 per-gate arrays, and conv kernels are moved to our layout.
"""
from __future__ import annotations

import numpy as np

_CONV2D = {"Convolution2D", "AtrousConvolution2D", "Deconvolution2D"}
_CONV1D = {"Convolution1D", "AtrousConvolution1D"}
# every kernel of these (ndim >= 4) was a true convolution on Theano; biases are 1-D
_CONV_ALL_KERNELS = {"Convolution3D", "ConvLSTM2D"}


def _flip_every_kernel(arrays: list, layer) -> list:
    """Flip the spatial axes (last ones for 'th', first ones for 'tf') of each kernel."""
    th = getattr(layer, "dim_ordering", "tf") == "th"
    out = []
    for a in arrays:
        if a.ndim >= 4:
            spatial = a.ndim - 2
            flip = (slice(None),) * 2 + (slice(None, None, -1),) * spatial if th else \
                (slice(None, None, -1),) * spatial + (slice(None),) * 2
            a = a[flip].copy()
        out.append(a)
    return out


def _flip_spatial(kernel: np.ndarray, layer) -> np.ndarray:
    """Turn a convolution kernel into a correlation kernel (and back)."""
    if kernel.ndim != 4:
        return kernel
    if getattr(layer, "dim_ordering", "tf") == "th" and type(layer).__name__ in _CONV2D:
        return kernel[:, :, ::-1, ::-1].copy()
    return kernel[::-1, ::-1, :, :].copy()


def _split_columns(matrix: np.ndarray, parts: int) -> list:
    return np.split(matrix, parts, axis=-1)


def _keras2_recurrent(kind: str, layer, arrays: list) -> list:
    """Keras 2 ``kernel, recurrent_kernel, bias`` -> the 1.2.2 per-gate list."""
    if getattr(layer, "consume_less", "cpu") == "gpu":
        return arrays
    kernel, recurrent, bias = arrays
    if kind == "GRU" and bias.ndim == 2:
        raise ValueError(f"Layer {layer.name}: the file's GRU was built with reset_after=True, "
                         f"whose equations differ from Keras 1 GRU; it cannot be loaded")
    n = 4 if kind == "LSTM" else 3
    ws, us, bs = (_split_columns(a, n) for a in (kernel, recurrent, bias))
    order = [0, 2, 1, 3] if kind == "LSTM" else [0, 1, 2]  # Keras 2 LSTM i,f,c,o -> 1.x i,c,f,o
    out = []
    for k in order:
        out += [ws[k], us[k], bs[k]]
    return out


def _keras2_arrays(layer, arrays: list, backend: str) -> list:
    kind = type(layer).__name__
    if kind in ("Bidirectional",):
        half = len(arrays) // 2
        return (_keras2_arrays(layer.forward_layer, arrays[:half], backend)
                + _keras2_arrays(layer.backward_layer, arrays[half:], backend))
    if kind == "TimeDistributed":
        return _keras2_arrays(layer.layer, arrays, backend)
    if kind in ("LSTM", "GRU") and len(arrays) == 3:
        return _keras2_recurrent(kind, layer, arrays)
    if kind in _CONV2D and arrays and arrays[0].ndim == 4:
        kernel = arrays[0]
        if backend == "theano":
            kernel = kernel[::-1, ::-1].copy()
        if getattr(layer, "dim_ordering", "tf") == "th":
            kernel = kernel.transpose(3, 2, 0, 1)
        return [kernel] + arrays[1:]
    if kind == "Convolution3D" and arrays and arrays[0].ndim == 5:
        kernel = arrays[0]                          # Keras 2: (k1, k2, k3, in, out)
        if backend == "theano":
            kernel = kernel[::-1, ::-1, ::-1].copy()
        if getattr(layer, "dim_ordering", "tf") == "th":
            kernel = kernel.transpose(4, 3, 0, 1, 2)
        return [kernel] + arrays[1:]
    if kind in _CONV1D and arrays and arrays[0].ndim == 3:
        kernel = arrays[0]
        if backend == "theano":
            kernel = kernel[::-1].copy()
        return [kernel[:, None, :, :]] + arrays[1:]
    return arrays


def _keras1_arrays(layer, weight_names: list, arrays: list) -> list:
    kind = type(layer).__name__
    if kind in _CONV_ALL_KERNELS:
        theano = bool(weight_names) and not any(n.endswith(":0") for n in weight_names)
        return _flip_every_kernel(arrays, layer) if theano else arrays
    if kind not in _CONV1D | _CONV2D or not arrays:
        return arrays
    kernel = arrays[0]
    expected = tuple(layer.weights[0].shape) if layer.weights else None
    if kind in _CONV1D and expected and kernel.ndim == 4 and kernel.shape != expected \
            and kernel.transpose(2, 3, 1, 0).shape == expected:
        kernel = kernel.transpose(2, 3, 1, 0)  # legacy Conv1D layout
    theano = bool(weight_names) and not any(n.endswith(":0") for n in weight_names)
    if theano:
        kernel = _flip_spatial(kernel, layer)
    return [kernel] + arrays[1:]


def convert_layer_arrays(layer, weight_names: list, arrays: list, style: dict) -> list:
    """Arrays from a file, in the order and layout ``layer.weights`` expects."""
    if style.get("keras2"):
        return _keras2_arrays(layer, list(arrays), style.get("backend", ""))
    return _keras1_arrays(layer, weight_names, list(arrays))
