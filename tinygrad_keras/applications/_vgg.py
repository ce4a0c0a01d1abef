"""The VGG family (Simonyan & Zisserman, https://arxiv.org/abs/1409.1556) as Keras 1.2.2
built it: five blocks of 3x3 'same' ReLU convolutions, each block ending in a 2x2 max
pooling, then (``include_top``) Flatten and three Dense layers."""
from __future__ import annotations

from .. import backend as K
from ..layers import Convolution2D, Dense, Flatten, MaxPooling2D
from ..models import Model
from ._common import check_weights, load_release, model_input, model_inputs
from .imagenet_utils import _obtain_input_shape

FILTERS = (64, 128, 256, 512, 512)


def build_vgg(model_name: str, convs_per_block: tuple, releases: dict, include_top: bool,
              weights, input_tensor, input_shape, classes: int):
    """A VGG ``Model`` named ``model_name.lower()``; ``releases[(ordering, include_top)]``
    is the weight file to load with ``weights='imagenet'``."""
    check_weights(model_name, weights, include_top, classes)
    input_shape = _obtain_input_shape(input_shape, default_size=224, min_size=48,
                                      dim_ordering=K.image_dim_ordering(),
                                      include_top=include_top)
    img_input = model_input(model_name, input_tensor, input_shape)
    x = img_input
    for block, (nb_filter, n_convs) in enumerate(zip(FILTERS, convs_per_block), start=1):
        for conv in range(1, n_convs + 1):
            x = Convolution2D(nb_filter, 3, 3, activation="relu", border_mode="same",
                              name=f"block{block}_conv{conv}")(x)
        x = MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = Flatten(name="flatten")(x)
        x = Dense(4096, activation="relu", name="fc1")(x)
        x = Dense(4096, activation="relu", name="fc2")(x)
        x = Dense(classes, activation="softmax", name="predictions")(x)
    model = Model(model_inputs(input_tensor, img_input), x, name=model_name.lower())
    if weights == "imagenet":
        load_release(model, releases[(K.image_dim_ordering(), include_top)])
    return model
