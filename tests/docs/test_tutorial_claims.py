"""Claims the tutorial pages make about training runs, checked on more than one seed."""
import pytest

from tinygrad_keras.exercises.check_11 import _model


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tutorial11_cnn_reaches_095(seed):
    from tinygrad_keras.datasets import digits
    from tinygrad_keras.utils.np_utils import to_categorical

    (X, y), (Xt, yt) = digits.load_data()
    X, Xt = (a.reshape(-1, 1, 8, 8).astype("float32") / 16 for a in (X, Xt))
    model = _model(seed)
    model.fit(X, to_categorical(y, 10), nb_epoch=8, batch_size=32, verbose=0)
    _, acc = model.evaluate(Xt, to_categorical(yt, 10), verbose=0)
    assert acc >= 0.95, f"seed {seed}: test accuracy {acc:.3f}"
