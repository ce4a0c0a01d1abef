"""Exercise 4: a ``LogAddExp`` Function, right forward, right backward, stable for large inputs."""
import numpy as np

from tinygrad_keras import Tensor, gradcheck

from ._helpers import close, require


def check(module) -> None:
    op = module.LogAddExp
    rng = np.random.default_rng(4)
    for shape_a, shape_b in [((3,), (3,)), ((2, 3), (3,)), ((4, 1), (1, 5)), ((), (2, 2))]:
        a = Tensor(rng.normal(size=shape_a), requires_grad=True)
        b = Tensor(rng.normal(size=shape_b), requires_grad=True)
        out = op.apply(a, b)
        close(out.data, np.logaddexp(a.data, b.data), f"LogAddExp forward, shapes {shape_a} and "
              f"{shape_b}")
        require(gradcheck(lambda p, q: op.apply(p, q), a, b),
                f"LogAddExp backward disagrees with finite differences (shapes {shape_a}, {shape_b})")
    big = Tensor(np.array([1e4, -1e4, 0.0], dtype=np.float32), requires_grad=True)
    with np.errstate(all="ignore"):
        out = op.apply(big, Tensor(np.array([1e4, 5.0, -1e4], dtype=np.float32)))
        out.sum().backward()
    require(np.all(np.isfinite(out.data)) and np.all(np.isfinite(big.grad)),
            f"with inputs of +-1e4 the op must stay finite (shift by the max before exp): "
            f"got {out.data} and gradient {big.grad}")
    close(big.grad, [0.5, 0.0, 1.0], "the gradient at a = [1e4, -1e4, 0], b = [1e4, 5, -1e4]",
          atol=1e-3)
