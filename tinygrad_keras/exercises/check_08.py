"""Exercise 8: ``l1_distance``, a callable Merge mode: sum(|a - b|) over the last axis."""
import numpy as np

from ._helpers import close, require


def check(module) -> None:
    from tinygrad_keras.layers import Dense, Merge
    from tinygrad_keras.models import Sequential

    np.random.seed(4)
    left, right = Sequential([Dense(3, input_dim=4)]), Sequential([Dense(3, input_dim=4)])
    model = Sequential([Merge([left, right], mode=module.l1_distance, output_shape=(1,))])
    model.compile(optimizer="sgd", loss="mse")
    x1, x2 = np.random.random((6, 4)), np.random.random((6, 4))
    a, b = left.predict(x1), right.predict(x2)
    close(model.predict([x1, x2]), np.abs(a - b).sum(-1, keepdims=True),
          "the merged output for a batch of 6 (one distance per sample, shape (6, 1))", rtol=1e-5)
    before = model.evaluate([x1, x2], np.zeros((6, 1)), verbose=0)
    model.fit([x1, x2], np.zeros((6, 1)), nb_epoch=10, batch_size=6, verbose=0)
    after = model.evaluate([x1, x2], np.zeros((6, 1)), verbose=0)
    require(after < before, f"training does not reduce the distance ({before:.4g} -> {after:.4g}): "
            "build it from Tensor operations so gradients reach both branches")
