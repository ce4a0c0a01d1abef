"""Reference solution of exercise 18 (Newton's method with a Hessian from grad of grad)."""
import numpy as np

from tinygrad_keras import Tensor
from tinygrad_keras.autodiff import grad


def newton_step(f, x: np.ndarray) -> np.ndarray:
    """The next Newton iterate ``x - H(x)^-1 grad f(x)`` for ``f`` of two variables."""
    t = Tensor(np.array(x, dtype=np.float64), requires_grad=True)
    g, = grad(f(t), t, create_graph=True)
    rows = [grad(g[i], t, retain_graph=True)[0].data for i in range(len(x))]
    return x - np.linalg.solve(np.stack(rows), g.data)
