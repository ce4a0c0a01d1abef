"""Exercise 12: ``gru_by_hand(x, weights)``, a Keras 1.2.2 GRU from its 9 weight arrays."""
import numpy as np

from ._helpers import close


def check(module) -> None:
    from tinygrad_keras.layers import GRU
    from tinygrad_keras.models import Sequential

    np.random.seed(10)
    model = Sequential([GRU(5, return_sequences=True, input_shape=(7, 3))])
    layer = model.layers[0]
    # larger weights than the initialisers give, so that hard_sigmoid's clipping matters
    rng = np.random.default_rng(12)
    layer.set_weights([rng.normal(scale=1.5, size=w.shape).astype("float32")
                       for w in layer.get_weights()])
    x = rng.normal(size=(4, 7, 3)).astype("float32")
    close(np.asarray(gru_output(module, x, layer)), model.predict(x),
          "all states (4 sequences, 7 steps, 5 units) against GRU(5, return_sequences=True)",
          rtol=1e-4, atol=1e-5)


def gru_output(module, x, layer):
    out = module.gru_by_hand(x, layer.get_weights())
    return out.data if hasattr(out, "data") and not isinstance(out, np.ndarray) else out
