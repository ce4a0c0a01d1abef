# %% [markdown]
# # 14. Stateful LSTMs, and when to reset
#
# A recurrent layer normally starts every batch from zero states. With `stateful=True` it
# starts from the states the previous batch ended with: sample `i` of a batch continues
# sample `i` of the previous one. That lets a model read a sequence far longer than it can
# unroll at once, chunk by chunk. The script is `tutorials/14_stateful_lstm.py`.
#
# ## States are carried between calls
#
# `predict`, `fit`, `evaluate` and `train_on_batch` all carry the states; `reset_states()`
# (on the model or the layer) sets them back to zeros:

# %%
import numpy as np

from tinygrad_keras.layers import LSTM, Dense, TimeDistributed
from tinygrad_keras.models import Sequential
from tinygrad_keras.optimizers import Adam

np.random.seed(0)
model = Sequential([LSTM(3, stateful=True, batch_input_shape=(2, 4, 1))])
x = np.random.normal(size=(2, 4, 1)).astype("float32")
first = model.predict(x, batch_size=2)
second = model.predict(x, batch_size=2)      # starts from where the first call ended
model.reset_states()                         # back to zeros
third = model.predict(x, batch_size=2)
print("same input twice gives the same output?", np.allclose(first, second))
print("after reset_states() it does again?    ", np.allclose(first, third))

# %% [markdown]
# So a chunked sequence gives exactly what the whole sequence gives to a stateless twin:

# %%
# One sequence of 12 steps, fed whole to a stateless LSTM and in 3 chunks of 4 to a
# stateful twin with the same weights: the outputs are the same.
whole = Sequential([LSTM(3, return_sequences=True, input_shape=(12, 1))])
chunked = Sequential([LSTM(3, return_sequences=True, stateful=True, batch_input_shape=(1, 4, 1))])
chunked.set_weights(whole.get_weights())
long_x = np.random.normal(size=(1, 12, 1)).astype("float32")
pieces = [chunked.predict(long_x[:, k:k + 4], batch_size=1) for k in (0, 4, 8)]
print("chunks of a stateful LSTM == the whole sequence:",
      np.allclose(np.concatenate(pieces, axis=1), whole.predict(long_x), atol=1e-6))

# %% [markdown]
# ## The rules
#
# 1. **A fixed batch size**, given in the first layer as
#    `batch_input_shape=(batch_size, timesteps, features)` (or `batch_shape` on an `Input`):
#    the stored states have that many rows. Pass the same `batch_size` to `fit`, `predict`
#    and `evaluate`, and make the number of samples a multiple of it (a short last batch
#    would not fit the states).
# 2. **Rows that continue each other**: sample `i` of batch `k + 1` must be the next chunk
#    of sample `i` of batch `k`. Arrange the data that way, and train with
#    `shuffle=False` (shuffling would mix chunks of different sequences).
# 3. **Reset where the sequences end**: call `model.reset_states()` before feeding new,
#    unrelated sequences. In practice: after each epoch (the usual loop is `fit` with
#    `nb_epoch=1` inside a Python loop, then `reset_states()`), and before predicting on
#    new data.

# %%
# The batch size is part of the state's shape, so every batch must have exactly it.
try:
    model.predict(np.zeros((3, 4, 1), "float32"), batch_size=3)
except ValueError as err:
    print("batch of 3 for a layer built for 2:", err)

# %% [markdown]
# ## When it matters
#
# Outputting the input of two steps ago is easy within a chunk, but the first two outputs
# of a chunk need the previous chunk. Eight long sequences are cut into chunks of ten steps
# and arranged by rule 2:

# %%
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

# %% [markdown]
# The same network is trained stateful and stateless, the same way:

# %%
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

# %% [markdown]
# The stateless network is no better than answering 0 on the first two steps of every
# chunk; it cannot know what came before. The stateful one carries it over. This is the
# Keras 1 guide's stateful example (stacked LSTMs with `stateful=True`,
# `batch_input_shape`, `shuffle=False`) reduced to one layer and a task where the carried
# state is visibly needed; the guide's example itself, three stacked stateful LSTMs, runs
# unchanged in [tutorial 7](07_sequential_quickstart.py#the-same-stack-stateful).
#
# ## Exercise
#
# When each training sequence spans several consecutive batches, the states must be reset
# after the last batch of each sequence, not only between epochs. Write a callback
# `ResetStatesEvery(n)` in `tutorials/exercises/14_stateful_lstm.py` (a subclass of
# `tinygrad_keras.callbacks.Callback`) that calls `self.model.reset_states()` after every
# `n`-th batch of an epoch, and also at the start of each epoch. The check trains a stateful
# model with it and checks, batch by batch, that the states were zeroed exactly where they
# should be:
#
# ```bash
# python -m tinygrad_keras.exercises check 14
# ```
#
# The reference answer is in `tutorials/solutions/14_stateful_lstm.py`; read it after your own attempt passes.
