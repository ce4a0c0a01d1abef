"""Exercise 5: your answer goes here (see the end of tutorials/05_dense_from_primitives.py).

Replace each ``raise NotImplementedError(...)`` with your code, then check it from
the repository root:

    python -m tinygrad_keras.exercises check 5
"""
from tinygrad_keras.engine import Layer


class ScaleShift(Layer):
    """Learnable per-feature gain and offset.

    Input shape ``(None, ..., features)``; output shape: the same.
    Weights ``[gamma (features,), beta (features,)]``, initialised to ones and zeros,
    so the layer starts as the identity.
    """

    def __init__(self, weights=None, **kwargs):
        self.initial_weights = weights
        super().__init__(**kwargs)

    def build(self, input_shape):
        raise NotImplementedError("add the weights gamma (ones) and beta (zeros), shape (features,)")

    def call(self, x, mask=None):
        raise NotImplementedError("return x * gamma + beta")

    def get_output_shape_for(self, input_shape):
        raise NotImplementedError("the output shape equals the input shape")
