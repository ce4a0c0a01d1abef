"""Exercise 15: your answer goes here (see the end of tutorials/15_functional_api.py).

Replace each ``raise NotImplementedError(...)`` with your code, then check it from
the repository root:

    python -m tinygrad_keras.exercises check 15
"""
from tinygrad_keras.layers import Dense, merge


def dense_residual(x, hidden_units: int):
    """``x + Dense(n)(Dense(hidden_units, relu)(x))`` where ``n`` is x's last size.

    ``x`` is a symbolic ``(None, n)`` tensor; the result has the same shape.
    """
    raise NotImplementedError("return x + Dense(x's width)(Dense(hidden_units, activation='relu')(x))")
