"""Exercise 1: ``count_ops(t)`` counts the distinct recorded ops under ``t``."""
import numpy as np

from tinygrad_keras import Tensor

from ._helpers import require


def check(module) -> None:
    count_ops = module.count_ops
    w = Tensor(np.ones((2, 2)), requires_grad=True)
    y = (Tensor(np.ones((3, 2))) @ w).relu()
    loss = (y * y).sum() + y.sum()   # y is reached along three paths
    got = dict(count_ops(loss))
    expected = {"MatMul": 1, "Relu": 1, "Mul": 1, "Sum": 2, "Add": 1}
    require(got == expected, f"count_ops((y*y).sum() + y.sum()) with y = relu(x @ w) should be "
            f"{expected} (y is one node, reached three times: count it once), got {got}")
    require(dict(count_ops(w)) == {}, f"a leaf has no ops under it: expected {{}}, got {count_ops(w)}")
