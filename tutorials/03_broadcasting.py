"""Tutorial 3: broadcasting and its gradient.

Run it:  python tutorials/03_broadcasting.py
"""
import numpy as np

from tinygrad_keras import Tensor
from tinygrad_keras.autodiff.engine import unbroadcast

# --8<-- [start:bias]
# A bias of shape (3,) added to a batch of shape (4, 3): numpy stretches the bias
# over the batch axis.  Each bias element touched 4 outputs, so its gradient is
# the sum of those 4 upstream gradients.
x = Tensor(np.arange(12.0).reshape(4, 3))
bias = Tensor(np.zeros(3), requires_grad=True)
out = x + bias
out.backward(np.ones((4, 3)))
print("bias.grad =", bias.grad, "(each entry summed over 4 rows)")
# --8<-- [end:bias]

# --8<-- [start:outer]
# Size-1 axes stretch too: (2, 1) * (1, 3) -> (2, 3).
col = Tensor(np.array([[1.0], [2.0]]), requires_grad=True)
row = Tensor(np.array([[10.0, 20.0, 30.0]]), requires_grad=True)
(col * row).sum().backward()
print("col.grad =", col.grad.ravel(), "= row sums of row:", row.data.sum())
print("row.grad =", row.grad.ravel(), "= col sum:", col.data.sum())
# --8<-- [end:outer]

# --8<-- [start:unbroadcast]
# The engine undoes broadcasting in ONE place, for every op: it sums the
# gradient over the axes that were added in front, and over the axes that were
# stretched from size 1.  So an op's backward never has to think about it.
g = np.ones((5, 2, 3))
print("unbroadcast to (2, 1):", unbroadcast(g, (2, 1)).tolist())
print("unbroadcast to (3,):  ", unbroadcast(g, (3,)).tolist())
# --8<-- [end:unbroadcast]

# --8<-- [start:check]
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
# --8<-- [end:check]

# Exercise (see the docs page): write my_unbroadcast(grad, shape) in tutorials/solutions/03_broadcasting.py, then check it with
#   python -m pytest tests/docs/test_exercises.py -k tutorial03
