"""Exercise 9: your answer goes here (see the end of tutorials/09_optimizers.py).

Replace each ``raise NotImplementedError(...)`` with your code, then check it from
the repository root:

    python -m tinygrad_keras.exercises check 9
"""
import numpy as np


def adam_step(p, g, m, v, t, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
    """One update of parameter ``p`` with gradient ``g``; returns ``(p, m, v)``.

    ``t`` counts from 1.  Keras 1.2.2 folds both bias corrections into the step size
    and adds ``epsilon`` outside the square root of the uncorrected ``v``.
    """
    raise NotImplementedError("one Keras 1.2.2 Adam update: return the new (p, m, v)")
