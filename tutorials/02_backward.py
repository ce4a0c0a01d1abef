# %% [markdown]
# # 2. Backward and the chain rule
#
# `loss.backward()` computes $\partial L / \partial w$ for every leaf $w$ that requires a
# gradient, by walking the recorded graph from the output back to the leaves. This page
# explains *why* that walk gives the right numbers (the chain rule), *in which order* it
# must visit the nodes (a topological order), and then writes the whole engine in thirty
# lines. Run it with `python tutorials/02_backward.py`, or open it as a notebook.

# %%
import matplotlib.pyplot as plt
import numpy as np

from tinygrad_keras import Tensor
from tinygrad_keras.autodiff.engine import toposort
from tinygrad_keras.autodiff.viz_values import draw_backward

x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
loss = (x * x).sum()          # d loss / dx = 2x
loss.backward()
print("x.grad =", x.grad)

# %% [markdown]
# ## The chain rule: upstream gradient times local derivative
#
# Every recorded operation is a small function $u = f(x)$ between its inputs and its
# result. If the loss $L$ depends on $x$ only through $u$, the chain rule says
#
# $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial u}\,\frac{\partial u}{\partial x}.$$
#
# The first factor, $\partial L / \partial u$, is the **upstream gradient**: it arrives at the
# op from the side of the loss. The second, $\partial u / \partial x$, is the **local
# derivative**: it depends only on the op and on the values it saw in the forward pass. So
# each op needs to know nothing about the rest of the graph. Its `backward(grad)` receives
# the upstream gradient `grad` and returns upstream × local for each input:
#
# | op | forward | backward returns |
# |---|---|---|
# | `Mul` | $u = a\,b$ | $g\,b$ for $a$, $g\,a$ for $b$ |
# | `Add` | $u = a + b$ | $g$ for $a$, $g$ for $b$ |
# | `Tanh` | $u = \tanh(a)$ | $g\,(1 - u^2)$ |
# | `Exp` | $u = e^{a}$ | $g\,u$ |
#
# where $g = \partial L / \partial u$. The engine starts the walk with
# $\partial L / \partial L = 1$ and hands each op's results on to its inputs.
#
# ## Vectors: vector-Jacobian products
#
# With arrays, $x \in \mathbb{R}^n$ and $u = f(x) \in \mathbb{R}^m$, the local derivative is
# the Jacobian matrix $J_{ij} = \partial u_i / \partial x_j$ ($m \times n$), and the chain rule
# becomes a **vector-Jacobian product**:
#
# $$\frac{\partial L}{\partial x_j} = \sum_i \frac{\partial L}{\partial u_i}\,
#   \frac{\partial u_i}{\partial x_j}, \qquad \text{i.e.}\quad
#   \bar{x} = \bar{u}^{\top} J .$$
#
# ($\bar{x}$ is short for $\partial L / \partial x$.) The engine never builds $J$: it would
# be $n \times n$ for an elementwise op whose Jacobian is diagonal. `Tanh.backward` computes
# $\bar{u}^\top J$ directly as $\bar{u} \odot (1 - u^2)$, an elementwise product of two
# arrays of the shape of $x$. Tutorial 5 derives the two products for a matrix multiply
# and tutorial 3 the sum that broadcasting needs. Here is the product checked against the
# explicit Jacobian:

# %%
a = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
u = a.tanh()
upstream = np.array([1.0, 2.0, 3.0])           # some dL/du
(u * Tensor(upstream)).sum().backward()         # L = sum(upstream * u): dL/du = upstream
J = np.diag(1 - np.tanh(a.data) ** 2)           # the 3 x 3 Jacobian of tanh
print("engine:      ", a.grad)
print("upstream @ J:", upstream @ J)

# %% [markdown]
# ## The diamond: a node used twice
#
# The interesting case is a node used twice. Here `a` feeds both `b` and `c`, which meet
# again in `d`. When a value reaches the loss along several paths, the chain rule **adds**
# the contributions of the paths:
#
# $$\frac{\partial d}{\partial a} = \frac{\partial d}{\partial b}\frac{\partial b}{\partial a}
#   + \frac{\partial d}{\partial c}\frac{\partial c}{\partial a} = c \cdot 2a + b \cdot 1 .$$
#
# `draw_backward` runs `backward()` keeping every intermediate gradient and draws each node
# with its value and its gradient $\partial d / \partial \text{node}$ (the names come from
# `name=` and from setting `.name` on a result):

# %%
x = Tensor(1.5, requires_grad=True, name="x")
a = x * 2
a.name = "a"
b = a * a
b.name = "b"
c = a + 1
c.name = "c"
d = b * c
d.name = "d"
print("topological order:", [n.name for n in toposort(d)])
draw_backward(d, title="d = (2x)^2 (2x + 1) at x = 1.5")
plt.show()

a_val = 2 * 1.5
print(f"dd/da = c*2a + b = {4 * 2 * a_val:g} + {a_val ** 2:g} = {float(a.grad):g}")
print("x.grad =", x.grad, " expected 2 * dd/da =", 2 * (3 * a_val**2 + 2 * a_val))

# %% [markdown]
# At $x = 1.5$: $a = 3$, the path through `b` contributes $c \cdot 2a = 24$ and the path
# through `c` contributes $b = 9$, together $33 = 3a^2 + 2a$.
#
# ## The order of the walk
#
# `a` may pass its gradient on to `x` only after **both** contributions have arrived. The
# engine therefore sorts the graph *topologically* (every node after all the nodes it was
# computed from) and walks that list backwards, from `d` to `x`. A walk that handled `a`
# as soon as one branch reached it would pass on 24 or 9 instead of 33, depending on which
# branch came first, and the missing part would arrive after `a` was already done.
#
# The sort in `tinygrad_keras/autodiff/engine.py` uses an explicit stack rather than
# recursion (an LSTM over 200 steps is a deep graph) and keeps parents in recorded order,
# so its result is deterministic.
#
# ## The whole engine in thirty lines
#
# Nothing more is needed than the sort and the chain rule. This reference engine runs the
# real primitives: each result keeps its op in `node._fn` (a `Function` object with its
# `parents` and its `backward`), so it can call the same `backward` methods as the real
# engine. The only other rule is broadcasting's (tutorial 3): a gradient that came back in
# the broadcast shape is summed to its input's shape.

# %%
from tinygrad_keras.autodiff.engine import ScatterGrad


def topological_order(root) -> list:
    """Every node under ``root`` that needs a gradient, parents before children."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if p.requires_grad)
    return order


def sum_to_shape(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo broadcasting: sum the added leading axes and the stretched size-1 axes."""
    g = g.sum(axis=tuple(range(g.ndim - len(shape)))) if g.ndim > len(shape) else g
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=stretched, keepdims=True) if stretched else g


def reference_backward(root) -> dict:
    """d root / d node for every node that needs one, by the chain rule (root: a scalar)."""
    grads = {id(root): np.ones_like(root.data)}            # dL/dL = 1
    for node in reversed(topological_order(root)):         # children before parents
        upstream = grads.get(id(node))
        if node._fn is None or upstream is None:            # a leaf: nothing to pass on
            continue
        local = node._fn.backward(upstream)                 # upstream x local, per input
        local = local if isinstance(local, tuple) else (local,)
        for parent, g in zip(node.parents, local):
            if g is None or not parent.requires_grad:
                continue
            g = g.dense(parent.dtype) if isinstance(g, ScatterGrad) else np.asarray(g)
            g = sum_to_shape(g, parent.shape)
            grads[id(parent)] = grads.get(id(parent), 0) + g   # paths add up
    return grads


# %% [markdown]
# It gives the real engine's numbers on the diamond (the test suite also compares the two
# on random graphs of many ops, broadcasting and slicing included):

# %%
x = Tensor(1.5, requires_grad=True)
a = x * 2
d = (a * a) * (a + 1)
mine = reference_backward(d)[id(x)]
d.backward()
print("reference engine:", mine, " real engine:", x.grad)

# %% [markdown]
# ### What the real engine adds, and why
#
# `engine.backward` does the same walk. What makes it longer is speed and memory, not
# different mathematics:
#
# * **It frees the graph as it goes.** After a node's `backward` ran, its op (and the arrays
#   the op kept for the backward pass) is dropped, so a long training run does not hold
#   every activation of every step. That is why a second `backward()` on the same result
#   needs `retain_graph=True`.
# * **It avoids copies.** A gradient array that arrives first at a node is kept as it is;
#   when a second contribution arrives, it is added *in place* into a buffer the engine
#   made itself (never into an array some op might still use). These buffer-ownership
#   rules are the bulk of the extra lines.
# * **It checks every gradient** has its input's shape and dtype, naming the op when not,
#   so a wrong custom `backward` (tutorial 4) fails loudly instead of giving a silently
#   wrong number.
# * **Slicing stays cheap.** `x[:, t]` in an RNN's loop returns a gradient that is zero
#   outside the slice (`ScatterGrad`); the engine adds it into one buffer instead of
#   making a full zero array per step.
#
# `retain_grad()` asks the engine to also keep the gradient of an intermediate node;
# normally only leaves get a `.grad`.
#
# ### Backward can build a graph too
#
# The walk above works on plain arrays: its result is a number, not a recorded
# computation. Called as `loss.backward(create_graph=True)`, the engine instead runs each
# `backward` with Tensor operations, so the gradient is itself a recorded Tensor that can
# be differentiated again: a gradient of a gradient (a Hessian-vector product, a gradient
# penalty). Tutorial 18, "Gradients of gradients", is about that.
#
# ## Gradients accumulate

# %%
w = Tensor([1.0, -2.0], requires_grad=True)
(w * 3).sum().backward()
(w * 3).sum().backward()
print("after two backward passes:", w.grad)
w.zero_grad()
print("after zero_grad():", w.grad)

# %% [markdown]
# As in PyTorch, `backward()` *adds* into `.grad`: that is the same sum-over-paths rule,
# across two calls. The Keras training loop clears the gradients before each step; when
# you drive the Tensor yourself, call `zero_grad()`.
#
# ## Deep graphs

# %%
x = Tensor(np.float64(1.0), requires_grad=True)
y = x
for _ in range(10_000):
    y = y * 1.0001
y.backward()
print(f"10 000-step chain: x.grad = {float(x.grad):.6f}, expected {1.0001 ** 10_000:.6f}")

# %% [markdown]
# Nothing in the engine recurses, so depth is limited only by memory.
#
# ## Exercise
#
# Write `topo_order(root)` in `tutorials/exercises/02_backward.py`: every node under `root`
# (leaves and constants included), each exactly once, parents before children, using only
# `.parents`, and without recursion (the check builds a 5 000-node chain, and a graph on
# which a reversed breadth-first search gets the order wrong). Then, from the repository
# root:
#
# ```bash
# python -m tinygrad_keras.exercises check 2
# ```
#
# The reference answer is in `tutorials/solutions/02_backward.py`; look at it after your
# own attempt passes.
#
# Next: [broadcasting and its gradient](03_broadcasting.py).
