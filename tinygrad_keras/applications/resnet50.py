"""ResNet50 (He et al., https://arxiv.org/abs/1512.03385) as Keras 1.2.2's
``keras.applications.resnet50`` builds it: a 7x7 stem, 16 bottleneck blocks in four
stages (each adding its input back: ``merge(mode='sum')``), average pooling and one
softmax Dense layer; ImageNet weights for both dim orderings.
"""
from __future__ import annotations

from .. import backend as K
from ..layers import (
    Activation,
    AveragePooling2D,
    BatchNormalization,
    Convolution2D,
    Dense,
    Flatten,
    MaxPooling2D,
    ZeroPadding2D,
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
from .imagenet_utils import _obtain_input_shape, decode_predictions, preprocess_input

__all__ = ["ResNet50", "conv_block", "decode_predictions", "identity_block",
           "preprocess_input"]

RELEASES = release_table("resnet50", "v0.2", md5={
    ("th", True): "1c1f8f5b0c8ee28fe9d950625a230e1c",
    ("th", False): "f64f049c92468c9affcd44b0976cdafe",
    ("tf", True): "a7b3fe01876f51b976af0dea6bc144eb",
    ("tf", False): "a268eb855778b3df3c7506639542a6af",
})
TH_WEIGHTS_PATH, TF_WEIGHTS_PATH = RELEASES[("th", True)].origin, RELEASES[("tf", True)].origin
TH_WEIGHTS_PATH_NO_TOP = RELEASES[("th", False)].origin
TF_WEIGHTS_PATH_NO_TOP = RELEASES[("tf", False)].origin


def _conv_bn(x, nb_filter: int, size: int, name: str, relu: bool, **conv_args):
    """Convolution2D ``res<name>`` -> BatchNormalization ``bn<name>`` (-> ReLU)."""
    x = Convolution2D(nb_filter, size, size, name="res" + name, **conv_args)(x)
    x = BatchNormalization(axis=channel_axis(), name="bn" + name)(x)
    return Activation("relu")(x) if relu else x


def _bottleneck(input_tensor, kernel_size: int, filters, stage: int, block: str,
                strides: tuple):
    """The main path of a block: 1x1 (stride ``strides``), kxk 'same', 1x1 convolutions."""
    nb_filter1, nb_filter2, nb_filter3 = filters
    base = f"{stage}{block}_branch"
    x = _conv_bn(input_tensor, nb_filter1, 1, base + "2a", True, subsample=strides)
    x = _conv_bn(x, nb_filter2, kernel_size, base + "2b", True, border_mode="same")
    return _conv_bn(x, nb_filter3, 1, base + "2c", False)


def identity_block(input_tensor, kernel_size: int, filters, stage: int, block: str):
    """``relu(main_path(x) + x)``: a block whose input already has ``filters[2]`` channels.
    Layer names ``res<stage><block>_branch2a``... as in 1.2.2."""
    x = _bottleneck(input_tensor, kernel_size, filters, stage, block, (1, 1))
    return Activation("relu")(merge([x, input_tensor], mode="sum"))


def conv_block(input_tensor, kernel_size: int, filters, stage: int, block: str,
               strides: tuple = (2, 2)):
    """``relu(main_path(x) + shortcut(x))`` where the shortcut is a strided 1x1 convolution
    (``res<stage><block>_branch1``) bringing ``x`` to ``filters[2]`` channels."""
    x = _bottleneck(input_tensor, kernel_size, filters, stage, block, strides)
    shortcut = _conv_bn(input_tensor, filters[2], 1, f"{stage}{block}_branch1", False,
                        subsample=strides)
    return Activation("relu")(merge([x, shortcut], mode="sum"))


# (stage, filters, identity blocks after the conv block)
STAGES = ((2, (64, 64, 256), "bc"), (3, (128, 128, 512), "bcd"),
          (4, (256, 256, 1024), "bcdef"), (5, (512, 512, 2048), "bc"))


def ResNet50(include_top: bool = True, weights: str | None = "imagenet", input_tensor=None,
             input_shape: tuple | None = None, classes: int = 1000):
    """The ResNet50 network in the current image dim ordering.

    Arguments as for :func:`~tinygrad_keras.applications.VGG16`; without ``include_top``
    the sides must be at least 197 (the final 7x7 average pooling needs a 7x7 map).
    Output shape: ``(None, classes)``, or ``(None, 2048, 1, 1)`` ('th') for 224x224 input
    without ``include_top``.
    """
    check_weights("ResNet50", weights, include_top, classes)
    input_shape = _obtain_input_shape(input_shape, default_size=224, min_size=197,
                                      dim_ordering=K.image_dim_ordering(),
                                      include_top=include_top)
    img_input = model_input("ResNet50", input_tensor, input_shape)
    x = ZeroPadding2D((3, 3))(img_input)
    x = Convolution2D(64, 7, 7, subsample=(2, 2), name="conv1")(x)
    x = BatchNormalization(axis=channel_axis(), name="bn_conv1")(x)
    x = Activation("relu")(x)
    x = MaxPooling2D((3, 3), strides=(2, 2))(x)
    for stage, filters, identity_blocks in STAGES:
        x = conv_block(x, 3, filters, stage=stage, block="a",
                       strides=(1, 1) if stage == 2 else (2, 2))
        for block in identity_blocks:
            x = identity_block(x, 3, filters, stage=stage, block=block)
    x = AveragePooling2D((7, 7), name="avg_pool")(x)
    if include_top:
        x = Flatten()(x)
        x = Dense(classes, activation="softmax", name="fc1000")(x)
    model = Model(model_inputs(input_tensor, img_input), x, name="resnet50")
    if weights == "imagenet":
        load_release(model, RELEASES[(K.image_dim_ordering(), include_top)])
    return model
