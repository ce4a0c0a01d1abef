"""Exercise 7 (reference answer): a digits classifier in the Keras 1 style.

Checked by: python -m tinygrad_keras.exercises check 7 --solution
"""
from tinygrad_keras.layers import Dense, Dropout
from tinygrad_keras.models import Sequential


def build_classifier(input_dim: int, nb_classes: int) -> Sequential:
    """A compiled relu MLP: ``(None, input_dim)`` -> class probabilities ``(None, nb_classes)``."""
    model = Sequential()
    model.add(Dense(128, input_dim=input_dim, activation="relu"))
    model.add(Dropout(0.2))
    model.add(Dense(nb_classes, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model
