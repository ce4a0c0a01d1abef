"""Lambda: output shapes (tuple, callable, inferred), arguments, masks, models,
gradients, and configs that store functions by name only (project decision 5)."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from tests.layers.layer_helpers import layer_gradcheck
from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.engine.topology import Input
from tinygrad_keras.layers import core
from tinygrad_keras.models import Model


def rand(*shape):
    return np.random.standard_normal(shape).astype(np.float32)


# ---- Lambda ----------------------------------------------------------------------
def double(x):
    return x * 2


def scaled(x, factor=1.0):
    return x * factor


def half_shape(input_shape):
    return input_shape[:-1] + (input_shape[-1] // 2,)


def first_half(x):
    return x[:, : x.shape[1] // 2]


def test_lambda_output_shape_forms():
    assert core.Lambda(double).get_output_shape_for((None, 3)) == (None, 3)
    assert core.Lambda(first_half, output_shape=(2,)).get_output_shape_for((None, 4)) == (None, 2)
    assert core.Lambda(first_half, output_shape=half_shape).get_output_shape_for((None, 4)) == \
        (None, 2)
    # inferred: an axis depending on an unknown input axis is unknown
    assert core.Lambda(lambda x: x.sum(axis=1)).get_output_shape_for((None, None, 3)) == (None, 3)
    assert core.Lambda(first_half).get_output_shape_for((None, 6)) == (None, 3)


def test_lambda_arguments_list_input_and_mask_parameter():
    x = rand(2, 3)
    assert_allclose(core.Lambda(scaled, arguments={"factor": 3.0})(Tensor(x)).data, 3 * x)
    summed = core.Lambda(lambda xs: xs[0] + xs[1], output_shape=(3,))
    assert_allclose(summed([Tensor(x), Tensor(x)]).data, 2 * x)
    seen = {}

    def with_mask(t, mask=None):
        seen["mask"] = mask
        return t
    core.Lambda(with_mask)(Tensor(x))
    assert "mask" in seen


def test_lambda_in_a_model_and_gradient():
    inp = Input(shape=(4,))
    out = core.Lambda(first_half, output_shape=(2,))(inp)
    assert out.shape == (None, 2)
    model = Model(input=inp, output=out)
    x = rand(3, 4)
    assert_allclose(model.predict(x), x[:, :2])
    assert layer_gradcheck(core.Lambda(lambda t: (t * t).tanh()), np.random.randn(2, 3))


def test_lambda_config_stores_names_and_rebuilds_from_custom_objects():
    layer = core.Lambda(scaled, output_shape=half_shape, arguments={"factor": 2.0})
    config = layer.get_config()
    assert config["function"] == "scaled" and config["function_type"] == "function"
    assert config["output_shape"] == "half_shape" and config["output_shape_type"] == "function"
    rebuilt = core.Lambda.from_config(config, custom_objects={"scaled": scaled,
                                                              "half_shape": half_shape})
    assert rebuilt.function is scaled and rebuilt.arguments == {"factor": 2.0}
    with pytest.raises(ValueError, match="custom_objects"):
        core.Lambda.from_config(config)


def test_lambda_of_a_lambda_cannot_be_rebuilt():
    config = core.Lambda(lambda x: x + 1, output_shape=(3,)).get_config()
    assert config["function_type"] == "lambda" and config["output_shape_type"] == "raw"
    assert "(" not in str(config["function"])  # a name, never code
    with pytest.raises(ValueError, match="lambda"):
        core.Lambda.from_config(config)


def test_lambda_refuses_a_mask():
    with pytest.raises(ValueError, match="does not support masking"):
        core.Lambda(double).run(Tensor(rand(2, 3)), Tensor(np.ones((2,), dtype=bool)))
