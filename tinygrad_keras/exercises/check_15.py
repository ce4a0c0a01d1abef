"""Exercise 15: ``dense_residual(x, hidden_units)``, x + Dense(relu(Dense(x))) in the
functional API."""
import numpy as np

from ._helpers import close, require


def check(module) -> None:
    from tinygrad_keras.layers import Dense, Input
    from tinygrad_keras.models import Model

    np.random.seed(15)
    x = Input(shape=(5,))
    y = module.dense_residual(x, 7)
    require(y.shape == (None, 5), f"the block must keep the input's shape (None, 5), got {y.shape}")
    model = Model(x, y)
    dense = [la for la in model.layers if isinstance(la, Dense)]
    require([d.output_dim for d in dense] == [7, 5],
            f"expected two Dense layers of 7 and 5 units, got {[d.output_dim for d in dense]}")
    data = np.random.randn(4, 5).astype("float32")
    (W1, b1), (W2, b2) = dense[0].get_weights(), dense[1].get_weights()
    close(model.predict(data), data + np.maximum(data @ W1 + b1, 0) @ W2 + b2,
          "x + Dense_5(relu(Dense_7(x)))", rtol=1e-5, atol=1e-6)
    model.compile("sgd", "mse")
    model.train_on_batch(data, np.zeros((4, 5)))
    require(not np.array_equal(dense[0].get_weights()[0], W1),
            "one training step did not change the first Dense layer: is it on the path?")
