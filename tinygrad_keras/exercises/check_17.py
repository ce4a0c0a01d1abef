"""Exercise 17: ``kernel_grad_norms(model, x, y)``, each layer's kernel-gradient norm by hand,
leaving the model as it was."""
import numpy as np

from ._helpers import close, require


def _deep(activation: str, depth: int = 6):
    from tinygrad_keras.layers import Dense
    from tinygrad_keras.models import Sequential

    np.random.seed(3)
    model = Sequential([Dense(16, input_dim=8, activation=activation)])
    for _ in range(depth - 1):
        model.add(Dense(16, activation=activation))
    model.add(Dense(4, activation="softmax"))
    model.compile("sgd", "categorical_crossentropy")
    return model


def check(module) -> None:
    rng = np.random.RandomState(0)
    x, y = rng.rand(20, 8), np.eye(4)[rng.randint(0, 4, 20)]
    for activation in ("sigmoid", "relu"):
        model = _deep(activation)
        before = model.get_weights()
        got = module.kernel_grad_norms(model, x, y)
        expected = [row.weights[0].grad_norm for row in model.explain_step(x, y).layers]
        close(got, expected, f"the 7 norms of a {activation} network (compare explain_step)",
              rtol=1e-4)
        require(all(np.array_equal(a, b) for a, b in zip(before, model.get_weights())),
                "the weights changed: measure the gradients, do not take an optimizer step")
        require(all(w.grad is None for w in model.trainable_weights),
                "clear the .grad of the weights afterwards (set them to None)")
