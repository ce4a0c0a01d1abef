"""The Keras 1.2.2 backend functions about configuration, sparse values and sessions,
called with 1.2.2's keyword names."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse

from tinygrad_keras import backend as K
from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.engine import Input, get_source_inputs
from tinygrad_keras.layers import Dense, merge
from tinygrad_keras.models import Model
from tinygrad_keras.optimizers import TFOptimizer


@pytest.fixture
def restore_config():
    saved = (K.floatx(), K.epsilon(), K.legacy_weight_ordering())
    yield
    K.set_floatx(saved[0])
    K.set_epsilon(saved[1])
    K.set_legacy_weight_ordering(saved[2])


def test_keyword_names_of_122(restore_config):
    K.set_floatx(floatx="float64")
    K.set_epsilon(e=1e-5)
    assert K.floatx() == "float64" and K.epsilon() == 1e-5
    v = K.variable(np.zeros(2))
    K.batch_set_value(tuples=[(v, np.ones(2))])
    assert K.get_value(v).tolist() == [1.0, 1.0]
    stopped = K.stop_gradient(variables=[v, v])
    assert len(stopped) == 2 and not stopped[0].requires_grad
    assert not K.stop_gradient(variables=v).requires_grad


def test_sparse_values_and_placeholders():
    matrix = scipy.sparse.csr_matrix(np.eye(3, dtype="float32"))
    assert K.is_sparse(matrix) and not K.is_sparse(np.eye(3))
    dense = K.to_dense(matrix)
    assert isinstance(dense, Tensor) and dense.data.tolist() == np.eye(3).tolist()
    array = np.ones(2)
    assert K.to_dense(array) is array
    assert K.is_sparse(K.placeholder((2, 2), sparse=True))
    assert not K.is_sparse(K.placeholder((2, 2)))


def test_is_explicit_shape():
    assert K.is_explicit_shape((None, 3)) and K.is_explicit_shape([2, np.int64(4)])
    assert not K.is_explicit_shape((None, 2.5)) and not K.is_explicit_shape(3)


def test_tensorflow_only_names_raise_and_say_why():
    with pytest.raises(RuntimeError, match="only make sense on the TensorFlow backend"):
        K.get_session()
    with pytest.raises(RuntimeError, match="only make sense on the TensorFlow backend"):
        K.set_session(object())
    with pytest.raises(TypeError, match="only makes sense on the TensorFlow backend"):
        TFOptimizer(object())


def test_manual_variable_initialization_keeps_values():
    K.manual_variable_initialization(True)
    try:
        v = K.variable([1.0, 2.0])
        assert K.get_value(v).tolist() == [1.0, 2.0]
    finally:
        K.manual_variable_initialization(False)
    with pytest.raises(TypeError, match="True or False"):
        K.manual_variable_initialization("yes")


def test_legacy_weight_ordering_sorts_same_depth_layers_by_name(restore_config):
    def build():
        a, b = Input(shape=(2,), name="in_a"), Input(shape=(2,), name="in_b")
        za = Dense(1, name="z_dense")(a)
        ab = Dense(1, name="a_dense")(b)
        return Model([a, b], merge([za, ab], mode="sum"))
    assert [la.name for la in build().layers][2:4] == ["z_dense", "a_dense"]
    K.set_legacy_weight_ordering(True)
    assert K.legacy_weight_ordering()
    assert [la.name for la in build().layers][2:4] == ["a_dense", "z_dense"]
    with pytest.raises(TypeError, match="True or False"):
        K.set_legacy_weight_ordering(1)


def test_get_source_inputs_with_layer_and_node_index():
    a, b = Input(shape=(2,)), Input(shape=(2,))
    shared = Dense(2)
    ya, yb = shared(a), shared(b)
    assert get_source_inputs(yb) == [b]
    assert get_source_inputs(ya, layer=shared, node_index=1) == [b]
    assert get_source_inputs(a, layer=a._keras_history[0], node_index=0) == [a]
    with pytest.raises(TypeError, match="Keras tensor"):
        get_source_inputs(np.ones(2))
