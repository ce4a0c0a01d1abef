# %% [markdown]
# # 3. Broadcasting and its gradient
#
# numpy lets you add a bias of shape `(3,)` to a batch of shape `(4, 3)`: it
# *broadcasts* the bias over the batch axis. Every op in tinygrad_keras accepts
# broadcasting inputs, so the backward pass has to undo it. The script is
# `tutorials/03_broadcasting.py`.
#
# ## One bias, four rows

# %%
import numpy as np

from tinygrad_keras import Tensor
from tinygrad_keras.autodiff.engine import unbroadcast

# A bias of shape (3,) added to a batch of shape (4, 3): numpy stretches the bias
# over the batch axis.  Each bias element touched 4 outputs, so its gradient is
# the sum of those 4 upstream gradients.
x = Tensor(np.arange(12.0).reshape(4, 3))
bias = Tensor(np.zeros(3), requires_grad=True)
out = x + bias
out.backward(np.ones((4, 3)))
print("bias.grad =", bias.grad, "(each entry summed over 4 rows)")

# %% [markdown]
# Each bias entry was used by four outputs, so it receives the sum of their four
# gradients. The rule in general: **the gradient of a broadcast input is the
# upstream gradient summed over every axis along which the input was stretched.**
#
# In symbols: with $Y = X + b$, $X$ of shape $N \times D$ and $b$ of shape $D$, broadcasting
# means $Y_{nd} = X_{nd} + b_d$ for every row $n$. The local derivative
# $\partial Y_{nd} / \partial b_d$ is 1 for each of the $N$ rows, and the chain rule adds up
# the uses of $b_d$:
#
# $$\frac{\partial L}{\partial b_d} = \sum_{n=1}^{N} \frac{\partial L}{\partial Y_{nd}}
#   \cdot 1 = \sum_n G_{nd} .$$
#
# Broadcasting is a copy, and the gradient of a copy is a sum: the same sum-over-paths rule
# as for the diamond of tutorial 2, once per copy.
#
# ## Size-1 axes

# %%
# Size-1 axes stretch too: (2, 1) * (1, 3) -> (2, 3).
col = Tensor(np.array([[1.0], [2.0]]), requires_grad=True)
row = Tensor(np.array([[10.0, 20.0, 30.0]]), requires_grad=True)
(col * row).sum().backward()
print("col.grad =", col.grad.ravel(), "= row sums of row:", row.data.sum())
print("row.grad =", row.grad.ravel(), "= col sum:", col.data.sum())

# %% [markdown]
# Shapes `(2, 1)` and `(1, 3)` stretch each other into `(2, 3)`. `col.grad` sums over
# the axis `col` was stretched along, and `row.grad` over the other one.
#
# ## Undone once, in the engine
#
# Ops return gradients in the broadcast shape of their result; the engine sums each
# gradient back to its input's shape, in one function, `unbroadcast`:

# %%
# The engine undoes broadcasting in ONE place, for every op: it sums the
# gradient over the axes that were added in front, and over the axes that were
# stretched from size 1.  So an op's backward never has to think about it.
g = np.ones((5, 2, 3))
print("unbroadcast to (2, 1):", unbroadcast(g, (2, 1)).tolist())
print("unbroadcast to (3,):  ", unbroadcast(g, (3,)).tolist())

# %% [markdown]
# Axes that broadcasting added in front are summed away first, then every axis where
# the input had size 1. Because this happens in one place, no op's `backward` needs
# to know about broadcasting, and the engine checks after every step that the
# gradient has its input's shape (naming the op if not).
#
# ## Checking it numerically
#
# A gradient is a promise about how the loss moves when you nudge an input. Nudge it
# and see:

# %%
# Check the rule numerically: nudge one bias entry, watch the loss move.
def loss_of(bias_values: np.ndarray) -> float:
    out = Tensor(np.arange(12.0).reshape(4, 3)) * Tensor(bias_values)
    return float((out * out).sum().data)


b0 = np.array([0.5, -1.0, 2.0])
b = Tensor(b0, requires_grad=True)
out = Tensor(np.arange(12.0).reshape(4, 3)) * b
(out * out).sum().backward()
eps = 1e-6
numeric = [(loss_of(b0 + eps * e) - loss_of(b0 - eps * e)) / (2 * eps) for e in np.eye(3)]
print("analytic:", b.grad, "\nnumeric: ", np.round(numeric, 4))

# %% [markdown]
# Central differences, `(f(x + ε) − f(x − ε)) / 2ε`, are the test every gradient in
# this project passes; tutorial 4 shows the tool that does it for you.
#
# ## Exercise
#
# Write `my_unbroadcast(grad, shape)` in `tutorials/exercises/03_broadcasting.py`
# without looking at the engine's. The check compares it with a brute-force
# reference on several shape pairs, including a scalar target.
#
# ```bash
# python -m tinygrad_keras.exercises check 3
# ```
#
# The reference answer is in `tutorials/solutions/03_broadcasting.py`; read it after your own attempt passes.
#
# Next: [your own op, property-tested](04_your_own_op.py).
