"""Exercise 16: ``load_matching_weights(filepath, model)`` loads the weights of the layers
whose name and weight shapes match, and returns their names."""
import tempfile
from pathlib import Path

import numpy as np

from ._helpers import require


def check(module) -> None:
    from tinygrad_keras.layers import Dense
    from tinygrad_keras.models import Sequential

    np.random.seed(16)
    source = Sequential([Dense(8, input_dim=4, name="hidden"), Dense(1, name="out")])
    target = Sequential([Dense(8, input_dim=4, name="hidden"), Dense(3, name="out"),
                         Dense(2, name="extra")])
    out_before = target.layers[1].get_weights()
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "w.h5")
        source.save_weights(path)
        loaded = module.load_matching_weights(path, target)
        require(loaded == ["hidden"], "only 'hidden' matches by name and shapes ('out' has "
                f"another shape), so the result should be ['hidden'], got {loaded}")
        require(np.array_equal(target.layers[0].get_weights()[0], source.layers[0].get_weights()[0]),
                "'hidden' did not get the saved weights")
        require(np.array_equal(target.layers[1].get_weights()[0], out_before[0]),
                "'out' has other shapes and must be left as it was")
        source.compile("sgd", "mse")
        source.save(str(Path(tmp) / "m.h5"))            # a full save file works too
        loaded = module.load_matching_weights(str(Path(tmp) / "m.h5"), target)
        require(loaded == ["hidden"], f"from a model.save() file: expected ['hidden'], got {loaded}")
