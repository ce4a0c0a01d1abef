"""Checking and slicing the numpy data given to ``fit``/``evaluate``/``predict``.

Everything here runs before the first training step, so a user's mistake
(wrong feature size, mismatched sample counts, integer labels with
``categorical_crossentropy``, NaN in the data) is reported in the user's terms
and no weight has changed yet.
"""
from __future__ import annotations

import numpy as np


def _consumers(model, index: int) -> str:
    """`` (the input of layer dense_1)`` for model input ``index``, or ``''``."""
    layer = model.input_layers[index] if index < len(model.input_layers) else None
    names = [n.outbound_layer.name for n in getattr(layer, "outbound_nodes", [])]
    return f" (the input of layer {', '.join(names)})" if names else ""


def to_array_list(data, names: list, what: str) -> list:
    """``data`` (array, list of arrays or dict by layer name) as one array per name.

    A Python list is read the same way by ``fit``, ``evaluate`` and ``predict``: if it holds
    arrays, it is one array per model input; if it holds plain numbers or nested lists, a
    one-input model reads it as a single array (its first axis is the samples), so
    ``predict([[0.0] * 100])`` is one sample of 100 features, like ``fit(X.tolist(), ...)``.
    """
    if isinstance(data, (list, tuple)) and len(names) == 1 and \
            not any(hasattr(a, "shape") for a in data):
        return [np.asarray(data)]
    if isinstance(data, dict):
        missing = [n for n in names if n not in data]
        if missing:
            raise ValueError(f"No data provided for {missing[0]!r}. Need data for each key in: "
                             f"{names}; got keys {sorted(data)}")
        return [np.asarray(data[n]) for n in names]
    if isinstance(data, (list, tuple)):
        if len(data) != len(names):
            if data and hasattr(data[0], "shape"):
                raise ValueError(f"Error when checking {what}: the list of Numpy arrays that you "
                                 f"are passing to your model is not the size the model expected. "
                                 f"Expected to see {len(names)} arrays ({names}) but instead got "
                                 f"a list of {len(data)} arrays.")
            if len(names) != 1:
                raise ValueError(f"Error when checking {what}: you are passing a list as input "
                                 f"to your model, but the model expects a list of {len(names)} "
                                 f"Numpy arrays instead. The list you passed was: "
                                 f"{str(data)[:200]}")
            return [np.asarray(data)]
        return [np.asarray(a) for a in data]
    if not hasattr(data, "shape"):
        raise TypeError(f"Error when checking {what}: data should be a Numpy array, or list/dict "
                        f"of Numpy arrays. Found: {str(data)[:200]}...")
    if len(names) != 1:
        raise ValueError(f"Error when checking {what}: the model expects {len(names)} arrays "
                         f"({names}), but only received one array of shape {data.shape}")
    return [np.asarray(data)]


def standardize_input_data(data, names: list, shapes=None, check_batch_dim: bool = True,
                           what: str = "model input", model=None) -> list:
    """One array per name, 1D arrays made ``(N, 1)``, ranks and known dims checked."""
    arrays = [a[:, None] if a.ndim == 1 else a for a in to_array_list(data, names, what)]
    for i, (array, shape) in enumerate(zip(arrays, shapes or [None] * len(arrays))):
        if shape is None:
            continue
        where = _consumers(model, i) if model is not None and what == "model input" else ""
        if array.ndim != len(shape):
            raise ValueError(f"Error when checking {what}: expected {names[i]}{where} to have "
                             f"{len(shape)} dimensions, but got array with shape {array.shape}")
        for j, (dim, want) in enumerate(zip(array.shape, shape)):
            if (j or check_batch_dim) and want is not None and want != dim:
                raise ValueError(f"Error when checking {what}: expected {names[i]}{where} to "
                                 f"have shape {tuple(shape)} but got array with shape "
                                 f"{array.shape}")
    return arrays


def check_finite(arrays: list, names: list, what: str) -> None:
    """Project decision: NaN or inf in float data is an error, raised before training."""
    for array, name in zip(arrays, names):
        if array.dtype.kind in "fc" and not _all_finite(array):
            bad = np.argwhere(~np.isfinite(array))[0]
            raise ValueError(f"Error when checking {what}: the array for {name} contains NaN or "
                             f"inf (first at index {tuple(int(i) for i in bad)}). Clean or "
                             f"impute the data before training.")


def _all_finite(array: np.ndarray) -> bool:
    """Whether every element is finite.  A NaN or inf anywhere makes the sum non-finite,
    and the sum of squares, one BLAS dot product (three times faster than the sum on an
    MNIST batch); the element-wise look runs only when that is not finite (bad data, or
    a sum that overflowed: no warning about it)."""
    if array.dtype in _DOT_DTYPES and array.flags.c_contiguous and array.size >= 4096:
        flat = array.reshape(-1)
        with np.errstate(over="ignore", invalid="ignore"):
            quick = np.dot(flat, flat)
    else:  # small arrays: the sum costs less than the errstate
        quick = np.add.reduce(array, axis=None)  # array.sum(), without a Python frame
    return bool(np.isfinite(quick)) or bool(np.isfinite(array).all())


_DOT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def check_array_lengths(xs: list, ys: list, ws: list) -> None:
    """All inputs, targets and sample weights must have the same number of samples."""
    for arrays, label in ((xs, "input arrays (x)"), (ys, "target arrays (y)"),
                          ([w for w in ws if w is not None], "sample_weight arrays")):
        counts = sorted({len(a) for a in arrays})
        if len(counts) > 1:
            raise ValueError(f"All {label} should have the same number of samples; got sample "
                             f"counts {[len(a) for a in arrays]}.")
    nx = len(xs[0]) if xs else None
    if nx == 0:
        raise ValueError("Error when checking model input: the arrays have 0 samples; pass at "
                         "least one sample.")
    if ys and nx is not None and len(ys[0]) != nx:
        raise ValueError(f"Input arrays should have the same number of samples as target "
                         f"arrays. Found {nx} input samples and {len(ys[0])} target samples.")
    for w in ws:
        if w is not None and nx is not None and len(w) != nx:
            raise ValueError(f"Sample_weight arrays should have the same number of samples as "
                             f"input arrays. Found {nx} input samples and {len(w)} "
                             f"sample_weight samples.")


_SAME_SHAPE_LOSSES = {"mean_square_error", "binary_crossentropy", "categorical_crossentropy"}


def check_loss_and_target_compatibility(targets: list, loss_fns: list, output_shapes: list,
                                        output_names: list) -> None:
    """Catch integer labels for ``categorical_crossentropy`` and target/output mismatches."""
    for y, fn, shape, name in zip(targets, loss_fns, output_shapes, output_names):
        loss_name = getattr(fn, "__name__", "")
        if loss_name == "categorical_crossentropy" and y.shape[-1] == 1:
            raise ValueError(
                f"You are passing a target array of shape {y.shape} for output {name} while "
                f"using as loss `categorical_crossentropy`, which expects one-hot targets of "
                f"shape (samples, classes). If your targets are integer classes, convert them "
                f"with:\n    from keras.utils.np_utils import to_categorical\n    y_binary = "
                f"to_categorical(y_int)\nor use the loss `sparse_categorical_crossentropy`, "
                f"which expects integer targets.")
        if loss_name in _SAME_SHAPE_LOSSES:
            for got, want in zip(y.shape[1:], shape[1:]):
                if want is not None and got != want:
                    raise ValueError(f"A target array with shape {y.shape} was passed for output "
                                     f"{name} of shape {tuple(shape)} while using as loss "
                                     f"`{loss_name}`. This loss expects targets to have the same "
                                     f"shape as the output.")


def per_output(value, output_names: list, what: str) -> list:
    """A sample/class weight given for one output, as a list, or by output name."""
    if value is None or (hasattr(value, "__len__") and len(value) == 0):
        return [None] * len(output_names)
    if len(output_names) == 1:
        if isinstance(value, list) and len(value) == 1:
            return value
        if isinstance(value, dict) and output_names[0] in value:
            return [value[output_names[0]]]
        return [value]
    if isinstance(value, list):
        if len(value) != len(output_names):
            raise ValueError(f"Provided `{what}` was a list of {len(value)} elements, but the "
                             f"model has {len(output_names)} outputs ({output_names}).")
        return value
    if isinstance(value, dict):
        return [value.get(name) for name in output_names]
    raise TypeError(f"The model has multiple outputs, so `{what}` should be either a list or "
                    f"a dict keyed by output name; got {type(value).__name__}")


def standardize_weights(y: np.ndarray, sample_weight=None, class_weight=None,
                        sample_weight_mode=None) -> np.ndarray:
    """Per-sample weights ``(N,)`` (or ``(N, T)`` in 'temporal' mode) for target ``y``."""
    if sample_weight_mode is not None:
        if sample_weight_mode != "temporal":
            raise ValueError(f"sample_weight_mode should be None or 'temporal', got "
                             f"{sample_weight_mode!r}")
        if y.ndim < 3:
            raise ValueError(f"Found a sample_weight array for an input with shape {y.shape}. "
                             f"Timestep-wise sample weighting needs targets of rank >= 3.")
    ndim = 2 if sample_weight_mode == "temporal" else 1
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight)
        if sample_weight.ndim != ndim:
            raise ValueError(f"Found a sample_weight array with shape {sample_weight.shape}; "
                             f"expected {ndim} dimension(s) ("
                             f"{'temporal' if ndim == 2 else 'one weight per sample'}).")
        if sample_weight.shape != y.shape[:ndim]:
            raise ValueError(f"Found a sample_weight array with shape {sample_weight.shape} for "
                             f"targets of shape {y.shape}; expected {y.shape[:ndim]}.")
        return sample_weight
    if isinstance(class_weight, dict):
        if y.ndim > 2:
            raise ValueError("class_weight is not supported for 3+ dimensional targets.")
        classes = y.argmax(axis=1) if y.shape[1] > 1 else y.reshape(len(y))
        missing = sorted({c.item() for c in classes if c.item() not in class_weight})
        if missing:
            raise KeyError(f"class_weight has no entry for class(es) {missing}; it has keys "
                           f"{sorted(class_weight)}")
        return np.asarray([class_weight[c.item()] for c in classes], dtype="float64")
    return np.ones(y.shape[:ndim], dtype="float64")


def slice_X(X, start=None, stop=None):
    """``X[start:stop]`` for an array or each array of a list; ``start`` may be indices."""
    def take(x):
        if hasattr(start, "__len__"):
            return x[np.asarray(start)]
        return x[start:stop]
    return [take(x) for x in X] if isinstance(X, list) else take(X)


def make_batches(size: int, batch_size: int) -> list:
    """``[(start, end), ...]`` covering ``range(size)``; the last batch may be smaller."""
    count = int(np.ceil(size / float(batch_size)))
    return [(i * batch_size, min(size, (i + 1) * batch_size)) for i in range(count)]


def batch_shuffle(index_array: np.ndarray, batch_size: int) -> np.ndarray:
    """``shuffle='batch'``: shuffle whole batch-size chunks; the ragged tail stays last."""
    full = (len(index_array) // batch_size) * batch_size
    chunks = index_array[:full].reshape(-1, batch_size)
    np.random.shuffle(chunks)
    return np.append(chunks.ravel(), index_array[full:])
