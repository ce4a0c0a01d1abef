"""Exercise 9: ``adam_step``, the Keras 1.2.2 Adam update in numpy, step for step."""
import numpy as np

from ._helpers import close


def check(module) -> None:
    from tinygrad_keras import backend as K
    from tinygrad_keras.optimizers import Adam

    rng = np.random.default_rng(5)
    start = rng.normal(size=(3, 2))
    w = K.variable(start, dtype="float64", name="w")
    opt = Adam(lr=0.01)
    p, m, v = start.copy(), np.zeros_like(start), np.zeros_like(start)
    for t in range(1, 4):
        w.grad = None
        (w * w * w).sum().backward()       # gradient 3 w^2, different at every step
        p, m, v = module.adam_step(p, 3 * p * p, m, v, t, lr=0.01)
        opt.update([w])
        close(p, w.data, f"the parameter after step t = {t} (compare with Adam(lr=0.01))",
              rtol=1e-5, atol=1e-7)
