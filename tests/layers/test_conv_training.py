"""Convolution layers inside real training: a small CNN learns the bundled digits
(1x8x8 images), and ``fit_generator`` drives an ``ImageDataGenerator`` as the
1.2.2 CIFAR-10 example does."""

import numpy as np
import pytest

from tinygrad_keras.datasets import digits
from tinygrad_keras.layers import Convolution2D, Dense, Flatten, MaxPooling2D
from tinygrad_keras.models import Sequential
from tinygrad_keras.preprocessing.image import ImageDataGenerator
from tinygrad_keras.utils.np_utils import to_categorical

pytestmark = pytest.mark.usefixtures("one_blas_thread")  # from tests/conftest.py


def digit_images(ordering):
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    shape = (-1, 1, 8, 8) if ordering == "th" else (-1, 8, 8, 1)
    x_train = x_train.reshape(shape).astype("float32") / 16
    x_test = x_test.reshape(shape).astype("float32") / 16
    return (x_train, to_categorical(y_train, 10)), (x_test, to_categorical(y_test, 10))


def small_cnn(ordering):
    shape = (1, 8, 8) if ordering == "th" else (8, 8, 1)
    model = Sequential()
    model.add(Convolution2D(32, 3, 3, border_mode="same", activation="relu",
                            input_shape=shape, dim_ordering=ordering))
    model.add(MaxPooling2D((2, 2), dim_ordering=ordering))
    model.add(Flatten())
    model.add(Dense(64, activation="relu"))
    model.add(Dense(10, activation="softmax"))
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    return model


def test_cnn_learns_the_digits():
    np.random.seed(0)
    (x_train, y_train), (x_test, y_test) = digit_images("th")
    model = small_cnn("th")
    model.fit(x_train, y_train, batch_size=32, nb_epoch=20, verbose=0)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy >= 0.97, f"test accuracy {accuracy:.4f} (loss {loss:.4f})"


def test_fit_generator_with_augmentation_tf_ordering():
    np.random.seed(1)
    (x_train, y_train), (x_test, y_test) = digit_images("tf")
    model = small_cnn("tf")
    before = model.evaluate(x_test, y_test, verbose=0)[0]
    datagen = ImageDataGenerator(featurewise_center=True, width_shift_range=0.1,
                                 height_shift_range=0.1, dim_ordering="tf")
    datagen.fit(x_train)
    history = model.fit_generator(datagen.flow(x_train, y_train, batch_size=32),
                                  samples_per_epoch=len(x_train), nb_epoch=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert np.isfinite(history.history["loss"]).all()
    x_std = np.stack([datagen.standardize(img) for img in x_test])
    assert model.evaluate(x_std, y_test, verbose=0)[0] < before
