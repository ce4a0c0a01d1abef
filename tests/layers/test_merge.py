"""Merge in every mode: values against numpy, declared vs real shapes, masks,
callable modes, configs, errors, Sequential branches and gradients."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from tests.layers.layer_helpers import layer_gradcheck
from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.engine.topology import Input
from tinygrad_keras.layers import Dense, Merge, merge
from tinygrad_keras.layers.core import Activation, Masking
from tinygrad_keras.models import Model, Sequential


def rand(*shape):
    return np.random.standard_normal(shape).astype(np.float32)


def run_in_model(shapes, arrays, **kwargs):
    """Output of ``merge(**kwargs)`` in a functional model, and its declared shape."""
    inputs = [Input(shape=s) for s in shapes]
    out = merge(inputs, **kwargs)
    return Model(input=inputs, output=out).predict(arrays), out.shape


def cosine_2d(a, b):
    num = (a * b).sum(-1, keepdims=True)
    return num / np.maximum(np.sqrt((a * a).sum(-1, keepdims=True) * (b * b).sum(-1,
                                                                                keepdims=True)),
                            1e-7)


ELEMENTWISE = {"sum": lambda a, b, c: a + b + c, "mul": lambda a, b, c: a * b * c,
               "ave": lambda a, b, c: (a + b + c) / 3,
               "max": lambda a, b, c: np.maximum(np.maximum(a, b), c)}


# ---- values and shapes ---------------------------------------------------------------
@pytest.mark.parametrize("mode", sorted(ELEMENTWISE))
def test_elementwise_modes(mode):
    a, b, c = rand(4, 3, 2), rand(4, 3, 2), rand(4, 3, 2)
    out, shape = run_in_model([(3, 2)] * 3, [a, b, c], mode=mode)
    assert shape == (None, 3, 2)
    assert_allclose(out, ELEMENTWISE[mode](a, b, c), rtol=1e-5)


@pytest.mark.parametrize("axis, shapes, declared", [
    (-1, [(3, 2), (3, 5)], (None, 3, 7)),
    (1, [(2, 4), (5, 4)], (None, 7, 4)),
    (2, [(3, 1), (3, 2), (3, 3)], (None, 3, 6)),
])
def test_concat_mode(axis, shapes, declared):
    arrays = [rand(4, *s) for s in shapes]
    out, shape = run_in_model(shapes, arrays, mode="concat", concat_axis=axis)
    assert shape == declared
    assert_allclose(out, np.concatenate(arrays, axis=axis))


def test_concat_with_unknown_axis_size_declares_none():
    layer = Merge(mode="concat", concat_axis=1)
    assert layer.get_output_shape_for([(None, None, 4), (None, 3, 4)]) == (None, None, 4)


def test_dot_2d_gives_batch_by_one():
    a, b = rand(5, 3), rand(5, 3)
    out, shape = run_in_model([(3,), (3,)], [a, b], mode="dot", dot_axes=1)
    assert shape == (None, 1) and out.shape == (5, 1)
    assert_allclose(out, (a * b).sum(-1, keepdims=True), rtol=1e-5)


@pytest.mark.parametrize("dot_axes, expected", [
    ([2, 2], lambda a, b: np.einsum("bse,bqe->bsq", a, b)),
    (-1, lambda a, b: np.einsum("bse,bqe->bsq", a, b)),
    ([1, 1], lambda a, b: np.einsum("bes,beq->bsq", a, b)),
])
def test_dot_3d_is_batched_matmul(dot_axes, expected):
    shape_a, shape_b = ((4, 3), (4, 3)) if dot_axes == [1, 1] else ((4, 3), (2, 3))
    a, b = rand(2, *shape_a), rand(2, *shape_b)
    out, shape = run_in_model([shape_a, shape_b], [a, b], mode="dot", dot_axes=dot_axes)
    assert shape == (None,) + out.shape[1:]
    assert_allclose(out, expected(a, b), rtol=1e-5, atol=1e-6)


def test_dot_babi_style_axes():
    # babi_memnn: (B, story, E) . (B, query, E) on axes [2, 2] -> (B, story, query)
    a, b = rand(3, 6, 4), rand(3, 2, 4)
    out, shape = run_in_model([(6, 4), (2, 4)], [a, b], mode="dot", dot_axes=[2, 2])
    assert shape == (None, 6, 2)
    assert_allclose(out, np.einsum("bse,bqe->bsq", a, b), rtol=1e-5, atol=1e-6)


def test_cos_2d_matches_keras_values_with_declared_shape():
    a, b = rand(5, 3), rand(5, 3)
    out, shape = run_in_model([(3,), (3,)], [a, b], mode="cos", dot_axes=1)
    # project decision: the computed shape is the declared (None, 1), not 1.2.2's (B, 1, 1)
    assert shape == (None, 1) and out.shape == (5, 1)
    assert_allclose(out, cosine_2d(a, b), rtol=1e-5)
    assert_allclose(run_in_model([(3,), (3,)], [a, a], mode="cos")[0], 1.0, rtol=1e-5)


def test_cos_3d_is_cosine_of_every_row_pair():
    a, b = rand(2, 3, 4), rand(2, 3, 4)
    out, shape = run_in_model([(3, 4), (3, 4)], [a, b], mode="cos", dot_axes=[2, 2])
    assert shape == (None, 3, 3)
    norms = np.linalg.norm(a, axis=-1)[:, :, None] * np.linalg.norm(b, axis=-1)[:, None, :]
    assert_allclose(out, np.einsum("bse,bqe->bsq", a, b) / norms, rtol=1e-5)


def test_merge_does_not_mutate_inputs():
    a, b = rand(3, 2), rand(3, 2)
    ta, tb = Tensor(a.copy()), Tensor(b.copy())
    for mode in ("sum", "mul", "ave", "max", "concat"):
        merge([ta, tb], mode=mode)
    assert_allclose(ta.data, a)
    assert_allclose(tb.data, b)


# ---- callable modes -----------------------------------------------------------------
def diff(inputs, scale=1.0):
    return (inputs[0] - inputs[1]) * scale


def diff_shape(shapes):
    return shapes[0]


def test_callable_mode_with_tuple_or_callable_output_shape_and_arguments():
    a, b = rand(4, 3), rand(4, 3)
    out, shape = run_in_model([(3,), (3,)], [a, b], mode=diff, output_shape=(3,),
                              arguments={"scale": 2.0})
    assert shape == (None, 3)
    assert_allclose(out, 2 * (a - b), rtol=1e-6)
    out, shape = run_in_model([(3,), (3,)], [a, b], mode=lambda xs: xs[0] * xs[1],
                              output_shape=diff_shape)
    assert shape == (None, 3)
    assert_allclose(out, a * b, rtol=1e-6)


def test_callable_mode_output_shape_is_inferred_as_in_the_guide():
    left = Sequential([Dense(4, input_dim=3)])
    right = Sequential([Dense(4, input_dim=3)])
    merged = Merge([left, right], mode=lambda x: x[0] - x[1])
    assert merged.output_shape == (None, 4)
    shape = merge([Input(shape=(None, 3)), Input(shape=(None, 3))],
                  mode=lambda xs: xs[0].sum(axis=1) * xs[1].sum(axis=1)).shape
    assert shape == (None, 3)


def test_callable_mode_that_cannot_run_asks_for_output_shape():
    def broken(inputs):
        raise RuntimeError("needs real data")
    with pytest.raises(ValueError, match="m.*output_shape"):
        merge([Input(shape=(3,)), Input(shape=(3,))], mode=broken, name="m")


def test_callable_mode_gets_the_mask_and_output_mask():
    seen = {}

    def with_mask(inputs, mask=None):
        seen["mask"] = mask
        return inputs[0]
    layer = Merge(mode=with_mask, output_shape=(3,), output_mask=lambda masks: masks[0])
    mask = Tensor(np.array([True, False]))
    _, out_mask = layer.run([Tensor(rand(2, 3)), Tensor(rand(2, 3))], [mask, None])
    assert seen["mask"][0] is mask and out_mask is mask
    fixed = Merge(mode=with_mask, output_shape=(3,), output_mask="fixed")
    assert fixed.run([Tensor(rand(2, 3))] * 2, [mask, None])[1] == "fixed"


# ---- masks -----------------------------------------------------------------------
def masks_2x3():
    return (Tensor(np.array([[1, 1, 0], [1, 0, 1]], dtype=bool)),
            Tensor(np.array([[1, 0, 0], [1, 1, 1]], dtype=bool)))


@pytest.mark.parametrize("mode", ["sum", "mul", "ave"])
def test_elementwise_masks_are_anded(mode):
    m1, m2 = masks_2x3()
    x = [Tensor(rand(2, 3, 4)), Tensor(rand(2, 3, 4))]
    _, mask = Merge(mode=mode).run(x, [m1, m2])
    assert np.asarray(mask.data).tolist() == [[True, False, False], [True, False, True]]
    _, mask = Merge(mode=mode).run(x, [m1, None])
    assert np.asarray(mask.data).tolist() == np.asarray(m1.data).tolist()
    assert Merge(mode=mode).run(x, [None, None])[1] is None


def test_concat_masks_on_feature_axis_and_time_axis():
    m1, m2 = masks_2x3()
    x = [Tensor(rand(2, 3, 4)), Tensor(rand(2, 3, 5))]
    _, mask = Merge(mode="concat").run(x, [m1, m2])
    assert np.asarray(mask.data).tolist() == [[True, False, False], [True, False, True]]
    _, mask = Merge(mode="concat").run(x, [m1, None])  # a missing mask counts as all ones
    assert np.asarray(mask.data).tolist() == np.asarray(m1.data).tolist()
    x = [Tensor(rand(2, 3, 4)), Tensor(rand(2, 3, 4))]
    _, mask = Merge(mode="concat", concat_axis=1).run(x, [m1, m2])
    assert np.asarray(mask.data).tolist() == [[1, 1, 0, 1, 0, 0], [1, 0, 1, 1, 1, 1]]


def test_dot_cos_drop_masks_and_max_refuses_them():
    m1, m2 = masks_2x3()
    x = [Tensor(rand(2, 3, 4)), Tensor(rand(2, 3, 4))]
    assert Merge(mode="dot", dot_axes=[2, 2]).run(x, [m1, m2])[1] is None
    assert Merge(mode="cos", dot_axes=[2, 2]).run(x, [m1, m2])[1] is None
    with pytest.raises(ValueError, match="max"):
        Merge(mode="max").run(x, [m1, m2])


def test_masks_flow_through_a_functional_model():
    inp = Input(shape=(3, 2))
    masked = Masking(0.0)(inp)
    out = merge([masked, Activation("linear")(masked)], mode="sum")
    x = rand(2, 3, 2)
    x[0, 1] = 0.0
    assert_allclose(Model(input=inp, output=out).predict(x), 2 * x, rtol=1e-6)


# ---- errors -----------------------------------------------------------------------
def test_incompatible_shapes_are_refused_at_construction_naming_layer_and_shapes():
    a, b = Input(shape=(3,)), Input(shape=(4,))
    with pytest.raises(ValueError, match=r"joint.*\(None, 3\).*\(None, 4\)"):
        merge([a, b], mode="sum", name="joint")
    left = Sequential([Dense(3, input_dim=2)])
    right = Sequential([Dense(4, input_dim=2)])
    with pytest.raises(ValueError, match=r"\(None, 3\).*\(None, 4\)"):
        Merge([left, right], mode="mul")
    with pytest.raises(ValueError, match="concat"):
        merge([Input(shape=(3, 2)), Input(shape=(4, 5))], mode="concat")
    with pytest.raises(ValueError, match="dimension incompatibility"):
        merge([Input(shape=(3,)), Input(shape=(4,))], mode="dot", dot_axes=1)
    with pytest.raises(ValueError, match="exactly 2"):
        merge([Input(shape=(3,))] * 3, mode="dot")


def test_merge_of_plain_layers_uses_their_outputs():
    a, b = Input(shape=(3,)), Input(shape=(3,))
    left, right = Dense(2), Dense(2)
    left(a)
    right(b)
    merged = Merge([left, right], mode="concat")
    assert merged.output_shape == (None, 4)
    assert merged.inbound_nodes[0].inbound_layers == [left, right]


def test_bad_mode_and_too_few_layers():
    with pytest.raises(ValueError, match="invalid merge mode"):
        Merge(mode="median")
    with pytest.raises(TypeError, match="at least 2"):
        Merge([Sequential([Dense(3, input_dim=2)])], mode="sum")


# ---- config --------------------------------------------------------------------------
def test_config_round_trip_for_string_and_named_function_modes():
    layer = Merge(mode="concat", concat_axis=1, name="joined")
    config = layer.get_config()
    assert config["mode"] == "concat" and config["mode_type"] == "raw"
    assert Merge.from_config(config).get_config() == config
    layer = Merge(mode=diff, output_shape=diff_shape, arguments={"scale": 3.0})
    config = layer.get_config()
    assert (config["mode"], config["mode_type"]) == ("diff", "function")
    assert (config["output_shape"], config["output_shape_type"]) == ("diff_shape", "function")
    rebuilt = Merge.from_config(config, custom_objects={"diff": diff, "diff_shape": diff_shape})
    assert rebuilt.mode is diff and rebuilt.arguments == {"scale": 3.0}
    with pytest.raises(ValueError, match="custom_objects"):
        Merge.from_config(config)
    lam = Merge(mode=lambda xs: xs[0], output_shape=(3,)).get_config()
    with pytest.raises(ValueError, match="lambda"):
        Merge.from_config(lam)


# ---- Sequential branches (the quick-start guide) ---------------------------------------
@pytest.mark.parametrize("mode, out_dim", [("concat", 8), ("sum", 4), ("dot", 1)])
def test_merge_of_sequential_branches_trains(mode, out_dim):
    left = Sequential([Dense(4, input_dim=3)])
    right = Sequential([Dense(4, input_dim=5)])
    merged = Merge([left, right], mode=mode, dot_axes=1)
    model = Sequential()
    model.add(merged)
    model.add(Dense(2, activation="softmax"))
    assert merged.output_shape == (None, out_dim)
    model.compile("rmsprop", "categorical_crossentropy")
    x1, x2, y = rand(16, 3), rand(16, 5), np.eye(2)[np.arange(16) % 2]
    history = model.fit([x1, x2], y, nb_epoch=2, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert model.predict([x1, x2]).shape == (16, 2)


def test_merge_config_of_a_sequential_round_trips():
    left = Sequential([Dense(4, input_dim=3)])
    right = Sequential([Dense(4, input_dim=3)])
    model = Sequential([Merge([left, right], mode="sum"), Dense(1)])
    x = rand(2, 3)
    again = Sequential.from_config(model.get_config())
    again.set_weights(model.get_weights())
    assert_allclose(again.predict([x, x]), model.predict([x, x]), rtol=1e-6)


# ---- gradients -----------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, shapes", [
    ({"mode": "sum"}, [(2, 3)] * 3),
    ({"mode": "mul"}, [(2, 3)] * 3),
    ({"mode": "ave"}, [(2, 3)] * 2),
    ({"mode": "max"}, [(2, 3)] * 2),
    ({"mode": "concat", "concat_axis": 1}, [(2, 3, 2), (2, 1, 2)]),
    ({"mode": "dot", "dot_axes": 1}, [(2, 3)] * 2),
    ({"mode": "dot", "dot_axes": [2, 2]}, [(2, 3, 2), (2, 4, 2)]),
    ({"mode": "dot", "dot_axes": [1, 2]}, [(2, 3, 2), (2, 4, 3)]),
    ({"mode": "cos", "dot_axes": 1}, [(2, 3)] * 2),
    ({"mode": "cos", "dot_axes": [2, 2]}, [(2, 3, 2)] * 2),
    ({"mode": diff, "output_shape": (3,)}, [(2, 3)] * 2),
])
def test_gradients_through_every_mode(kwargs, shapes):
    np.random.seed(3)
    arrays = [np.random.randn(*s) for s in shapes]
    assert layer_gradcheck(Merge(**kwargs), *arrays)
