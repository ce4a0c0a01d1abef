"""Exercise 9 (reference answer): the Keras 1.2.2 Adam rule in plain numpy.

Checked by: python -m tinygrad_keras.exercises check 9 --solution
"""
import numpy as np


def adam_step(p, g, m, v, t, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
    """One update of parameter ``p`` with gradient ``g``; returns ``(p, m, v)``.

    ``t`` counts from 1.  Keras 1.2.2 folds both bias corrections into the step size
    and adds ``epsilon`` outside the square root of the uncorrected ``v``.
    """
    lr_t = lr * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g * g
    return p - lr_t * m / (np.sqrt(v) + epsilon), m, v
