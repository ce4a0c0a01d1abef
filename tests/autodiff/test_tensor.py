"""The Tensor's plain API: construction, array facts, conversions, repr, method aliases."""
from __future__ import annotations

import numpy as np
import pytest

from tinygrad_keras import Tensor
from tinygrad_keras.autodiff import functional as F


def test_array_facts_and_conversions():
    t = Tensor([[1.0, 2.0, 3.0]], requires_grad=True, name="w")
    assert t.shape == (1, 3) and t.ndim == 2 and t.size == 3 and len(t) == 1
    assert t.numpy() is t.data and t.tolist() == [[1.0, 2.0, 3.0]]
    assert Tensor(4.0).item() == 4.0 and float(Tensor(2.5)) == 2.5 and int(Tensor(3.0)) == 3


def test_numpy_functions_see_the_values():
    t = Tensor([1.0, 2.0], requires_grad=True)
    assert np.asarray(t).dtype == np.float32 and np.asarray(t).tolist() == [1.0, 2.0]
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    np.testing.assert_allclose(t, [1.0, 2.0])


def test_numpy_arrays_on_the_left_still_build_the_graph():
    t = Tensor([1.0, 2.0], requires_grad=True)
    y = np.ones(2) * t + np.ones(2)
    assert isinstance(y, Tensor) and y.op == "Add" and y.dtype == np.float32


def test_repr_shows_values_dtype_op_and_name():
    t = Tensor([1.0, 2.0], requires_grad=True, name="dense_1_W")
    assert repr(t) == ("Tensor([1., 2.], dtype=float32, requires_grad=True, "
                       "name='dense_1_W')")
    assert "op=Mul" in repr(t * 2)


def test_method_aliases_match_their_functions():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert x.permute(1, 0).shape == (3, 2) and x.permute((1, 0)).op == "Transpose"
    assert x.flatten().shape == (6,) and x.unsqueeze(0).shape == (1, 2, 3)
    assert (np.ones((4, 2)) @ x).shape == (4, 3) and (np.ones((4, 2)) @ x).op == "MatMul"
    assert F.stack([x, x], axis=1).shape == (2, 2, 3)


def test_iterating_yields_rows():
    rows = list(Tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert [r.tolist() for r in rows] == [[1.0, 2.0], [3.0, 4.0]]


def test_index_forms_match_numpy():
    a = np.arange(24.0).reshape(2, 3, 4)
    t = Tensor(a)
    mask = a[:, :, 0] > 5
    for index in [(Ellipsis, 1), (None, 0, slice(None, None, -1)), (slice(None), [2, 0, 2]),
                  (1, np.array([0, 0]), slice(1, 3))]:
        assert t[index].tolist() == a[index].tolist()
    assert t[Tensor(mask)].tolist() == a[mask].tolist() and t[[1, 1]].shape == (2, 3, 4)


def test_shape_helpers_explain_bad_arguments():
    t = Tensor(np.ones((2, 3)))
    for call, words in [(lambda: t.split(2, axis=1), "does not divide"),
                        (lambda: t.squeeze(0), "axis 0 has length 2"),
                        (lambda: t.expand_dims(4), "out of range")]:
        with pytest.raises(ValueError, match=words):
            call()
    assert [p.shape for p in t.split([1], axis=1)] == [(2, 1), (2, 2)]
    assert t.pad(1).shape == (4, 5) and t.pad((0, 2)).shape == (4, 5)
