"""Exercise 11: ``class_filter_means(model, X, y)``, each filter's mean response per digit."""
import numpy as np

from ._helpers import close


def _model(seed: int = 0):
    from tinygrad_keras.layers import Convolution2D, Dense, Flatten, MaxPooling2D
    from tinygrad_keras.models import Sequential
    from tinygrad_keras.optimizers import Adam

    np.random.seed(seed)
    model = Sequential([
        Convolution2D(16, 3, 3, border_mode="same", activation="relu", input_shape=(1, 8, 8)),
        MaxPooling2D(pool_size=(2, 2)), Flatten(), Dense(10, activation="softmax")])
    model.compile(Adam(lr=0.005), "categorical_crossentropy", metrics=["accuracy"])
    return model


def check(module) -> None:
    from tinygrad_keras.datasets import digits
    from tinygrad_keras.utils.np_utils import to_categorical

    (X, y), (Xt, yt) = digits.load_data()
    X, Xt = (a.reshape(-1, 1, 8, 8).astype("float32") / 16 for a in (X, Xt))
    model = _model()
    model.fit(X[:320], to_categorical(y[:320], 10), nb_epoch=1, batch_size=32, verbose=0)
    got = module.class_filter_means(model, Xt, yt)
    # the reference: the layer's 'same' correlation, bias and relu, straight from the weights
    W, b = model.layers[0].get_weights()
    padded = np.pad(Xt[:, 0], ((0, 0), (1, 1), (1, 1)))
    windows = np.stack([padded[:, i:i + 8, j:j + 8] for i in range(3) for j in range(3)], 1)
    maps = np.maximum(np.einsum("nkrc,fk->nfrc", windows, W[:, 0].reshape(16, 9))
                      + b[None, :, None, None], 0)
    expected = np.stack([maps[yt == d].mean(axis=(0, 2, 3)) for d in range(10)])
    close(got, expected, "the (10 digits, 16 filters) table of mean first-layer responses "
          "(after the relu)", rtol=1e-4, atol=1e-5)
