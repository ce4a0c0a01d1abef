"""Xception (Chollet, https://arxiv.org/abs/1610.02357) as Keras 1.2.2's
``keras.applications.xception`` builds it: depthwise separable convolutions in 14
blocks with residual connections.  Like 1.2.2 it exists only in the 'tf' dim ordering
(the released weights are 'tf' only): under 'th' it warns, builds the model with 'tf'
and restores 'th' afterwards (also when building fails).  1.2.2 also refused any
backend but TensorFlow, whose SeparableConvolution2D it needed; ours has that layer,
so the check is not repeated.  Input 299x299, scaled by :func:`preprocess_input`.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import backend as K
from ..layers import (
    Activation,
    BatchNormalization,
    Convolution2D,
    Dense,
    GlobalAveragePooling2D,
    MaxPooling2D,
    SeparableConvolution2D,
    merge,
)
from ..models import Model
from ._common import check_weights, load_release, model_input, model_inputs, release
from .imagenet_utils import _obtain_input_shape, decode_predictions

__all__ = ["Xception", "decode_predictions", "preprocess_input"]

TF_WEIGHTS = release("v0.4", "xception_weights_tf_dim_ordering_tf_kernels.h5")
TF_WEIGHTS_NO_TOP = release("v0.4", "xception_weights_tf_dim_ordering_tf_kernels_notop.h5")
TF_WEIGHTS_PATH, TF_WEIGHTS_PATH_NO_TOP = TF_WEIGHTS.origin, TF_WEIGHTS_NO_TOP.origin


def _sepconv_bn(x, nb_filter: int, name: str, relu_first: bool):
    """[ReLU ``<name>_act``] -> 3x3 SeparableConvolution2D ``<name>`` -> BN ``<name>_bn``."""
    if relu_first:
        x = Activation("relu", name=name + "_act")(x)
    x = SeparableConvolution2D(nb_filter, 3, 3, border_mode="same", bias=False, name=name)(x)
    return BatchNormalization(name=name + "_bn")(x)


def _shortcut(x, nb_filter: int):
    """Strided 1x1 convolution + BN (default names, as in 1.2.2)."""
    x = Convolution2D(nb_filter, 1, 1, subsample=(2, 2), border_mode="same", bias=False)(x)
    return BatchNormalization()(x)


def _entry_block(x, nb_filter: int, block: int, first: bool):
    """Two separable convolutions and a strided max pooling, plus the 1x1 shortcut.
    1.2.2 names block 2's middle ReLU ``block2_sepconv2_act`` and has none before its
    first separable convolution."""
    residual = _shortcut(x, nb_filter)
    prefix = f"block{block}_sepconv"
    if first:
        x = SeparableConvolution2D(nb_filter, 3, 3, border_mode="same", bias=False,
                                   name=prefix + "1")(x)
        x = BatchNormalization(name=prefix + "1_bn")(x)
    else:
        x = _sepconv_bn(x, nb_filter, prefix + "1", relu_first=True)
    x = _sepconv_bn(x, nb_filter, prefix + "2", relu_first=True)
    x = MaxPooling2D((3, 3), strides=(2, 2), border_mode="same", name=f"block{block}_pool")(x)
    return merge([x, residual], mode="sum")


def _body(img_input):
    x = Convolution2D(32, 3, 3, subsample=(2, 2), bias=False, name="block1_conv1")(img_input)
    x = BatchNormalization(name="block1_conv1_bn")(x)
    x = Activation("relu", name="block1_conv1_act")(x)
    x = Convolution2D(64, 3, 3, bias=False, name="block1_conv2")(x)
    x = BatchNormalization(name="block1_conv2_bn")(x)
    x = Activation("relu", name="block1_conv2_act")(x)
    for block, nb_filter in ((2, 128), (3, 256), (4, 728)):
        x = _entry_block(x, nb_filter, block, first=block == 2)
    for block in range(5, 13):           # middle flow: three separable convs, identity skip
        residual = x
        for k in (1, 2, 3):
            x = _sepconv_bn(x, 728, f"block{block}_sepconv{k}", relu_first=True)
        x = merge([x, residual], mode="sum")
    residual = _shortcut(x, 1024)
    x = _sepconv_bn(x, 728, "block13_sepconv1", relu_first=True)
    x = _sepconv_bn(x, 1024, "block13_sepconv2", relu_first=True)
    x = MaxPooling2D((3, 3), strides=(2, 2), border_mode="same", name="block13_pool")(x)
    x = merge([x, residual], mode="sum")
    for k, nb_filter in ((1, 1536), (2, 2048)):  # exit flow: ReLU after BN
        x = _sepconv_bn(x, nb_filter, f"block14_sepconv{k}", relu_first=False)
        x = Activation("relu", name=f"block14_sepconv{k}_act")(x)
    return x


def Xception(include_top: bool = True, weights: str | None = "imagenet", input_tensor=None,
             input_shape: tuple | None = None, classes: int = 1000):
    """The Xception network, always in the 'tf' dim ordering.

    Arguments as for :func:`~tinygrad_keras.applications.VGG16`; the input is
    ``(None, 299, 299, 3)`` with ``include_top``, else sides of at least 71.
    Output shape: ``(None, classes)``, or ``(None, 10, 10, 2048)`` for 299x299 input.
    """
    check_weights("Xception", weights, include_top, classes)
    old_ordering = K.image_dim_ordering()
    if old_ordering != "tf":
        warnings.warn("Xception is only available for the 'tf' image dim ordering (rows, "
                      "cols, channels); the model returned expects 'tf' inputs although "
                      "the current setting is 'th'.")
        K.set_image_dim_ordering("tf")
    try:
        input_shape = _obtain_input_shape(input_shape, default_size=299, min_size=71,
                                          dim_ordering="tf", include_top=include_top)
        img_input = model_input("Xception", input_tensor, input_shape)
        x = _body(img_input)
        if include_top:
            x = GlobalAveragePooling2D(name="avg_pool")(x)
            x = Dense(classes, activation="softmax", name="predictions")(x)
        model = Model(model_inputs(input_tensor, img_input), x, name="xception")
        if weights == "imagenet":
            load_release(model, TF_WEIGHTS if include_top else TF_WEIGHTS_NO_TOP)
    finally:
        K.set_image_dim_ordering(old_ordering)
    return model


def preprocess_input(x) -> np.ndarray:
    """Pixel values 0-255 -> [-1, 1] (``x / 255 * 2 - 1``), as a new float array."""
    x = np.asarray(x)
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.dtype(K.floatx())
    return (x.astype(dtype) / 255.0 - 0.5) * 2.0
