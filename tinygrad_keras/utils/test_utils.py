"""Test helpers of Keras 1.2.2: ``layer_test``, ``get_test_data``, ``keras_test``.

``layer_test`` is the contract every layer passes (spec 21.2), a little
stricter than 1.2.2: besides shapes and config round-trips it checks that
``get_weights``/``set_weights`` and the ``weights=`` argument reproduce the
same outputs, and that the real output dtype is the expected one.
"""
from __future__ import annotations

import functools
import inspect

import numpy as np
from numpy.testing import assert_allclose

from .. import backend as K


def get_test_data(nb_train=1000, nb_test=500, input_shape=(10,), output_shape=(2,),
                  classification=True, nb_class=2) -> tuple:
    """``((X_train, y_train), (X_test, y_test))``; inputs are ``N(label, 0.7)`` noise.

    Classification: integer labels in ``[0, nb_class)``. Regression: inputs and
    targets both centred on a per-sample uniform location.
    """
    n = nb_train + nb_test
    input_shape, output_shape = tuple(input_shape), tuple(output_shape)
    if classification:
        y = np.random.randint(0, nb_class, size=(n,))
        centre = y.reshape((n,) + (1,) * len(input_shape))
        X = np.random.normal(loc=centre, scale=0.7, size=(n,) + input_shape)
    else:
        loc = np.random.random((n,))
        X = np.random.normal(loc=loc.reshape((n,) + (1,) * len(input_shape)), scale=0.7,
                             size=(n,) + input_shape)
        y = np.random.normal(loc=loc.reshape((n,) + (1,) * len(output_shape)), scale=0.7,
                             size=(n,) + output_shape)
    return (X[:nb_train], y[:nb_train]), (X[nb_train:], y[nb_train:])


def keras_test(func):
    """Decorator: reset the layer-name counters after the test (Keras cleared its session)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        finally:
            K.clear_session()
    return wrapper


def _random_input(input_shape, input_dtype) -> np.ndarray:
    shape = [np.random.randint(1, 4) if d is None else d for d in input_shape]
    return (10 * np.random.random(shape)).astype(input_dtype)


def _check_output(layer, input_shape, actual, expected_output, expected_dtype, where: str):
    declared = layer.get_output_shape_for(tuple(input_shape))
    assert len(declared) == actual.ndim, (
        f"{where}: {layer.name} declares output shape {declared}, got array {actual.shape}")
    for want, got in zip(declared, actual.shape):
        assert want is None or want == got, (
            f"{where}: {layer.name} declares output shape {declared}, got array {actual.shape}")
    assert actual.dtype == np.dtype(expected_dtype), (
        f"{where}: {layer.name} output dtype is {actual.dtype}, expected {expected_dtype}")
    if expected_output is not None:
        assert_allclose(actual, expected_output, rtol=1e-3)


def _accepts_weights(layer_cls) -> bool:
    try:
        return "weights" in inspect.signature(layer_cls.__init__).parameters
    except (TypeError, ValueError):
        return False


def layer_test(layer_cls, kwargs=None, input_shape=None, input_dtype=None, input_data=None,
               expected_output=None, expected_output_dtype=None, fixed_batch_size=False):
    """Run the layer contract; returns the output of the Sequential run.

    1. functional model ``Input -> layer``: declared vs real output shape and dtype,
       optional ``expected_output`` (rtol 1e-3);
    2. weights: ``set_weights(get_weights())`` and ``weights=`` give the same output;
    3. ``Model.from_config(model.get_config())`` compiles;
    4. ``layer_cls.from_config`` with ``batch_input_shape`` as first layer of a
       Sequential (weights copied): same output; ``model_from_json`` round trip.
    """
    from ..engine.topology import Input
    from ..models import Model, Sequential, model_from_json
    kwargs = dict(kwargs or {})
    if input_data is None:
        if input_shape is None:
            raise ValueError("layer_test needs `input_shape` or `input_data`")
        input_dtype = input_dtype or K.floatx()
        input_data = _random_input(input_shape, input_dtype)
    else:
        input_data = np.asarray(input_data)
        input_dtype = input_dtype or str(input_data.dtype)
        input_shape = input_shape or input_data.shape
    expected_output_dtype = expected_output_dtype or input_dtype

    layer = layer_cls(**kwargs)
    layer.set_weights(layer.get_weights())
    if fixed_batch_size:
        x = Input(batch_shape=input_shape, dtype=input_dtype)
    else:
        x = Input(shape=tuple(input_shape[1:]), dtype=input_dtype)
    model = Model(input=x, output=layer(x))
    model.compile("rmsprop", "mse")
    actual = model.predict(input_data)
    _check_output(layer, input_shape, actual, expected_output, expected_output_dtype,
                  "functional model")

    weights = layer.get_weights()
    layer.set_weights(weights)
    assert_allclose(model.predict(input_data), actual, rtol=1e-6,
                    err_msg=f"{layer.name}: set_weights(get_weights()) changed the output")
    if weights and _accepts_weights(layer_cls):
        # shifted (positive, so variances stay valid) values that no initializer produces
        shifted = [w + np.random.uniform(0.1, 0.5, w.shape).astype(w.dtype) for w in weights]
        again = Model(input=x, output=layer_cls(**dict(kwargs, weights=shifted))(x))
        layer.set_weights(shifted)
        assert_allclose(again.predict(input_data), model.predict(input_data), rtol=1e-5,
                        err_msg=f"{layer_cls.__name__}(weights=...) did not use the weights")
        layer.set_weights(weights)

    custom = {layer_cls.__name__: layer_cls}  # so user-defined layers round-trip too
    Model.from_config(model.get_config(), custom_objects=custom).compile("rmsprop", "mse")

    config = layer.get_config()
    config["batch_input_shape"] = tuple(input_shape)
    seq_layer = layer_cls.from_config(config)
    seq = Sequential()
    seq.add(seq_layer)
    seq.compile("rmsprop", "mse")
    seq_layer.set_weights(weights)
    seq_actual = seq.predict(input_data)
    _check_output(seq_layer, input_shape, seq_actual, expected_output, expected_output_dtype,
                  "Sequential")
    if seq_actual.shape == actual.shape:
        assert_allclose(seq_actual, actual, rtol=1e-5,
                        err_msg=f"{layer_cls.__name__}: the layer rebuilt from its config "
                                f"gives a different output with the same weights")
    model_from_json(seq.to_json(), custom_objects=custom)
    return seq_actual
