"""Tutorial 2: backward() and the topological order, with the diamond.

Run it:  python tutorials/02_backward.py
"""
import numpy as np

from tinygrad_keras import Tensor
from tinygrad_keras.autodiff.engine import toposort
from tinygrad_keras.autodiff.viz import draw, graphviz_available

# --8<-- [start:simple]
x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
loss = (x * x).sum()          # d loss / dx = 2x
loss.backward()
print("x.grad =", x.grad)
# --8<-- [end:simple]

# --8<-- [start:diamond]
# The diamond: `a` feeds two branches that meet again in `d`.
#
#          x
#          |
#        a = 2x
#       /      \
#   b = a*a   c = a + 1
#       \      /
#        d = b * c
x = Tensor(1.5, requires_grad=True)
a = (x * 2).retain_grad()     # keep the gradient of this intermediate node too
b = a * a
c = a + 1
d = b * c
order = toposort(d)
print("topological order:", [n.op or "x" for n in order])
if graphviz_available():  # a picture of the diamond (tutorial 1 shows how this works)
    draw(d, "diamond.svg", show_values=True)
# --8<-- [end:diamond]

# --8<-- [start:diamond_backward]
d.backward()
# By hand: d = a^2 (a + 1) = a^3 + a^2, so dd/da = 3a^2 + 2a, and da/dx = 2.
a_val = 2 * 1.5
print("a.grad =", a.grad, "expected", 3 * a_val**2 + 2 * a_val)
print("x.grad =", x.grad, "expected", 2 * (3 * a_val**2 + 2 * a_val))
# --8<-- [end:diamond_backward]

# --8<-- [start:accumulate]
# Gradients accumulate, like PyTorch: a second backward adds to .grad.
w = Tensor([1.0, -2.0], requires_grad=True)
(w * 3).sum().backward()
(w * 3).sum().backward()
print("after two backward passes:", w.grad)
w.zero_grad()
print("after zero_grad():", w.grad)
# --8<-- [end:accumulate]

# --8<-- [start:deep]
# No recursion anywhere: a chain of 10 000 ops is fine.
x = Tensor(np.float64(1.0), requires_grad=True)
y = x
for _ in range(10_000):
    y = y * 1.0001
y.backward()
print(f"10 000-step chain: x.grad = {float(x.grad):.6f}, expected {1.0001 ** 10_000:.6f}")
# --8<-- [end:deep]

# Exercise (see the docs page): write topo_order(root) in tutorials/solutions/02_backward.py, then check it with
#   python -m pytest tests/docs/test_exercises.py -k tutorial02
