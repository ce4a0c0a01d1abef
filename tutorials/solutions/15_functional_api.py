"""Exercise 15 (reference answer): a fully connected residual block.

Checked by: python -m tinygrad_keras.exercises check 15 --solution
"""
from tinygrad_keras.layers import Dense, merge


def dense_residual(x, hidden_units: int):
    """``x + Dense(n)(Dense(hidden_units, relu)(x))`` where ``n`` is x's last size.

    ``x`` is a symbolic ``(None, n)`` tensor; the result has the same shape.
    """
    units = x.shape[-1]
    branch = Dense(hidden_units, activation="relu")(x)
    branch = Dense(units)(branch)
    return merge([x, branch], mode="sum")
