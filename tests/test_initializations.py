"""Initializations: fan rules, the distributions' scales, orthogonal/identity, lookup."""
import numpy as np
import pytest

from tinygrad_keras import initializations
from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.initializations import get_fans

SHAPE = (300, 200)   # large enough that sample statistics pin the scale to a few %


@pytest.mark.parametrize("shape,ordering,fans", [
    ((3, 5), "th", (3, 5)),
    ((8, 3, 5, 7), "th", (3 * 35, 8 * 35)),             # (out, in, rows, cols)
    ((5, 7, 3, 8), "tf", (3 * 35, 8 * 35)),             # (rows, cols, in, out)
    ((4, 2, 3, 5, 6), "th", (2 * 90, 4 * 90)),
    ((5, 6, 3, 2, 4), "tf", (2 * 30, 4 * 30)),          # tf 5D: only the first two axes count
    ((16,), "th", (4.0, 4.0)),
    ((2, 2, 4), "th", (4.0, 4.0)),
])
def test_get_fans(shape, ordering, fans):
    assert get_fans(shape, dim_ordering=ordering) == pytest.approx(fans)


def test_get_fans_rejects_unknown_ordering():
    with pytest.raises(ValueError, match="dim_ordering"):
        get_fans((2, 3, 4, 5), dim_ordering="xy")


def _draw(name, shape=SHAPE, **kwargs):
    np.random.seed(1)
    return initializations.get(name)(shape, name="w", **kwargs).data


@pytest.mark.parametrize("name,limit", [
    ("uniform", 0.05),
    ("lecun_uniform", np.sqrt(3 / 300)),
    ("glorot_uniform", np.sqrt(6 / 500)),
    ("he_uniform", np.sqrt(6 / 300)),
])
def test_uniform_family_bounds_and_spread(name, limit):
    w = _draw(name)
    assert np.abs(w).max() <= limit
    assert np.abs(w).max() > 0.99 * limit
    assert w.std() == pytest.approx(limit / np.sqrt(3), rel=0.03)


@pytest.mark.parametrize("name,std", [
    ("normal", 0.05),
    ("glorot_normal", np.sqrt(2 / 500)),
    ("he_normal", np.sqrt(2 / 300)),
])
def test_normal_family_std(name, std):
    w = _draw(name)
    assert w.std() == pytest.approx(std, rel=0.03)
    assert abs(w.mean()) < 0.05 * std
    assert np.abs(w).max() > 3 * std          # not truncated


def test_conv_kernel_fans_follow_dim_ordering():
    th = _draw("glorot_uniform", (16, 8, 3, 3), dim_ordering="th")
    tf = _draw("glorot_uniform", (3, 3, 8, 16), dim_ordering="tf")
    limit = np.sqrt(6 / ((8 + 16) * 9))
    assert np.abs(th).max() <= limit and np.abs(tf).max() <= limit
    assert np.abs(th).max() > 0.95 * limit


@pytest.mark.parametrize("shape", [(20, 20), (10, 30), (30, 10), (6, 2, 3, 3)])
def test_orthogonal_has_gain_1_1(shape):
    q = _draw("orthogonal", shape).reshape(shape[0], -1)
    small = q @ q.T if q.shape[0] <= q.shape[1] else q.T @ q
    np.testing.assert_allclose(small, 1.21 * np.eye(len(small)), atol=1e-5)


def test_orthogonal_scale_argument():
    np.random.seed(0)
    q = initializations.orthogonal((5, 5), scale=1.0).data
    np.testing.assert_allclose(q @ q.T, np.eye(5), atol=1e-5)


def test_identity_and_constants():
    np.testing.assert_array_equal(initializations.identity((3, 3), scale=2).data, 2 * np.eye(3))
    np.testing.assert_array_equal(_draw("zero", (2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(_draw("one", (4,)), np.ones(4))
    with pytest.raises(ValueError, match="square 2D"):
        initializations.identity((3, 4))


@pytest.mark.parametrize("name", ["uniform", "normal", "lecun_uniform", "glorot_normal",
                                  "glorot_uniform", "he_normal", "he_uniform", "orthogonal",
                                  "zero", "one"])
def test_result_is_a_named_float32_variable(name):
    w = initializations.get(name)((4, 3), name="dense_1_W")
    assert isinstance(w, Tensor)
    assert w.requires_grad and w.name == "dense_1_W"
    assert w.dtype == np.float32 and w.shape == (4, 3)


def test_seed_reproduces_draws():
    np.testing.assert_array_equal(_draw("glorot_uniform"), _draw("glorot_uniform"))
    np.testing.assert_array_equal(_draw("orthogonal", (7, 7)), _draw("orthogonal", (7, 7)))


def test_get_passes_callables_through_and_lists_valid_names():
    def custom(shape, name=None):
        return initializations.normal(shape, scale=0.001, name=name)
    assert initializations.get(custom) is custom
    with pytest.raises(ValueError, match="glorot_uniform") as err:
        initializations.get("glorot")
    assert "'glorot'" in str(err.value)
    with pytest.raises(TypeError, match="name or a callable"):
        initializations.get(3)


def test_initial_values_are_drawn_directly_in_floatx_without_a_float64_copy():
    """A 16 MB float32 weight costs about 16 MB to create, not the 32 MB float64 draw too."""
    import tracemalloc

    np.random.seed(0)
    tracemalloc.start()
    w = initializations.get("glorot_uniform")((2000, 2000), name="big")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert w.data.dtype == np.float32
    assert peak < 1.25 * w.data.nbytes
    np.random.seed(0)
    limit = np.sqrt(6 / 4000)
    np.testing.assert_array_equal(w.data, np.random.uniform(-limit, limit, (2000, 2000))
                                  .astype("float32"))
