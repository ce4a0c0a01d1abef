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
# No peepholes; the gates use `inner_activation` (default `hard_sigmoid`,
# `clip(0.2 a + 0.5, 0, 1)`, a cheap piecewise-linear sigmoid), the cell input and output use
# `activation` (default tanh):
#
# | | |
# |---|---|
# | input gate | `i = hard_sigmoid(x_t W_i + b_i + h U_i)` |
# | forget gate | `f = hard_sigmoid(x_t W_f + b_f + h U_f)` |
# | cell | `c' = f * c + i * tanh(x_t W_c + b_c + h U_c)` |
# | output gate | `o = hard_sigmoid(x_t W_o + b_o + h U_o)` |
# | state | `h' = o * tanh(c')` |
#
# `get_weights()` returns 12 arrays in the order **i, c, f, o**:
# `[W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o]` (note: c before f), with
# `W_*` of shape `(input_dim, u)`, `U_*` `(u, u)`, `b_*` `(u,)`. `b_f` starts at ones
# (`forget_bias_init='one'`), so a fresh LSTM starts out keeping its cell.
#
# ## By hand, in numpy

# %%
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
# own gradient test). The equations are the same, and so are the numbers.
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
# In our run the forget gate of that unit sits between 0.84 and 0.92, and the cell's
# correlation with `x_0` reaches about ±1 after four steps and stays there to the end. (The
# sign is arbitrary: the Dense layer reads it either way.) The gates are not the clean 0/1
# switches of the textbook picture: the input gate stays about half open, and the network
# spreads the job over its units, each cancelling part of the others' noise. Retrain with
# another seed and the memory unit, the signs and the numbers change.
#
# ![Mean gate values of the memory unit over time, and how closely its cell follows x_0](lstm_gates.svg)
#
# The picture is an SVG written by the script itself, no plotting library needed (it was made
# by running the script in `docs/tutorials/`):

# %%
# A picture of the table, as SVG text (no plotting library needed).
def lines_svg(series: dict, path: str, width: int = 480, height: int = 240) -> None:
    """Curves with values in [0, 1] over the steps 0..T-1, one colour each, with a legend."""
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    n = len(next(iter(series.values())))
    margin = 30

    def xy(t: int, v: float) -> str:
        return (f"{margin + t * (width - 2 * margin) / (n - 1):.1f},"
                f"{height - margin - v * (height - 2 * margin):.1f}")

    parts = [f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<polyline points="{xy(0, 1)} {xy(0, 0)} {xy(n - 1, 0)}" fill="none" stroke="#888"/>',
             f'<text x="4" y="{height - margin + 4}" font-size="11">0</text>',
             f'<text x="4" y="{margin + 4}" font-size="11">1</text>']
    for k, (name, values) in enumerate(series.items()):
        points = " ".join(xy(t, v) for t, v in enumerate(values))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colours[k]}" '
                     f'stroke-width="2"/>')
        parts.append(f'<text x="{width - 150}" y="{margin + 14 * k}" font-size="12" '
                     f'fill="{colours[k]}">{name}</text>')
    parts.append(f'<text x="{width / 2 - 20}" y="{height - 8}" font-size="11">time step</text>')
    with open(path, "w") as f:
        f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
                + "".join(parts) + "</svg>\n")


lines_svg({"input gate i": gates["i"][:, :, unit].mean(axis=0),
           "forget gate f": gates["f"][:, :, unit].mean(axis=0),
           "output gate o": gates["o"][:, :, unit].mean(axis=0),
           "|corr(c_t, x_0)|": np.abs(memory)}, "lstm_gates.svg")
print("\nwrote lstm_gates.svg")

# %% [markdown]
# ## Exercise
#
# With `consume_less='gpu'` the LSTM stores 3 fused arrays instead of 12:
# `[W (input_dim, 4u), U (u, 4u), b (4u,)]`, the four `u`-wide blocks in the order
# **i, f, c, o**. Write `lstm_by_hand_gpu(x, weights)` in
# `tutorials/exercises/13_lstm_gates.py`, returning all states `(B, T, u)` from the fused
# weights. The test compares with `LSTM(..., consume_less='gpu', return_sequences=True)`,
# including a layer whose weights were set so that the blocks differ clearly:
#
# ```bash
# python -m tinygrad_keras.exercises check 13
# ```
#
# The reference answer is in `tutorials/solutions/13_lstm_gates.py`; read it after your own attempt passes.
