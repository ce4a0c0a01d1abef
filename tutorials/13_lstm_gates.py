# %% [markdown]
# # 13. LSTM gates
#
# An LSTM carries a second state, the cell `c`, that is changed only by elementwise
# gating: a forget gate scales what was there, an input gate adds something new. When the
# forget gate is near 1 and the input gate near 0, the cell keeps its value through any
# number of steps, and so does the gradient flowing back along it. The script is
# `tutorials/13_lstm_gates.py`.
#
# ## The Keras 1.2.2 equations
#
# No peepholes; the gates use `inner_activation` $\sigma$ (default `hard_sigmoid`,
# $\sigma(a) = \mathrm{clip}(0.2a + 0.5, 0, 1)$, a cheap piecewise-linear sigmoid), the cell
# input and output use `activation` (default $\tanh$). At step $t$, from the input $x_t$ and
# the previous state $h_{t-1}$ and cell $c_{t-1}$:
#
# $$\begin{array}{rcll}
# i_t &=& \sigma(x_t W_i + h_{t-1} U_i + b_i) & \text{input gate: how much to write} \\
# f_t &=& \sigma(x_t W_f + h_{t-1} U_f + b_f) & \text{forget gate: how much to keep} \\
# g_t &=& \tanh(x_t W_c + h_{t-1} U_c + b_c) & \text{what to write} \\
# c_t &=& f_t \odot c_{t-1} + i_t \odot g_t & \text{the cell} \\
# o_t &=& \sigma(x_t W_o + h_{t-1} U_o + b_o) & \text{output gate} \\
# h_t &=& o_t \odot \tanh(c_t) & \text{the state}
# \end{array}$$
#
# Why this helps the gradient: along the cell, one step back is an elementwise product,
#
# $$\frac{\partial c_t}{\partial c_{t-1}} = \mathrm{diag}(f_t) \; + \;
#   (\text{terms through } h_{t-1}) ,$$
#
# so the gradient that flows back $k$ steps along the cell is multiplied by
# $f_t f_{t-1} \cdots f_{t-k+1}$: it survives as long as the forget gates stay near 1. In
# the plain RNN of tutorial 12 every step back multiplies by $U^\top \mathrm{diag}(\tanh')$
# instead, which shrinks or grows geometrically.
#
# `get_weights()` returns 12 arrays in the order **i, c, f, o**:
# `[W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o]` (note: c before f), with
# `W_*` of shape `(input_dim, u)`, `U_*` `(u, u)`, `b_*` `(u,)`. `b_f` starts at ones
# (`forget_bias_init='one'`): a fresh LSTM's forget gate starts near
# $\sigma(1) = 0.7$ instead of $\sigma(0) = 0.5$. That is a head start, not memory: keeping
# 70% per step leaves $0.7^{10} \approx 3\%$ of the cell after ten steps, so training still
# has to push $f$ towards 1 where something must be remembered.
#
# ## By hand, in numpy

# %%
import matplotlib.pyplot as plt
import numpy as np

from tinygrad_keras.layers import LSTM, Dense
from tinygrad_keras.models import Model, Sequential
from tinygrad_keras.optimizers import Adam


def hard_sigmoid(a: np.ndarray) -> np.ndarray:
    """Keras 1.2.2's default inner activation: clip(0.2 a + 0.5, 0, 1)."""
    return np.clip(0.2 * a + 0.5, 0.0, 1.0)


def lstm_by_hand(x: np.ndarray, weights: list) -> tuple:
    """An LSTM (tanh, hard_sigmoid gates) over x (B, T, D) from its 12 weight arrays,
    in 1.2.2's order [W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o].

    Returns the states h (B, T, u) and a dict of the gate values i, f, o, c, each (B, T, u).
    """
    W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o = weights
    B, T, _ = x.shape
    h = c = np.zeros((B, U_i.shape[0]), dtype=x.dtype)
    trace = {k: [] for k in "ifoc"}
    for t in range(T):
        x_t = x[:, t]
        i = hard_sigmoid(x_t @ W_i + b_i + h @ U_i)          # input gate: write?
        f = hard_sigmoid(x_t @ W_f + b_f + h @ U_f)          # forget gate: keep?
        c = f * c + i * np.tanh(x_t @ W_c + b_c + h @ U_c)   # the cell (memory)
        o = hard_sigmoid(x_t @ W_o + b_o + h @ U_o)          # output gate: show?
        h = o * np.tanh(c)
        for k, value in zip("ifoc", (i, f, o, c)):
            trace[k].append(value)
    stack = {k: np.stack(v, axis=1) for k, v in trace.items()}
    return stack["o"] * np.tanh(stack["c"]), stack


np.random.seed(0)
x = np.random.normal(size=(3, 6, 2)).astype("float32")
probe = Sequential([LSTM(5, return_sequences=True, input_shape=(6, 2))])
weights = probe.layers[0].get_weights()
print("get_weights():", len(weights), "arrays, shapes", [w.shape for w in weights[:3]], "...")
h, gates = lstm_by_hand(x, weights)
print("by hand == layer:", np.allclose(h, probe.predict(x), atol=1e-5))

# %% [markdown]
# The layer gets there differently, for speed: it puts the four gates' weights side by
# side so that each step needs one `h U` product, folds hard_sigmoid's `0.2 a + 0.5` into
# those weights once per batch (leaving a clip per step), and computes the elementwise rest
# of a step with one fused primitive, `LSTMCell` (in `autodiff/ops/recurrent.py`, with its
# own gradient test). When nothing needs the step-by-step graph (no mask, no recurrent
# dropout), it goes one step further and runs the whole loop as one primitive, `LSTMLoop`
# (`autodiff/ops/recurrent_loop.py`), whose backward through time is written by hand;
# `layer.loop_primitive = False` brings back the readable loop. The equations are the same,
# and so are the numbers.
#
# ## Watching the gates
#
# A task that needs memory: read ten numbers, output the first. A 4-unit LSTM learns it in
# a few seconds:

# %%
# A task that needs memory: read 10 numbers, output the first one.
T = 10
X = np.random.uniform(-1, 1, size=(512, T, 1)).astype("float32")
Y = X[:, 0, :]
model = Sequential([LSTM(4, input_shape=(T, 1)), Dense(1)])
model.compile(Adam(lr=0.02), "mse")
history = model.fit(X, Y, nb_epoch=20, batch_size=32, verbose=0)
print(f"mse after 20 epochs: {history.history['loss'][-1]:.4f} "
      f"(predicting 0 would give {np.mean(Y ** 2):.3f})")

# %% [markdown]
# We pick the unit whose final cell follows the first input most closely and print its gates
# (averaged over the sequences) and the correlation between its cell and `x_0` at every step:

# %%
# Which unit carries the memory?  The one whose final cell follows x_0 most closely.
lstm = model.layers[0]
h, gates = lstm_by_hand(X, lstm.get_weights())
final = Model(input=model.input, output=lstm.output).predict(X)
assert np.allclose(h[:, -1], final, atol=1e-5)                # still the layer's numbers


def follows_first(cells: np.ndarray) -> np.ndarray:
    """Correlation over the samples of each column of cells (B, n) with x_0."""
    return np.array([np.corrcoef(cells[:, k], X[:, 0, 0])[0, 1] for k in range(cells.shape[1])])


unit = int(np.argmax(np.abs(follows_first(gates["c"][:, -1]))))
print(f"\nunit {unit}: gates averaged over the 512 sequences, and how much c_t follows x_0")
print(" t     i     f     o   corr(c_t, x_0)")
memory = follows_first(gates["c"][:, :, unit])
for t in range(T):
    i, f, o = (gates[k][:, t, unit].mean() for k in "ifo")
    print(f"{t:2d}  {i:.2f}  {f:.2f}  {o:.2f}   {memory[t]:+.2f}")

# %% [markdown]
# The correlation starts at $+1$ *by construction*: at step 0 the cell is empty and $h$ is
# 0, so $c_0 = i_0 \odot \tanh(x_0 W_c + b_c)$ is a function of $x_0$ alone. What happens
# next is not the textbook picture of a gate that closes over a stored value. Split each
# step's cell into what was kept, $f_t \odot c_{t-1}$, and what was written,
# $i_t \odot g_t$, and correlate both with $x_0$:

# %%
c_unit, f_unit = gates["c"][:, :, unit], gates["f"][:, :, unit]
previous = np.concatenate([np.zeros_like(c_unit[:, :1]), c_unit[:, :-1]], axis=1)
kept, written = f_unit * previous, c_unit - f_unit * previous
print(" t   corr(kept, x_0)  corr(written, x_0)  spread of c_t (std)")
for t in range(T):
    kept_corr = f"{follows_first(kept[:, t:t + 1])[0]:+.2f}" if t else "  - "
    print(f"{t:2d}       {kept_corr}             {follows_first(written[:, t:t + 1])[0]:+.2f}"
          f"               {c_unit[:, t].std():.2f}")

# %% [markdown]
# From step 1 on, what the unit *writes* is anti-correlated with $x_0$: it writes through
# $h_{t-1} U_c$, and $h$ carries $x_0$ from step 0 on, with a weight of the opposite sign.
# The small positive first copy is kept with $f \approx 0.85$, the new negative writes are
# larger, so the sum crosses zero (the dip to a small correlation at step 1 and the change
# of sign at step 2), and from then on every step adds another negative copy of $x_0$ to a
# cell that keeps about 90% of itself: the cell's spread grows twentyfold and its
# correlation settles near $-1$. The sign does not matter, the Dense layer reads it either
# way. This unit remembers by re-writing its memory from its own state, a loop, rather than
# by closing its input gate; the input gate stays between 0.6 and 0.7 throughout. Retrain with
# another seed and the memory unit, the signs and the numbers change; the numbers above are
# from this page's run.

# %%
fig, (ax_gates, ax_corr) = plt.subplots(1, 2, figsize=(10, 3.4))
for k, label in (("i", "input gate i"), ("f", "forget gate f"), ("o", "output gate o")):
    ax_gates.plot(range(T), gates[k][:, :, unit].mean(axis=0), marker="o", label=label)
ax_gates.set(xlabel="time step t", ylabel="mean over the sequences", ylim=(0, 1),
             title=f"gates of unit {unit}")
ax_gates.legend(loc="lower right", fontsize=8)
ax_corr.axhline(0, color="0.6", lw=0.8)
ax_corr.plot(range(T), memory, marker="o", color="black", label="corr(c_t, x_0)")
ax_corr.plot(range(1, T), follows_first(written[:, 1:]), marker=".", ls="--",
             label="corr(written_t, x_0)")
ax_corr.set(xlabel="time step t", ylim=(-1.05, 1.05), title="how much the cell follows x_0")
ax_corr.legend(loc="upper right", fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Exercise
#
# With `consume_less='gpu'` the LSTM stores 3 fused arrays instead of 12:
# `[W (input_dim, 4u), U (u, 4u), b (4u,)]`, the four `u`-wide blocks in the order
# **i, f, c, o**. Write `lstm_by_hand_gpu(x, weights)` in
# `tutorials/exercises/13_lstm_gates.py`, returning all states `(B, T, u)` from the fused
# weights. The check compares with `LSTM(..., consume_less='gpu', return_sequences=True)`,
# including a layer whose weights were set so that the blocks differ clearly:
#
# ```bash
# python -m tinygrad_keras.exercises check 13
# ```
#
# The reference answer is in `tutorials/solutions/13_lstm_gates.py`; read it after your own attempt passes.
