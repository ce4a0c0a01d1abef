# %% [markdown]
# # 1. Tensors and operator tracking
#
# A `Tensor` is a numpy array plus a record of how it was made. That record is all
# reverse-mode autodiff needs: to compute gradients later, we only have to remember,
# for every result, *which op* produced it and *from which inputs*.
#
# The whole tutorial is one script, `tutorials/01_tensors.py`; run it with
# `python tutorials/01_tensors.py` and read along.
#
# ## Making Tensors

# %%
import numpy as np

from tinygrad_keras import Tensor, no_grad

# Python numbers and lists become float32, the Keras default (floatx);
# a numpy array keeps its own dtype (gradient checks use float64).
a = Tensor([[1.0, 2.0], [3.0, 4.0]])
b = Tensor(np.arange(4.0).reshape(2, 2))
print("a:", a.shape, a.dtype, "| b:", b.shape, b.dtype)

# %% [markdown]
# Python numbers and lists become `float32`, the Keras default (`K.floatx()`). A
# numpy array keeps its own dtype, which is how gradient checks run in `float64`.
#
# ## Every op leaves a record

# %%
# requires_grad=True marks a leaf we want gradients for (a weight, an input).
w = Tensor([[0.5, -1.0], [2.0, 0.0]], requires_grad=True)
x = Tensor([[1.0, 2.0]])
y = (x @ w).relu()
loss = (y * y).sum()
print("loss:", loss)
print("loss.op =", loss.op, "| its parents:", [p.op for p in loss.parents])

# %% [markdown]
# `requires_grad=True` marks a leaf whose gradient we want. Every Tensor computed from
# such a leaf has `.op` (a readable name such as `'MatMul'`) and `.parents` (the
# input Tensors, in argument order). Tensors that do not depend on any such leaf
# record nothing: there is nothing to differentiate.
#
# ## Walking the graph
#
# The record is a graph, and we can walk it with nothing but `.op` and `.parents`:

# %%
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

# %% [markdown]
# The printout shows `Relu` twice because `y * y` uses `y` twice: the tree view
# repeats shared nodes. The graph itself holds `y` once, with two edges into `Mul`.
# That shape, one node feeding two paths that meet again, is the *diamond* of the
# next tutorial.
#
# ## The graph as a picture
#
# `tinygrad_keras.autodiff.viz_values.draw_values` draws the same record with matplotlib:
# one box per Tensor with its value, an arrow from each parent to the result it fed.

# %%
import matplotlib.pyplot as plt

from tinygrad_keras.autodiff.viz import to_dot
from tinygrad_keras.autodiff.viz_values import draw_values

draw_values(loss, title="loss = sum(relu(x @ w) ** 2)")
plt.show()
dot = to_dot(loss, show_values=True)
print(f"the same graph as Graphviz DOT text: {len(dot.splitlines())} lines")

# %% [markdown]
# Read it from the left: the constant `x` and the parameter `w` (yellow) feed `MatMul`;
# the two arrows from `Relu` into `Mul` are `y * y` using `y` twice (they overlap in the
# picture). For larger graphs, `viz.to_dot` writes Graphviz DOT text and `viz.draw`
# renders it when the Graphviz `dot` program is installed.
#
# ## dtypes stay put

# %%
# Numbers mixed into an op take the Tensor's float dtype: float32 stays float32.
print("(2 * a + 1).dtype =", (2 * a + 1).dtype)

# %% [markdown]
# A Python scalar mixed into an op takes the Tensor's dtype, so a float32 model
# stays float32 through every op.
#
# ## Switching recording off

# %%
# Inside no_grad nothing is recorded: this is how optimizers update weights
# and how predict() runs, without building a graph.
with no_grad():
    z = (x @ w).relu()
print("under no_grad: op =", z.op, "requires_grad =", z.requires_grad)

# %% [markdown]
# `no_grad()` is a context manager and a decorator. Optimizers update weights
# inside it, and `predict`/`evaluate` run inside it, so they build no graph.
#
# ## In-place arithmetic rebinds

# %%
# `h -= m` does not overwrite memory that the graph still needs: it makes a new
# node and rebinds the name.  Keras 1 custom layers write exactly this.
h = x @ w
before = h
h -= h.mean(axis=1, keepdims=True)
print("h is a new node:", h is not before, "| op:", h.op, "| old values kept:", before.data)

# %% [markdown]
# `h -= m` makes a new node and rebinds the name `h`. The old Tensor is still in the
# graph, unchanged, so the backward pass sees the values the forward pass used.
#
# ## Exercise
#
# Write `count_ops(t)` in `tutorials/exercises/01_tensors.py`: it returns a dict
# mapping each op name to the number of distinct nodes with that op in the graph
# under `t` (leaves are not counted; a node reached along two paths counts once).
# Replace the `raise NotImplementedError(...)` with your code, then check it from the
# repository root:
#
# ```bash
# python -m tinygrad_keras.exercises check 1
# ```
#
# The reference answer is in `tutorials/solutions/01_tensors.py`; read it after your own attempt passes.
#
# Next: [backward and the topological order](02_backward.py).
