# %% [markdown]
# # 12. An RNN is a loop of Tensor operations
#
# A recurrent layer applies the same small computation at every time step, feeding each
# step's state into the next. In tinygrad_keras that is literally a Python `for` loop over
# Tensor operations: the loop records one graph through all the steps, and
# backpropagation through time (BPTT) is just `backward()` on it. No special code. The
# script is `tutorials/12_rnn_is_a_loop.py`.
#
# ## SimpleRNN by hand
#
# Keras 1.2.2's `SimpleRNN` computes `h_t = tanh(x_t W + b + h_{t-1} U)` from `h_0 = 0`,
# with weights `[W (input_dim, u), U (u, u), b (u,)]` in `get_weights()` order. Five lines of
# primitives compute the same thing as the layer:

# %%
import re
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np

from tinygrad_keras import Tensor
from tinygrad_keras.autodiff.viz import graph_nodes, to_dot
from tinygrad_keras.autodiff.viz_values import draw_values
from tinygrad_keras.layers import SimpleRNN


def rnn_by_hand(x: Tensor, W: Tensor, U: Tensor, b: Tensor) -> list:
    """SimpleRNN with tanh: h_t = tanh(x_t W + b + h_{t-1} U), h_0 = 0.

    x (B, T, D), W (D, u), U (u, u), b (u,) -> the list of the T states h_t (B, u).
    """
    h = Tensor(np.zeros((x.shape[0], U.shape[0]), dtype=x.dtype))
    states = []
    for t in range(x.shape[1]):
        h = (x[:, t] @ W + b + h @ U).tanh()   # the same weights at every step
        states.append(h)
    return states


np.random.seed(0)
x = np.random.normal(size=(2, 5, 3)).astype("float32")       # 2 sequences, 5 steps, 3 features
layer = SimpleRNN(4, return_sequences=True)
out = layer(Tensor(x))                                        # eager call: builds the weights
W, U, b = (Tensor(w, requires_grad=True) for w in layer.get_weights())
hand = rnn_by_hand(Tensor(x), W, U, b)
print("layer output", out.shape, " by hand == layer:",
      np.allclose(np.stack([h.data for h in hand], axis=1), out.data, atol=1e-6))

# %% [markdown]
# (The layer computes `x_t W + b` for all steps in one matrix product before the loop,
# which is what 1.2.2's `consume_less='cpu'` means, and is faster; the numbers are the same.)
#
# ## Backprop through time falls out of the engine
#
# The loss below reads only the last state. Its gradient with respect to `W` still collects
# one term per step, because the recorded graph uses `W` at every step and the engine adds
# the contributions of every use (the same rule as for any node used twice):

# %%
# Backprop through time: the loss reads only the last state, yet the gradient of
# W collects a term from every step, because W was used at every step.
v = np.random.normal(size=(2, 4)).astype("float32")
(hand[-1] * Tensor(v)).sum().backward()

layer_out = layer(Tensor(x, requires_grad=True))              # fresh graph, same weights
(layer_out[:, -1] * Tensor(v)).sum().backward()
for name, mine, theirs in zip("WUb", (W, U, b), (layer.W, layer.U, layer.b)):
    print(f"d loss / d {name}: by hand == layer: {np.allclose(mine.grad, theirs.grad, atol=1e-5)}")

# %% [markdown]
# The gradient reaching an early input went back through one factor `U^T diag(tanh')` per
# later step. When those factors are small it fades exponentially: the vanishing gradient
# that makes plain RNNs forget, and that the LSTM's cell (tutorial 13) was designed against:

# %%
# How much does the last state depend on each input step?  The gradient reaching
# x_t went back through one factor U^T * tanh' per later step: with a small U it
# fades as t moves back in time, with a large one it does not.
long_x = np.random.normal(size=(2, 12, 3)).astype("float32")
for scale in (0.5, 2.0):
    xt = Tensor(long_x, requires_grad=True)
    last = rnn_by_hand(xt, W, U * scale, b)[-1]
    (last * Tensor(v)).sum().backward()
    norms = np.linalg.norm(xt.grad, axis=(0, 2))
    print(f"U x {scale}: |d loss / d x_t|, t = 0..11:", " ".join(f"{n:.0e}" for n in norms))

# %% [markdown]
# ## The unrolled graph
#
# `to_dot` writes the recorded graph as Graphviz DOT text. Each step adds the same six
# nodes (the input slice, two matrix products, two additions, the tanh) and nine edges,
# while `W`, `U`, `b` and `h_0` appear once and are used by every step: the graph of `T`
# steps has `6T + 4` nodes and `9T` edges.

# %%
def graph_size(steps: int) -> tuple:
    """(nodes, edges) of the recorded graph of an RNN unrolled over ``steps``."""
    last = rnn_by_hand(Tensor(x[:, :steps]), W, U, b)[-1]
    lines = to_dot(last).splitlines()
    nodes = [line for line in lines if re.match(r"\s*n\d+ \[label=", line)]
    return len(nodes), sum(" -> " in line for line in lines)


for steps in range(1, 6):
    nodes, edges = graph_size(steps)
    print(f"{steps} steps: {nodes:3d} nodes, {edges:3d} edges")

W.name, U.name, b.name = "W", "U", "b"
three = rnn_by_hand(Tensor(x[:, :3]), W, U, b)[-1]
draw_values(three, show_values=False, title="SimpleRNN unrolled over 3 steps")
plt.show()

# %% [markdown]
# Read it from left to right, leaves in the first column: the input slices `x_t` (grey
# constants: `x` needs no gradient, so slicing it records nothing) and the zero state `h_0`.
# Each step multiplies `x_t` by `W`, adds `b` and the previous state times `U`, and applies
# `tanh`; the chain of `Tanh` nodes along the top row is the recurrence. The parameters
# `W`, `U` and `b` (yellow) each send one arrow into every step: those arrows are where
# backpropagation through time adds up the contributions of the steps. The same graph
# as Graphviz DOT text is `to_dot(three)`, for pictures of larger graphs.
#
# The layer records the same loop, with one difference: it computes `x_t W + b` for all the
# steps in one matrix product before the loop, so a step adds one `MatMul` (`h U`), one `Add`,
# the `Tanh` and the bookkeeping of taking step `t` out of the precomputed block:

# %%
# The layer's own graph: x_t W + b of all steps is one matrix product before the
# loop (consume_less='cpu'), so each step adds one MatMul (h U) instead of two.
def op_counts(steps: int) -> Counter:
    return Counter(t.op or "leaf" for t in graph_nodes(layer(Tensor(x[:, :steps]))))


print("one more step adds to the layer's graph:", dict(op_counts(4) - op_counts(3)))

# %% [markdown]
# ## Exercise
#
# Write `gru_by_hand(x, weights)` in `tutorials/exercises/12_rnn_is_a_loop.py`: a Keras 1.2.2
# `GRU` (activation tanh, inner activation hard_sigmoid `clip(0.2 a + 0.5, 0, 1)`) over `x`
# `(B, T, D)`, from the layer's 9 weight arrays `[W_z, U_z, b_z, W_r, U_r, b_r, W_h, U_h, b_h]`,
# returning all states `(B, T, u)`. The equations:
# `z = σ(x W_z + b_z + h U_z)`, `r = σ(x W_r + b_r + h U_r)`,
# `hh = tanh(x W_h + b_h + (r * h) U_h)`, `h' = z * h + (1 - z) * hh`. Numpy or Tensors, as
# you like; the check compares with `GRU(..., return_sequences=True)`:
#
# ```bash
# python -m tinygrad_keras.exercises check 12
# ```
#
# The reference answer is in `tutorials/solutions/12_rnn_is_a_loop.py`; read it after your own attempt passes.
