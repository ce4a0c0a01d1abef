"""Exercise 5 (reference answer): a ScaleShift layer, ``gamma * x + beta`` per feature.

Checked by: python -m tinygrad_keras.exercises check 5 --solution
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
        features = (input_shape[-1],)
        self.gamma = self.add_weight(features, "one", name=f"{self.name}_gamma")
        self.beta = self.add_weight(features, "zero", name=f"{self.name}_beta")

    def call(self, x, mask=None):
        return x * self.gamma + self.beta  # broadcasting over the leading axes

    def get_output_shape_for(self, input_shape):
        return input_shape
