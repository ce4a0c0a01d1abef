"""Tutorial 12: a recurrent layer is a Python loop of Tensor operations.

We write SimpleRNN by hand from primitives, check it against the layer (outputs
and gradients), and look at the graph the loop records: backpropagation through
time is nothing more than ``backward()`` on that graph.

Run it:  python tutorials/12_rnn_is_a_loop.py   (writes rnn_3_steps.dot; .svg with Graphviz)
"""
import re
from collections import Counter

import numpy as np

from tinygrad_keras import Tensor
from tinygrad_keras.autodiff.viz import graph_nodes, graphviz_available, render_dot, to_dot
from tinygrad_keras.layers import SimpleRNN


# --8<-- [start:by_hand]
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
# --8<-- [end:by_hand]

# --8<-- [start:bptt]
# Backprop through time: the loss reads only the last state, yet the gradient of
# W collects a term from every step, because W was used at every step.
v = np.random.normal(size=(2, 4)).astype("float32")
(hand[-1] * Tensor(v)).sum().backward()

layer_out = layer(Tensor(x, requires_grad=True))              # fresh graph, same weights
(layer_out[:, -1] * Tensor(v)).sum().backward()
for name, mine, theirs in zip("WUb", (W, U, b), (layer.W, layer.U, layer.b)):
    print(f"d loss / d {name}: by hand == layer: {np.allclose(mine.grad, theirs.grad, atol=1e-5)}")
# --8<-- [end:bptt]

# --8<-- [start:vanishing]
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
# --8<-- [end:vanishing]
# --8<-- [end:vanishing]

# --8<-- [start:graph]
def graph_size(steps: int) -> tuple:
    """(nodes, edges) of the recorded graph of an RNN unrolled over ``steps``."""
    last = rnn_by_hand(Tensor(x[:, :steps]), W, U, b)[-1]
    lines = to_dot(last).splitlines()
    nodes = [line for line in lines if re.match(r"\s*n\d+ \[label=", line)]
    return len(nodes), sum(" -> " in line for line in lines)


for steps in range(1, 6):
    nodes, edges = graph_size(steps)
    print(f"{steps} steps: {nodes:3d} nodes, {edges:3d} edges")

three = rnn_by_hand(Tensor(x[:, :3]), W, U, b)[-1]
render_dot(to_dot(three), "rnn_3_steps.dot")
print("wrote rnn_3_steps.dot")
if graphviz_available():
    render_dot(to_dot(three), "rnn_3_steps.svg")
# --8<-- [end:graph]

# --8<-- [start:layer_graph]
# The layer's own graph: x_t W + b of all steps is one matrix product before the
# loop (consume_less='cpu'), so each step adds one MatMul (h U) instead of two.
def op_counts(steps: int) -> Counter:
    return Counter(t.op or "leaf" for t in graph_nodes(layer(Tensor(x[:, :steps]))))


print("one more step adds to the layer's graph:", dict(op_counts(4) - op_counts(3)))
# --8<-- [end:layer_graph]
