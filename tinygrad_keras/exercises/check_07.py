"""Exercise 7: ``build_classifier(input_dim, nb_classes)`` reaches 90% on the digits."""
import numpy as np

from ._helpers import require


def check(module) -> None:
    from tinygrad_keras.datasets import digits
    from tinygrad_keras.utils.np_utils import to_categorical

    np.random.seed(3)
    (X, y), (Xt, yt) = digits.load_data()
    X, Xt = X.reshape(-1, 64).astype("float32") / 16, Xt.reshape(-1, 64).astype("float32") / 16
    model = module.build_classifier(64, 10)
    require(model.output_shape == (None, 10),
            f"the model should output (None, 10) class probabilities, got {model.output_shape}")
    history = model.fit(X, to_categorical(y, 10), nb_epoch=10, batch_size=32, verbose=0)
    require("acc" in history.history, "compile with metrics=['accuracy'] so fit reports 'acc'")
    _, acc = model.evaluate(Xt, to_categorical(yt, 10), verbose=0)
    require(acc >= 0.9, f"after 10 epochs the test accuracy is {acc:.3f}; it should reach 0.90")
