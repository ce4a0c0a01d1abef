"""Exercise 14 (reference answer): reset a stateful model every n batches.

Checked by: python -m tinygrad_keras.exercises check 14 --solution
"""
from tinygrad_keras.callbacks import Callback


class ResetStatesEvery(Callback):
    """Zero the model's recurrent states at the start of each epoch and after every
    ``n``-th batch of it (each sequence spans ``n`` consecutive batches)."""

    def __init__(self, n: int):
        super().__init__()
        self.n = int(n)

    def on_epoch_begin(self, epoch, logs=None):
        self.model.reset_states()

    def on_batch_end(self, batch, logs=None):
        # ``batch`` counts from 0 within the epoch
        if (batch + 1) % self.n == 0:
            self.model.reset_states()
