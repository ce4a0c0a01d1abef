"""Exercise 14: your answer goes here (see the end of tutorials/14_stateful_lstm.py).

Replace each ``raise NotImplementedError(...)`` with your code, then check it from
the repository root:

    python -m tinygrad_keras.exercises check 14
"""
from tinygrad_keras.callbacks import Callback


class ResetStatesEvery(Callback):
    """Zero the model's recurrent states at the start of each epoch and after every
    ``n``-th batch of it (each sequence spans ``n`` consecutive batches)."""

    def __init__(self, n: int):
        super().__init__()
        self.n = int(n)

    def on_epoch_begin(self, epoch, logs=None):
        raise NotImplementedError("reset the model's states")

    def on_batch_end(self, batch, logs=None):
        # ``batch`` counts from 0 within the epoch
        raise NotImplementedError("reset the model's states after every n-th batch of the epoch")
