"""Keras 1 utilities (import the submodules: ``from keras.utils import np_utils``)."""
