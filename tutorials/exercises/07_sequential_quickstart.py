"""Exercise 7: your answer goes here (see the end of tutorials/07_sequential_quickstart.py).

Replace each ``raise NotImplementedError(...)`` with your code, then check it from
the repository root:

    python -m tinygrad_keras.exercises check 7
"""
from tinygrad_keras.layers import Dense, Dropout
from tinygrad_keras.models import Sequential


def build_classifier(input_dim: int, nb_classes: int) -> Sequential:
    """A compiled relu MLP: ``(None, input_dim)`` -> class probabilities ``(None, nb_classes)``."""
    raise NotImplementedError("build, compile (with metrics=['accuracy']) and return a Sequential MLP")
