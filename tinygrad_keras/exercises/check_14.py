"""Exercise 14: ``ResetStatesEvery(n)``, a callback that resets a stateful model every n
batches and at the start of each epoch."""
import numpy as np

from ._helpers import require


def check(module) -> None:
    from tinygrad_keras import backend as K
    from tinygrad_keras.callbacks import Callback
    from tinygrad_keras.layers import LSTM, Dense
    from tinygrad_keras.models import Sequential

    np.random.seed(10)
    K.reset_uids()
    model = Sequential([LSTM(3, stateful=True, batch_input_shape=(2, 4, 1)), Dense(1)])
    model.compile("sgd", "mse")
    layer = model.layers[0]

    class StateSpy(Callback):
        """Records, before and after each batch, whether the states are all zero."""

        def __init__(self):
            super().__init__()
            self.zeroed, self.at_start = [], []

        def on_batch_begin(self, batch, logs=None):
            self.at_start.append(all(not s.data.any() for s in layer.states))

        def on_batch_end(self, batch, logs=None):
            self.zeroed.append(all(not s.data.any() for s in layer.states))

    x = np.random.normal(size=(12, 4, 1)).astype("float32")     # 6 batches of 2
    spy = StateSpy()
    layer.states[0].data += 1.0          # leftovers: the epoch must start from zeros
    model.fit(x, np.zeros((12, 1)), batch_size=2, nb_epoch=2, shuffle=False, verbose=0,
              callbacks=[module.ResetStatesEvery(3), spy])
    require(spy.at_start[0], "the states must be reset at the start of each epoch")
    every_third = [False, False, True, False, False, True] * 2
    require(spy.zeroed == every_third, "with n = 3 the states should be zero after batches "
            f"3 and 6 of each epoch only; zero after batch: {spy.zeroed}")
    require(spy.at_start == [True, False, False, True, False, False] * 2,
            f"zero at the start of batch: {spy.at_start}")
