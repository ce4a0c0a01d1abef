"""Tutorial 14: stateful LSTMs, and when to reset them.

A stateful recurrent layer starts each batch from the states the previous batch
ended with, so one long sequence can be fed in short chunks.  That needs three
things from you: a fixed batch size, batches whose rows continue each other,
and ``reset_states()`` where a sequence really ends.

Run it:  python tutorials/14_stateful_lstm.py
"""
import numpy as np

from tinygrad_keras.layers import LSTM, Dense, TimeDistributed
from tinygrad_keras.models import Sequential
from tinygrad_keras.optimizers import Adam

# --8<-- [start:carry]
np.random.seed(0)
model = Sequential([LSTM(3, stateful=True, batch_input_shape=(2, 4, 1))])
x = np.random.normal(size=(2, 4, 1)).astype("float32")
first = model.predict(x, batch_size=2)
second = model.predict(x, batch_size=2)      # starts from where the first call ended
model.reset_states()                         # back to zeros
third = model.predict(x, batch_size=2)
print("same input twice gives the same output?", np.allclose(first, second))
print("after reset_states() it does again?    ", np.allclose(first, third))
# --8<-- [end:carry]

# --8<-- [start:chunks]
# One sequence of 12 steps, fed whole to a stateless LSTM and in 3 chunks of 4 to a
# stateful twin with the same weights: the outputs are the same.
whole = Sequential([LSTM(3, return_sequences=True, input_shape=(12, 1))])
chunked = Sequential([LSTM(3, return_sequences=True, stateful=True, batch_input_shape=(1, 4, 1))])
chunked.set_weights(whole.get_weights())
long_x = np.random.normal(size=(1, 12, 1)).astype("float32")
pieces = [chunked.predict(long_x[:, k:k + 4], batch_size=1) for k in (0, 4, 8)]
print("chunks of a stateful LSTM == the whole sequence:",
      np.allclose(np.concatenate(pieces, axis=1), whole.predict(long_x), atol=1e-6))
# --8<-- [end:chunks]

# --8<-- [start:batch_rule]
# The batch size is part of the state's shape, so every batch must have exactly it.
try:
    model.predict(np.zeros((3, 4, 1), "float32"), batch_size=3)
except ValueError as err:
    print("batch of 3 for a layer built for 2:", err)
# --8<-- [end:batch_rule]

# --8<-- [start:data]
# A task that needs the past: output the input of two steps ago.  8 long random
# sequences of 200 steps are cut into chunks of 10; the first two outputs of a chunk
# need the end of the previous chunk.
B, LENGTH, STEPS, DELAY = 8, 200, 10, 2
seq = np.random.uniform(-1, 1, size=(B, LENGTH, 1)).astype("float32")
target = np.zeros_like(seq)
target[:, DELAY:] = seq[:, :-DELAY]


def arrange(a: np.ndarray) -> np.ndarray:
    """(B, LENGTH, 1) -> (B * chunks, STEPS, 1) so that batch k holds chunk k of every
    sequence: row i of batch k + 1 continues row i of batch k."""
    chunks = a.reshape(B, LENGTH // STEPS, STEPS, 1).transpose(1, 0, 2, 3)
    return chunks.reshape(-1, STEPS, 1)


X, Y = arrange(seq), arrange(target)
print("\ntraining data", X.shape, "in batches of", B)
# --8<-- [end:data]

# --8<-- [start:train]
def train(stateful: bool, epochs: int = 15) -> Sequential:
    np.random.seed(1)
    net = Sequential([LSTM(8, return_sequences=True, stateful=stateful,
                           batch_input_shape=(B, STEPS, 1)),
                      TimeDistributed(Dense(1))])
    net.compile(Adam(lr=0.01), "mse")
    for _ in range(epochs):
        # shuffle=False keeps the batches in order; a new epoch starts new sequences
        net.fit(X, Y, batch_size=B, nb_epoch=1, shuffle=False, verbose=0)
        net.reset_states()
    return net


print("squared error     first 2 steps of a chunk   other steps")
for stateful in (True, False):
    net = train(stateful)
    err = (net.predict(X, batch_size=B) - Y) ** 2
    print(f"stateful={stateful!s:5}   {err[:, :DELAY].mean():22.4f}   {err[:, DELAY:].mean():11.4f}")
print(f"(always answering 0 scores {np.mean(Y ** 2):.3f})")
# --8<-- [end:train]
