"""Inception V3 (Szegedy et al., http://arxiv.org/abs/1512.00567) as Keras 1.2.2's
``keras.applications.inception_v3`` builds it: a convolution stem and eleven mixed
blocks (``mixed0`` ... ``mixed10``), each concatenating parallel branches along the
channel axis.  Its input is 299x299 and scaled to [-1, 1] by this module's
:func:`preprocess_input` (not the VGG one).  Layers built by :func:`conv2d_bn` without
a name get the default ``convolution2d_<n>`` / ``batchnormalization_<n>`` names; the
weight files are matched by position, so that does not matter.
"""
from __future__ import annotations

import numpy as np

from .. import backend as K
from ..layers import (
    AveragePooling2D,
    BatchNormalization,
    Convolution2D,
    Dense,
    Flatten,
    MaxPooling2D,
    merge,
)
from ..models import Model
from ._common import (
    channel_axis,
    check_weights,
    load_release,
    model_input,
    model_inputs,
    release_table,
)
from .imagenet_utils import _obtain_input_shape, decode_predictions

__all__ = ["InceptionV3", "conv2d_bn", "decode_predictions", "preprocess_input"]

RELEASES = release_table("inception_v3", "v0.2", md5={
    ("th", True): "b3baf3070cc4bf476d43a2ea61b0ca5f",
    ("th", False): "79aaa90ab4372b4593ba3df64e142f05",
    ("tf", True): "fe114b3ff2ea4bf891e9353d1bbfb32f",
    ("tf", False): "2f3609166de1d967d1a481094754f691",
})
TH_WEIGHTS_PATH, TF_WEIGHTS_PATH = RELEASES[("th", True)].origin, RELEASES[("tf", True)].origin
TH_WEIGHTS_PATH_NO_TOP = RELEASES[("th", False)].origin
TF_WEIGHTS_PATH_NO_TOP = RELEASES[("tf", False)].origin


def conv2d_bn(x, nb_filter: int, nb_row: int, nb_col: int, border_mode: str = "same",
              subsample: tuple = (1, 1), name: str | None = None):
    """ReLU Convolution2D (``<name>_conv``) followed by BatchNormalization (``<name>_bn``)."""
    x = Convolution2D(nb_filter, nb_row, nb_col, subsample=subsample, activation="relu",
                      border_mode=border_mode, name=None if name is None else name + "_conv")(x)
    return BatchNormalization(axis=channel_axis(),
                              name=None if name is None else name + "_bn")(x)


def _concat(branches: list, name: str | None = None):
    return merge(branches, mode="concat", concat_axis=channel_axis(), name=name)


def _pool_branch(x, nb_filter: int):
    """3x3 stride-1 'same' average pooling, then a 1x1 conv2d_bn."""
    x = AveragePooling2D((3, 3), strides=(1, 1), border_mode="same")(x)
    return conv2d_bn(x, nb_filter, 1, 1)


def _chain(x, specs):
    """conv2d_bn applied in turn for each ``(nb_filter, nb_row, nb_col)``."""
    for nb_filter, nb_row, nb_col in specs:
        x = conv2d_bn(x, nb_filter, nb_row, nb_col)
    return x


def _stem(x):
    x = conv2d_bn(x, 32, 3, 3, subsample=(2, 2), border_mode="valid")
    x = conv2d_bn(x, 32, 3, 3, border_mode="valid")
    x = conv2d_bn(x, 64, 3, 3)
    x = MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, border_mode="valid")
    x = conv2d_bn(x, 192, 3, 3, border_mode="valid")
    return MaxPooling2D((3, 3), strides=(2, 2))(x)


def _block35(x, pool_filters: int, name: str):
    """mixed0-2: 1x1 | 1x1->5x5 | 1x1->3x3->3x3 | avgpool->1x1."""
    return _concat([conv2d_bn(x, 64, 1, 1), _chain(x, [(48, 1, 1), (64, 5, 5)]),
                    _chain(x, [(64, 1, 1), (96, 3, 3), (96, 3, 3)]),
                    _pool_branch(x, pool_filters)], name)


def _reduction_a(x):
    """mixed3: strided 3x3 | 1x1->3x3->strided 3x3 | strided max pool."""
    branch3x3 = conv2d_bn(x, 384, 3, 3, subsample=(2, 2), border_mode="valid")
    branch3x3dbl = _chain(x, [(64, 1, 1), (96, 3, 3)])
    branch3x3dbl = conv2d_bn(branch3x3dbl, 96, 3, 3, subsample=(2, 2), border_mode="valid")
    return _concat([branch3x3, branch3x3dbl, MaxPooling2D((3, 3), strides=(2, 2))(x)], "mixed3")


def _block17(x, width: int, name: str):
    """mixed4-7: 1x1 | factorised 7x7 | double factorised 7x7 | avgpool->1x1."""
    branch7x7 = _chain(x, [(width, 1, 1), (width, 1, 7), (192, 7, 1)])
    branch7x7dbl = _chain(x, [(width, 1, 1), (width, 7, 1), (width, 1, 7), (width, 7, 1),
                              (192, 1, 7)])
    return _concat([conv2d_bn(x, 192, 1, 1), branch7x7, branch7x7dbl, _pool_branch(x, 192)],
                   name)


def _mixed7(x):
    """Like _block17, but its double branch starts at 160 and widens to 192 (as in 1.2.2)."""
    branch7x7 = _chain(x, [(192, 1, 1), (192, 1, 7), (192, 7, 1)])
    branch7x7dbl = _chain(x, [(160, 1, 1), (192, 7, 1), (192, 1, 7), (192, 7, 1), (192, 1, 7)])
    return _concat([conv2d_bn(x, 192, 1, 1), branch7x7, branch7x7dbl, _pool_branch(x, 192)],
                   "mixed7")


def _reduction_b(x):
    """mixed8: 1x1->strided 3x3 | factorised 7x7->strided 3x3 | strided 3x3 average pool."""
    branch3x3 = conv2d_bn(conv2d_bn(x, 192, 1, 1), 320, 3, 3, subsample=(2, 2),
                          border_mode="valid")
    branch7x7x3 = _chain(x, [(192, 1, 1), (192, 1, 7), (192, 7, 1)])
    branch7x7x3 = conv2d_bn(branch7x7x3, 192, 3, 3, subsample=(2, 2), border_mode="valid")
    pool = AveragePooling2D((3, 3), strides=(2, 2))(x)
    return _concat([branch3x3, branch7x7x3, pool], "mixed8")


def _block8(x, i: int):
    """mixed9-10: 1x1 | 1x1->(1x3 | 3x1) | 1x1->3x3->(1x3 | 3x1) | avgpool->1x1."""
    branch1x1 = conv2d_bn(x, 320, 1, 1)
    branch3x3 = conv2d_bn(x, 384, 1, 1)
    branch3x3 = _concat([conv2d_bn(branch3x3, 384, 1, 3), conv2d_bn(branch3x3, 384, 3, 1)],
                        f"mixed9_{i}")
    dbl = _chain(x, [(448, 1, 1), (384, 3, 3)])
    dbl = _concat([conv2d_bn(dbl, 384, 1, 3), conv2d_bn(dbl, 384, 3, 1)])
    return _concat([branch1x1, branch3x3, dbl, _pool_branch(x, 192)], f"mixed{9 + i}")


def InceptionV3(include_top: bool = True, weights: str | None = "imagenet", input_tensor=None,
                input_shape: tuple | None = None, classes: int = 1000):
    """The Inception V3 network in the current image dim ordering.

    Arguments as for :func:`~tinygrad_keras.applications.VGG16`; the default input is
    299x299x3 and, without ``include_top``, the sides must be at least 139.
    Output shape: ``(None, classes)``, or ``(None, 2048, 8, 8)`` ('th') for 299x299 input
    without ``include_top``.
    """
    check_weights("InceptionV3", weights, include_top, classes)
    input_shape = _obtain_input_shape(input_shape, default_size=299, min_size=139,
                                      dim_ordering=K.image_dim_ordering(),
                                      include_top=include_top)
    img_input = model_input("InceptionV3", input_tensor, input_shape)
    x = _stem(img_input)
    for i, pool_filters in enumerate((32, 64, 64)):
        x = _block35(x, pool_filters, f"mixed{i}")
    x = _reduction_a(x)
    x = _block17(x, 128, "mixed4")
    for i in range(2):
        x = _block17(x, 160, f"mixed{5 + i}")
    x = _mixed7(x)
    x = _reduction_b(x)
    for i in range(2):
        x = _block8(x, i)
    if include_top:
        x = AveragePooling2D((8, 8), strides=(8, 8), name="avg_pool")(x)
        x = Flatten(name="flatten")(x)
        x = Dense(classes, activation="softmax", name="predictions")(x)
    model = Model(model_inputs(input_tensor, img_input), x, name="inception_v3")
    if weights == "imagenet":
        load_release(model, RELEASES[(K.image_dim_ordering(), include_top)])
    return model


def preprocess_input(x) -> np.ndarray:
    """Pixel values 0-255 -> [-1, 1] (``x / 255 * 2 - 1``), as a new float array (1.2.2
    changed ``x`` in place)."""
    x = np.asarray(x)
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.dtype(K.floatx())
    return (x.astype(dtype) / 255.0 - 0.5) * 2.0
