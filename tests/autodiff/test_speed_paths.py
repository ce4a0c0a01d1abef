"""Speed paths inside primitives give the numbers of the plain formula (see each test)."""
import numpy as np
import pytest

from tinygrad_keras.autodiff import Tensor, grad
from tinygrad_keras.autodiff.ops import either


@pytest.mark.parametrize("shape", [(3,), (4, 5), (70, 70)])  # the last above SMALL_BROADCAST
def test_broadcast_to_of_an_array_equals_numpys(shape):
    x = np.arange(shape[-1], dtype=np.float32)
    got = either.broadcast_to(x, shape)
    np.testing.assert_array_equal(got, np.broadcast_to(x, shape))
    assert got.dtype == x.dtype
    if np.prod(shape) <= either.SMALL_BROADCAST:
        assert got.flags.writeable and not np.shares_memory(got, x)
    else:
        assert not got.flags.writeable  # a view: nothing written


@pytest.mark.parametrize("shape", [(6,), (3, 4), (80, 60)])
def test_mean_and_sum_gradients_stored_as_leaf_grads(shape):
    a = Tensor(np.random.RandomState(0).rand(*shape), requires_grad=True)
    a.mean().backward()
    np.testing.assert_array_equal(a.grad, np.full(shape, 1.0 / np.prod(shape)))
    a.grad[...] = 0.0  # the user's array: writable, shared with nothing
    a.grad = None
    a.sum(axis=0).sum().backward()
    np.testing.assert_array_equal(a.grad, np.ones(shape))
    (g,) = grad(a.mean() * 2.0, [a], create_graph=True)
    assert isinstance(g, Tensor)
    np.testing.assert_allclose(g.data, 2.0 / np.prod(shape))
