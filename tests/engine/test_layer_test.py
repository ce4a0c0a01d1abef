"""The layer contract harness itself: a tiny custom layer passes, broken layers fail."""
import numpy as np
import pytest

from tinygrad_keras import backend as K
from tinygrad_keras.engine.topology import Layer
from tinygrad_keras.utils.test_utils import get_test_data, keras_test, layer_test


class Scale(Layer):
    """``x * w`` with one weight per feature. Input (None, ..., d) -> same shape."""

    def __init__(self, weights=None, **kwargs):
        self.initial_weights = weights
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.w = self.add_weight((input_shape[-1],), "one", name=f"{self.name}_w")

    def call(self, x, mask=None):
        return x * self.w


class WrongShape(Scale):
    def get_output_shape_for(self, input_shape):
        return input_shape[:-1] + (input_shape[-1] + 1,)


class IgnoresWeights(Scale):
    def __init__(self, weights=None, **kwargs):
        super().__init__(**kwargs)  # forgets the `weights` argument


def test_custom_layer_passes_and_returns_output():
    out = layer_test(Scale, input_shape=(2, 3))
    assert out.shape == (2, 3)


def test_expected_output_checked():
    data = np.arange(6, dtype="float32").reshape(2, 3)
    layer_test(Scale, input_data=data, expected_output=data)
    with pytest.raises(AssertionError):
        layer_test(Scale, input_data=data, expected_output=data + 1)


def test_wrong_declared_shape_fails():
    with pytest.raises(AssertionError, match="declares output shape"):
        layer_test(WrongShape, input_shape=(2, 3))


def test_ignored_weights_argument_fails():
    with pytest.raises(AssertionError, match="did not use the weights"):
        layer_test(IgnoresWeights, input_shape=(2, 3))


def test_none_dims_replaced_by_small_sizes():
    out = layer_test(Scale, input_shape=(None, None, 4))
    assert 1 <= out.shape[0] <= 3 and 1 <= out.shape[1] <= 3 and out.shape[2] == 4


def test_get_test_data_shapes_and_classes():
    (x, y), (xt, _) = get_test_data(nb_train=50, nb_test=20, input_shape=(4,), nb_class=3)
    assert x.shape == (50, 4) and xt.shape == (20, 4) and set(np.unique(y)) <= {0, 1, 2}
    # inputs are centred on their label: class means are ordered
    means = [x[y == c].mean() for c in range(3)]
    assert means[0] < means[1] < means[2]
    (x, y), _ = get_test_data(10, 5, (3,), (2,), classification=False)
    assert x.shape == (10, 3) and y.shape == (10, 2)


def test_keras_test_resets_names():
    @keras_test
    def make():
        return Scale().name
    make()
    assert make() == "scale_1"
    assert K.get_uid("scale") == 1
