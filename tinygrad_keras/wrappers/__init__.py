"""Wrappers that let other libraries use Keras models (``scikit_learn``)."""
