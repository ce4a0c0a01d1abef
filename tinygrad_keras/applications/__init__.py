"""Keras 1.2.2's pretrained networks: ``from keras.applications import VGG16``.

Each function builds the network of its 1.2.2 namesake (same layer names and
shapes, both image dim orderings) and, with ``weights='imagenet'`` (``'msd'`` for the
music tagger), loads the weight file Keras 1.2.2 used, downloaded once into
``~/.keras/models``.  ``imagenet_utils`` holds ``preprocess_input`` and
``decode_predictions``.
"""
from .inception_v3 import InceptionV3
from .music_tagger_crnn import MusicTaggerCRNN
from .resnet50 import ResNet50
from .vgg16 import VGG16
from .vgg19 import VGG19
from .xception import Xception

__all__ = ["VGG16", "VGG19", "InceptionV3", "MusicTaggerCRNN", "ResNet50", "Xception"]
