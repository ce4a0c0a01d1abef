"""``K.*`` on Keras tensors outside a model: recorded, then computed by ``K.function``
(``_backend/deferred.py``): values against numpy, static shapes, gradients of a recorded
loss against central differences, gradients of gradients, and the error paths."""
import numpy as np
import pytest

from tinygrad_keras import backend as K
from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.layers import AveragePooling2D, Convolution2D, Dense, Input
from tinygrad_keras.models import Model

RNG = np.random.RandomState(0)
X = RNG.randn(2, 3, 4).astype("float32")
W = RNG.randn(4, 4).astype("float32")


def _run(outputs, inputs, values):
    return K.function(inputs, outputs)(values)


# ---- values and shapes against numpy --------------------------------------------------
CASES = {
    "sum": (lambda x: K.sum(K.square(x), axis=1, keepdims=True),
            lambda x: np.sum(x ** 2, axis=1, keepdims=True)),
    "mean_sqrt": (lambda x: K.sqrt(K.mean(K.abs(x))), lambda x: np.sqrt(np.mean(np.abs(x)))),
    "pow": (lambda x: K.pow(K.abs(x) + 1.0, 1.25), lambda x: (np.abs(x) + 1) ** 1.25),
    "batch_flatten_dot": (lambda x: K.dot(K.batch_flatten(x), K.transpose(K.batch_flatten(x))),
                          lambda x: x.reshape(2, -1) @ x.reshape(2, -1).T),
    "permute": (lambda x: K.permute_dimensions(x, (2, 0, 1)), lambda x: x.transpose(2, 0, 1)),
    "slice": (lambda x: x[0, :, 1:-1], lambda x: x[0, :, 1:-1]),
    "concat_constants": (lambda x: K.concatenate([K.variable(W[None, :3]), x, X], axis=0),
                         lambda x: np.concatenate([W[None, :3], x, X], axis=0)),
    "softmax_max": (lambda x: K.max(K.softmax(K.reshape(x, (-1, 4))), axis=-1),
                    lambda x: (np.exp(x) / np.exp(x).sum(-1, keepdims=True)).max(-1).ravel()),
    "dot_variable": (lambda x: K.dot(x, K.variable(W)), lambda x: x @ W),
    "operators": (lambda x: (1.0 - x) * 2 / (K.exp(x) + 3) ** 2 - abs(-x),
                  lambda x: (1 - x) * 2 / (np.exp(x) + 3) ** 2 - np.abs(x)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_recorded_operations_compute_what_numpy_computes(name):
    recorded, expected = CASES[name]
    x = K.placeholder(shape=(2, 3, 4))
    out = recorded(x)
    assert K.is_keras_tensor(out)
    want = expected(X)
    assert out.shape == want.shape
    np.testing.assert_allclose(_run([out], [x], [X])[0], want, rtol=1e-5, atol=1e-6)


def test_unknown_sizes_stay_unknown_and_known_ones_are_kept():
    x = Input(shape=(3, None))                      # (None, 3, None)
    assert K.sum(x, axis=1).shape == (None, None)
    assert x[:, :, 2:-2].shape == (None, 3, None)
    assert K.batch_flatten(x).shape == (None, None)
    assert K.ndim(x[0]) == 2 and x[0].shape == (3, None)
    assert K.mean(x).shape == ()
    assert K.shape(K.variable(np.zeros((2, 5)))) == (2, 5)
    assert K.shape(x[0, :, :2]) == (3, 2)               # all sizes known: a tuple
    sizes = K.shape(x)                                  # else a recorded int Tensor
    assert K.is_keras_tensor(sizes) and sizes.shape == (3,)
    assert _run([sizes], [x], [np.zeros((4, 3, 7))])[0].tolist() == [4, 3, 7]
    masks = Input(shape=(None, None))                   # sizes borrowed through broadcasting
    assert (K.variable(np.ones((4, 2, 3))) * masks[0]).shape == (4, 2, 3)


def test_a_value_of_other_sizes_than_recorded_is_an_error():
    x = K.placeholder(shape=(2, 3))
    f = K.function([x], [K.square(x)])
    with pytest.raises(ValueError, match=r"recorded shape was \(2, 3\)"):
        f([np.ones((4, 3))])


def test_tensor_and_numpy_scalars_defer_to_keras_tensors():
    x = K.placeholder(shape=(3,))
    loss = K.variable(0.)
    loss += np.float32(2.0) * K.sum(x)
    loss -= np.float64(0.5) * K.sum(K.square(x))
    loss = K.variable(1.0) + loss
    assert K.is_keras_tensor(loss) and loss.shape == ()
    v = np.array([1.0, 2.0, 3.0], "float32")
    assert _run([loss], [x], [v])[0] == pytest.approx(1 + 2 * 6 - 0.5 * 14)


def test_a_variable_is_read_when_the_function_runs_and_an_array_when_recorded():
    x = K.placeholder(shape=(2,))
    var, arr = K.variable([1.0, 1.0]), np.array([10.0, 10.0], "float32")
    f = K.function([x], [x * var + arr])
    arr[:] = 0.0
    K.set_value(var, [2.0, 3.0])
    np.testing.assert_allclose(f([np.ones(2)])[0], [12.0, 13.0])


def test_recording_does_not_move_numpy_random_state():
    x = K.placeholder(shape=(4, 5))
    np.random.seed(3)
    K.dropout(x, 0.5)
    drawn = np.random.rand()
    np.random.seed(3)
    assert np.random.rand() == drawn


# ---- gradients ---------------------------------------------------------------------------
def _dense_model():
    inp = Input(shape=(4,))
    hidden = Dense(3, activation="tanh")(inp)
    return inp, hidden


def test_gradient_of_a_recorded_loss_matches_central_differences():
    inp, hidden = _dense_model()
    w, b = hidden._keras_history[0].get_weights()
    loss = K.variable(0.)
    loss += 2.0 * K.sum(K.square(hidden[:, 1:])) / np.prod((3,))
    loss -= np.float32(0.5) * K.mean(inp)
    grads = K.gradients(loss, inp)                      # one variable, not a list: as 1.2.2
    assert isinstance(grads, list) and grads[0].shape == (None, 4)
    x = RNG.randn(2, 4).astype("float32")
    value, grad = K.function([inp], [loss] + grads)([x])

    def reference(v):
        return 2 * np.sum(np.tanh(v @ w + b)[:, 1:] ** 2) / 3 - 0.5 * v.mean()
    assert value == pytest.approx(reference(x.astype("float64")), rel=1e-5)
    numeric = np.zeros((2, 4))
    for i in np.ndindex(x.shape):
        step = np.zeros((2, 4))
        step[i] = 1e-5
        numeric[i] = (reference(x + step) - reference(x - step)) / 2e-5
    np.testing.assert_allclose(grad, numeric, rtol=1e-3, atol=1e-5)


def test_gradient_of_a_gradient_expression():
    x = K.placeholder(shape=(5,))
    g = K.gradients(K.sum(x ** 3), [x])[0]             # 3 x^2
    normalized = g / (K.sqrt(K.mean(K.square(g))) + 1e-5)
    gg = K.gradients(K.sum(K.square(g)), [x])[0]        # d/dx sum(9 x^4) = 36 x^3
    v = np.array([-1.0, 0.5, 1.0, 2.0, 0.0], "float32")
    g_value, n_value, gg_value = K.function([x], [g, normalized, gg])([v])
    np.testing.assert_allclose(g_value, 3 * v ** 2, rtol=1e-6)
    np.testing.assert_allclose(n_value, 3 * v ** 2 / (np.sqrt(np.mean(9 * v ** 4)) + 1e-5),
                               rtol=1e-5)
    np.testing.assert_allclose(gg_value, 36 * v ** 3, rtol=1e-5)


def test_gradients_with_respect_to_variables_weights_and_unused_tensors():
    inp, hidden = _dense_model()
    scale, unused = K.variable(2.0), K.variable(np.ones(3))
    kernel = hidden._keras_history[0].trainable_weights[0]
    loss = scale * K.sum(hidden)
    g_scale, g_kernel, g_unused = K.gradients(loss, [scale, kernel, unused])
    assert g_kernel.shape == kernel.shape
    x = RNG.randn(2, 4).astype("float32")
    s, k, u = K.function([inp], [g_scale, g_kernel, g_unused])([x])
    w, b = hidden._keras_history[0].get_weights()
    t = np.tanh(x @ w + b)
    assert s == pytest.approx(t.sum(), rel=1e-5)
    np.testing.assert_allclose(k, 2 * x.T @ (1 - t ** 2), rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(u, np.zeros(3))


# ---- Input(tensor=...) -------------------------------------------------------------------
def test_a_model_on_a_recorded_concatenation_is_computed_from_the_placeholder():
    fixed = RNG.rand(1, 1, 6, 6).astype("float32")
    free = K.placeholder((1, 1, 6, 6))
    images = K.concatenate([K.variable(fixed), free], axis=0)
    inp = Input(tensor=images, batch_shape=images.shape)
    conv = Convolution2D(2, 3, 3, border_mode="same", name="conv")
    model = Model(inp, conv(inp))
    assert model.layers[0] is inp._keras_history[0] and model.layers[1] is conv
    out = model.output
    loss = K.sum(K.square(out[1] - out[0]))
    grad = K.gradients(loss, free)[0]
    v = RNG.rand(1, 1, 6, 6).astype("float32")
    value, g = K.function([free], [loss, grad])([v])
    both = model.predict(np.concatenate([fixed, v]))
    assert value == pytest.approx(np.sum((both[1] - both[0]) ** 2), rel=1e-5)
    assert g.shape == (1, 1, 6, 6) and np.abs(g).sum() > 0


def test_a_layer_called_on_a_recorded_tensor_takes_it_as_an_input():
    x = K.placeholder(shape=(None, 2))
    doubled = K.concatenate([x, 2 * x], axis=-1)
    dense = Dense(1, weights=[np.ones((4, 1), "float32"), np.zeros(1, "float32")])
    out = dense(doubled)
    assert dense.inbound_nodes[0].inbound_layers[0].input_source is doubled
    np.testing.assert_allclose(_run([out], [x], [np.array([[1.0, 2.0]])])[0], [[9.0]])


def test_an_input_made_from_a_constant_and_the_gradient_with_respect_to_it():
    masks = K.concatenate([K.variable(np.ones((1, 2, 4, 4))), K.variable(np.zeros((1, 2, 4, 4)))],
                          axis=0)                        # an eager Tensor: two variables
    mask_input = Input(tensor=masks, shape=(None, None, None), name="mask_input")
    pooled = AveragePooling2D((2, 2))(mask_input)
    assert pooled.shape == (None, None, None, None)
    total = K.sum(pooled[0])
    value, grad = K.function([], [total] + K.gradients(total, mask_input))([])
    assert value == pytest.approx(8.0)
    np.testing.assert_allclose(grad[0], np.full((2, 4, 4), 0.25))  # not zeros: it is a leaf
    np.testing.assert_array_equal(grad[1], 0.0)


def test_a_loss_closing_over_a_recorded_tensor_is_computed_while_training():
    inp, hidden = _dense_model()
    out = Dense(1)(hidden)
    penalty = K.mean(K.square(hidden))                 # recorded outside the loss
    model = Model(inp, out)
    model.compile("sgd", lambda y_true, y_pred: K.mean(K.square(y_pred - y_true)) + penalty)
    x, y = RNG.randn(3, 4).astype("float32"), np.zeros((3, 1), "float32")
    (w, b), (w2, b2) = model.layers[1].get_weights(), model.layers[2].get_weights()
    t = np.tanh(x @ w + b)
    expected = np.mean((t @ w2 + b2) ** 2) + np.mean(t ** 2)
    assert model.test_on_batch(x, y) == pytest.approx(expected, rel=1e-5)


# ---- errors ------------------------------------------------------------------------------
def test_a_recorded_tensor_used_as_a_number_or_a_value_is_a_clear_error():
    x = K.placeholder(shape=(3,), name="pixels")
    total = K.sum(x)
    with pytest.raises(TypeError, match="has no value to use as a float"):
        float(total)
    with pytest.raises(TypeError, match="no value"):
        np.asarray(total)
    with pytest.raises(TypeError, match="iterate"):
        list(x)
    with pytest.raises(ValueError, match="symbolic"):
        K.eval(total)


def test_k_function_names_the_input_it_is_missing():
    x = K.placeholder(shape=(3,), name="given")
    y = K.placeholder(shape=(3,), name="forgotten")
    with pytest.raises(ValueError, match="forgotten"):
        K.function([x], [K.sum(x * y)])([np.ones(3)])


def test_a_model_cannot_end_in_a_recorded_operation():
    inp, hidden = _dense_model()
    with pytest.raises(TypeError, match="Lambda"):
        Model(inp, K.square(hidden))


def test_an_eager_tensor_still_computes_at_once():
    t = Tensor(X)
    out = K.sum(K.square(t))
    assert isinstance(out, Tensor)
    assert float(out.data) == pytest.approx(float(np.sum(X ** 2)), rel=1e-5)
