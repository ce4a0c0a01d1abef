"""Exercise 10: ``input_grad_strided(g, w, stride, input_hw)``, the input gradient of a strided
correlation."""
import numpy as np

from tinygrad_keras import Tensor
from tinygrad_keras.autodiff import functional as F

from ._helpers import close

CASES = [(1, (6, 7), (3, 2)), (2, (7, 7), (3, 3)), (2, (8, 6), (2, 3)), (3, (10, 9), (2, 2)),
         (3, (5, 5), (5, 5))]


def check(module) -> None:
    for stride, hw, k in CASES:
        rng = np.random.default_rng(stride)
        x = Tensor(rng.normal(size=(2, 3) + hw), requires_grad=True)
        w = Tensor(rng.normal(size=(4, 3) + k))
        out = F.conv2d(x, w, stride=stride)
        g = rng.normal(size=out.shape)
        out.backward(g)
        got = module.input_grad_strided(g, w.data, stride, hw)
        close(got, x.grad, f"d x for stride {stride}, input {hw}, kernel {k}",
              rtol=1e-10, atol=1e-10)
