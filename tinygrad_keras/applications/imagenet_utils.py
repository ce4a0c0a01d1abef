"""ImageNet helpers shared by the pretrained networks (Keras 1.2.2 names and behaviour).

* :func:`preprocess_input` turns RGB pixel values (0-255) into what VGG16,
  VGG19 and ResNet50 were trained on: BGR channel order, minus the ImageNet
  mean pixel.  Unlike 1.2.2 it never writes into the caller's array (1.2.2
  subtracted in place through a reversed view, so ``preprocess_input(x)``
  quietly changed ``x``); it returns a new float array.
* :func:`decode_predictions` names the top classes of a ``(samples, 1000)``
  prediction array with the class index that Keras 1.2.2 downloads once into
  ``~/.keras/models/imagenet_class_index.json``.
* :func:`_obtain_input_shape` is the input-shape check every network runs.
"""
from __future__ import annotations

import json

import numpy as np

from .. import backend as K
from ..utils.data_utils import get_file

CLASS_INDEX = None  # {"0": ["n01440764", "tench"], ...}, read once from the cached file
CLASS_INDEX_PATH = ("https://s3.amazonaws.com/deep-learning-models/image-models/"
                    "imagenet_class_index.json")
# the ImageNet mean pixel in BGR order (what the Caffe-trained VGG/ResNet weights expect)
BGR_MEAN_PIXEL = (103.939, 116.779, 123.68)


def _ordering(dim_ordering: str) -> str:
    if dim_ordering == "default":
        dim_ordering = K.image_dim_ordering()
    if dim_ordering not in ("th", "tf"):
        raise ValueError(f"dim_ordering must be 'default', 'th' or 'tf', got {dim_ordering!r}")
    return dim_ordering


def preprocess_input(x, dim_ordering: str = "default") -> np.ndarray:
    """RGB images ``(samples, 3, rows, cols)`` ('th') or ``(samples, rows, cols, 3)`` ('tf')
    -> BGR minus the ImageNet mean pixel, same shape, as a new float array."""
    dim_ordering = _ordering(dim_ordering)
    x = np.asarray(x)
    channel_axis = 1 if dim_ordering == "th" else 3
    if x.ndim != 4 or x.shape[channel_axis] != 3:
        expected = "(samples, 3, rows, cols)" if dim_ordering == "th" else \
            "(samples, rows, cols, 3)"
        raise ValueError(f"preprocess_input expects a batch of RGB images of shape {expected} "
                         f"for dim_ordering {dim_ordering!r}; got shape {x.shape}")
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.dtype(K.floatx())
    bgr = np.flip(x, axis=channel_axis).astype(dtype, copy=True)
    mean = np.asarray(BGR_MEAN_PIXEL, dtype=dtype)
    bgr -= mean.reshape((1, 3, 1, 1) if dim_ordering == "th" else (1, 1, 1, 3))
    return bgr


def _read_class_index(fpath: str) -> dict:
    """The class index file as ``{str(i): (wnid, description)}``; a bad file -> ValueError."""
    with open(fpath, encoding="utf8") as f:
        try:
            index = json.load(f)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{fpath} is not a JSON class index ({exc}); delete it to "
                             f"download it again from {CLASS_INDEX_PATH}") from None
    missing = [str(i) for i in range(1000) if str(i) not in index] \
        if isinstance(index, dict) else ["0"]
    if missing or not all(isinstance(v, list) and len(v) == 2 for v in index.values()):
        raise ValueError(f"{fpath} is not the ImageNet class index: it should map '0'..'999' "
                         f"to [wordnet_id, class_name] pairs (first problem at key "
                         f"{(missing or ['?'])[0]!r}); delete it to download it again")
    return index


def decode_predictions(preds, top: int = 5) -> list:
    """``[[(wordnet_id, class_name, score), ...top...], ...per sample]`` from ``(samples, 1000)``
    predictions, highest score first."""
    global CLASS_INDEX
    preds = np.asarray(getattr(preds, "data", preds))
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array "
                         f"of shape (samples, 1000)). Found array with shape: {preds.shape}")
    if CLASS_INDEX is None:
        fpath = get_file("imagenet_class_index.json", CLASS_INDEX_PATH, cache_subdir="models")
        CLASS_INDEX = _read_class_index(fpath)
    results = []
    for pred in preds:
        best = np.argsort(pred, kind="stable")[::-1][:top]
        results.append([tuple(CLASS_INDEX[str(i)]) + (pred[i],) for i in best])
    return results


def _obtain_input_shape(input_shape, default_size: int, min_size: int, dim_ordering: str,
                        include_top: bool) -> tuple:
    """The network's input shape (no batch axis): the default one with ``include_top``
    (anything else is refused), else ``input_shape`` checked for 3 channels and at least
    ``min_size`` rows and columns (``None`` sides allowed), or any size when not given."""
    th = dim_ordering == "th"
    default_shape = (3, default_size, default_size) if th else (default_size, default_size, 3)
    if include_top:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ValueError(f"When setting `include_top=True`, `input_shape` should be "
                             f"{default_shape} (the size the classifier was trained on); got "
                             f"{tuple(input_shape)}")
        return default_shape
    if input_shape is None:
        return (3, None, None) if th else (None, None, 3)
    input_shape = tuple(input_shape)
    if len(input_shape) != 3:
        raise ValueError(f"`input_shape` must be a tuple of three integers; got {input_shape}")
    channels, sides = (input_shape[0], input_shape[1:]) if th else \
        (input_shape[-1], input_shape[:2])
    if channels != 3:
        raise ValueError(f"The input must have 3 channels; got `input_shape={input_shape}` "
                         f"(dim_ordering {dim_ordering!r})")
    if any(side is not None and side < min_size for side in sides):
        raise ValueError(f"Input size must be at least {min_size}x{min_size}, got "
                         f"`input_shape={input_shape}`")
    return input_shape
