"""Tutorial 1: Tensors and operator tracking.

Run it:  python tutorials/01_tensors.py
A Tensor is a numpy array that remembers which operation made it and from what.
"""
import numpy as np

from tinygrad_keras import Tensor, no_grad

# --8<-- [start:create]
# Python numbers and lists become float32, the Keras default (floatx);
# a numpy array keeps its own dtype (gradient checks use float64).
a = Tensor([[1.0, 2.0], [3.0, 4.0]])
b = Tensor(np.arange(4.0).reshape(2, 2))
print("a:", a.shape, a.dtype, "| b:", b.shape, b.dtype)
# --8<-- [end:create]

# --8<-- [start:record]
# requires_grad=True marks a leaf we want gradients for (a weight, an input).
w = Tensor([[0.5, -1.0], [2.0, 0.0]], requires_grad=True)
x = Tensor([[1.0, 2.0]])
y = (x @ w).relu()
loss = (y * y).sum()
print("loss:", loss)
print("loss.op =", loss.op, "| its parents:", [p.op for p in loss.parents])
# --8<-- [end:record]

# --8<-- [start:walk]
def show_graph(t: Tensor) -> None:
    """Print the recorded graph under ``t``, one node per line, indented by depth.

    Iterative (an explicit stack), because graphs can be deeper than Python's
    recursion limit.
    """
    stack = [(t, 0)]
    while stack:
        node, depth = stack.pop()
        label = node.op or ("leaf (requires_grad)" if node.requires_grad else "constant")
        print("    " * depth + f"{label} {node.shape}")
        for parent in reversed(node.parents):
            stack.append((parent, depth + 1))


show_graph(loss)
# --8<-- [end:walk]

# --8<-- [start:picture]
# The same record as Graphviz DOT text: one box per Tensor, an edge from each parent.
from tinygrad_keras.autodiff.viz import draw, graphviz_available, to_dot

dot = to_dot(loss, show_values=True)
print(f"DOT text: {len(dot.splitlines())} lines, starting with {dot.splitlines()[0]!r}")
if graphviz_available():
    print("picture written to", draw(loss, "tensor_graph.svg", show_values=True))
else:
    print("(install Graphviz, e.g. apt-get install graphviz, to draw it as a picture)")
# --8<-- [end:picture]

# --8<-- [start:dtype]
# Numbers mixed into an op take the Tensor's float dtype: float32 stays float32.
print("(2 * a + 1).dtype =", (2 * a + 1).dtype)
# --8<-- [end:dtype]

# --8<-- [start:nograd]
# Inside no_grad nothing is recorded: this is how optimizers update weights
# and how predict() runs, without building a graph.
with no_grad():
    z = (x @ w).relu()
print("under no_grad: op =", z.op, "requires_grad =", z.requires_grad)
# --8<-- [end:nograd]

# --8<-- [start:inplace]
# `h -= m` does not overwrite memory that the graph still needs: it makes a new
# node and rebinds the name.  Keras 1 custom layers write exactly this.
h = x @ w
before = h
h -= h.mean(axis=1, keepdims=True)
print("h is a new node:", h is not before, "| op:", h.op, "| old values kept:", before.data)
# --8<-- [end:inplace]

# Exercise (see the docs page): write count_ops(t) in tutorials/solutions/01_tensors.py, then check it with
#   python -m pytest tests/docs/test_exercises.py -k tutorial01
