"""Exercise 5: a ``ScaleShift`` layer, ``gamma * x + beta`` per feature, that trains."""
import numpy as np

from ._helpers import close, require


def check(module) -> None:
    from tinygrad_keras.models import Sequential
    from tinygrad_keras.optimizers import SGD
    from tinygrad_keras.utils.test_utils import layer_test

    ScaleShift = module.ScaleShift
    x = np.random.default_rng(1).normal(size=(6, 3, 4)).astype("float32")
    layer_test(ScaleShift, input_data=x, expected_output=x)  # starts as the identity
    layer = ScaleShift(input_shape=(4,))
    model = Sequential([layer])
    model.compile(SGD(lr=0.2), "mse")
    shapes = [w.shape for w in layer.get_weights()]
    require(shapes == [(4,), (4,)], f"weights should be [gamma (4,), beta (4,)], got shapes {shapes}")
    gamma, beta = np.array([1, 2, 3, 4], "float32"), np.array([0, 1, 0, -1], "float32")
    layer.set_weights([gamma, beta])
    close(model.predict(x[:, 0]), x[:, 0] * gamma + beta,
          "output with gamma = [1, 2, 3, 4], beta = [0, 1, 0, -1]", rtol=1e-6)
    target = x[:, 0] * 0.5 - 2.0
    first = model.evaluate(x[:, 0], target, verbose=0)
    model.fit(x[:, 0], target, nb_epoch=50, batch_size=6, verbose=0)
    last = model.evaluate(x[:, 0], target, verbose=0)
    require(last < first / 2, f"ScaleShift does not learn: mse {first:.4g} -> {last:.4g} "
            "after 50 epochs (are gamma and beta trainable weights?)")
