"""VGG16 (Keras 1.2.2 ``keras.applications.vgg16``): 13 convolutions in five blocks and
three Dense layers; ImageNet weights for both dim orderings.

>>> from tinygrad_keras.applications import VGG16
>>> model = VGG16(weights=None, include_top=False, input_shape=(3, 48, 48))
>>> model.output_shape
(None, 512, 1, 1)
"""
from __future__ import annotations

from ._common import release_table
from ._vgg import build_vgg
from .imagenet_utils import decode_predictions, preprocess_input

__all__ = ["VGG16", "decode_predictions", "preprocess_input"]

RELEASES = release_table("vgg16", "v0.1")
TH_WEIGHTS, TF_WEIGHTS = RELEASES[("th", True)], RELEASES[("tf", True)]
TH_WEIGHTS_NO_TOP, TF_WEIGHTS_NO_TOP = RELEASES[("th", False)], RELEASES[("tf", False)]
TH_WEIGHTS_PATH, TF_WEIGHTS_PATH = TH_WEIGHTS.origin, TF_WEIGHTS.origin
TH_WEIGHTS_PATH_NO_TOP, TF_WEIGHTS_PATH_NO_TOP = TH_WEIGHTS_NO_TOP.origin, TF_WEIGHTS_NO_TOP.origin


def VGG16(include_top: bool = True, weights: str | None = "imagenet", input_tensor=None,
          input_shape: tuple | None = None, classes: int = 1000):
    """The VGG16 network in the current image dim ordering.

    Arguments: ``include_top`` (the three Dense layers; then the input must be
    224x224x3), ``weights`` (``None`` = random, ``'imagenet'`` = download once into
    ``~/.keras/models`` and load), ``input_tensor`` (a KerasTensor to build on, or a ``K.*``
    expression of Keras tensors: the input then stands for it),
    ``input_shape`` (without ``include_top``: 3 channels, sides >= 48), ``classes``.

    Input shape: ``(None, 3, rows, cols)`` ('th') or ``(None, rows, cols, 3)`` ('tf'),
    images from :func:`preprocess_input`.  Output shape: ``(None, classes)`` softmax
    scores, or the block5 pooled features ``(None, 512, rows/32, cols/32)`` ('th').
    """
    return build_vgg("VGG16", (2, 2, 3, 3, 3), RELEASES, include_top, weights, input_tensor,
                     input_shape, classes)
