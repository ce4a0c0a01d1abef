"""The backend ``K``: values against numpy, shapes, gradients of the composites."""
import numpy as np
import pytest

from tinygrad_keras import backend as K
from tinygrad_keras.autodiff import Tensor

RNG = np.random.RandomState(0)
A = RNG.randn(3, 4)
A3 = RNG.randn(2, 3, 4)


def _grad(fn, x0):
    """Analytic gradient of ``sum(fn(x) * w)`` next to the central-difference one."""
    w = np.random.RandomState(1).randn(*np.shape(fn(Tensor(x0)).data))
    x = Tensor(x0, requires_grad=True)
    (fn(x) * Tensor(w)).sum().backward()
    num = np.zeros_like(x0)
    for idx in np.ndindex(x0.shape):
        d = np.zeros_like(x0)
        d[idx] = 1e-6
        num[idx] = ((fn(Tensor(x0 + d)).data * w).sum() - (fn(Tensor(x0 - d)).data * w).sum()) / 2e-6
    return x.grad, num


# ---- reductions ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "prod", "var", "std"])
@pytest.mark.parametrize("axis,keepdims", [(None, False), (1, False), (-1, True), ((0, 2), False)])
def test_reductions(name, axis, keepdims):
    expected = getattr(np, name)(A3, axis=axis, keepdims=keepdims)   # numpy var/std: population
    out = getattr(K, name)(Tensor(A3), axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)


def test_prod_gradient_with_a_zero_and_var_gradient():
    x0 = A.copy()
    x0[1, 2] = 0.0
    np.testing.assert_allclose(*_grad(lambda x: K.prod(x, axis=1), x0), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(*_grad(lambda x: K.std(x, axis=0), A), rtol=1e-6, atol=1e-8)


def test_any_all_argmax_and_bool_mean():
    b = A > 0
    np.testing.assert_array_equal(K.any(Tensor(b), axis=1).data, b.any(1).astype(np.uint8))
    np.testing.assert_array_equal(K.all(Tensor(b), axis=0).data, b.all(0).astype(np.uint8))
    np.testing.assert_array_equal(K.argmax(Tensor(A)).data, A.argmax(-1))
    np.testing.assert_array_equal(K.argmin(Tensor(A), axis=0).data, A.argmin(0))
    out = K.mean(Tensor(b))
    assert out.dtype == np.float32 and float(out) == pytest.approx(b.mean())


# ---- elementwise -------------------------------------------------------------------------
@pytest.mark.parametrize("name,np_fn,x", [
    ("square", np.square, A), ("abs", np.abs, A), ("sqrt", np.sqrt, np.abs(A)),
    ("exp", np.exp, A), ("log", np.log, np.abs(A)), ("sign", np.sign, A),
    ("round", np.round, np.array([0.5, 1.5, 2.5, -0.5, 0.4])), ("sin", np.sin, A),
    ("cos", np.cos, A), ("tanh", np.tanh, A), ("softsign", lambda v: v / (1 + np.abs(v)), A),
])
def test_elementwise(name, np_fn, x):
    np.testing.assert_allclose(getattr(K, name)(Tensor(x)).data, np_fn(x), rtol=1e-12)


def test_round_is_half_to_even_and_sqrt_clips_negatives():
    np.testing.assert_array_equal(K.round(Tensor([0.5, 1.5, 2.5])).data, [0.0, 2.0, 2.0])
    assert K.sqrt(Tensor([-4.0])).data[0] == 0.0


def test_sin_and_cos_have_gradients():
    from tinygrad_keras import gradcheck
    x = Tensor(A.astype(np.float64), requires_grad=True)
    assert gradcheck(lambda t: K.sin(t) * K.cos(t), x)


def test_pow_clip_maximum_minimum():
    np.testing.assert_allclose(K.pow(Tensor(np.abs(A)), 3).data, np.abs(A) ** 3)
    np.testing.assert_allclose(K.clip(Tensor(A), -0.5, None).data, np.maximum(A, -0.5))
    np.testing.assert_allclose(K.clip(Tensor(A), 0.3, 0.1).data, np.full_like(A, 0.3))  # max<min
    np.testing.assert_allclose(K.maximum(Tensor(A), 0.2).data, np.maximum(A, 0.2))
    np.testing.assert_allclose(K.minimum(Tensor(A), Tensor(A.T[:1].T)).data,
                               np.minimum(A, A[:, :1]))


@pytest.mark.parametrize("name,np_fn", [
    ("equal", np.equal), ("not_equal", np.not_equal), ("greater", np.greater),
    ("greater_equal", np.greater_equal), ("lesser", np.less), ("lesser_equal", np.less_equal),
])
def test_comparisons_return_bool_tensors(name, np_fn):
    y = np.round(A)
    out = getattr(K, name)(Tensor(A), Tensor(y))
    assert out.dtype == bool
    np.testing.assert_array_equal(out.data, np_fn(A, y))


# ---- linear algebra and shapes --------------------------------------------------------
def test_dot():
    b = RNG.randn(4, 5)
    np.testing.assert_allclose(K.dot(Tensor(A), Tensor(b)).data, A @ b)
    np.testing.assert_allclose(K.dot(Tensor(A3), Tensor(b)).data, A3 @ b)
    y3 = RNG.randn(6, 4, 5)                                   # Theano-style nD . nD
    expected = np.einsum("ik,bkn->ibn", A, y3)
    np.testing.assert_allclose(K.dot(Tensor(A), Tensor(y3)).data, expected)
    np.testing.assert_allclose(*_grad(lambda x: K.dot(x, Tensor(y3)), A), rtol=1e-6)


@pytest.mark.parametrize("xs,ys,axes,expected_shape", [
    ((4, 3), (4, 3), 1, (4, 1)),
    ((4, 3), (4, 3), None, (4, 1)),
    ((4, 2, 3), (4, 5, 3), [2, 2], (4, 2, 5)),
    ((4, 2, 3), (4, 3, 5), None, (4, 2, 5)),
    ((4, 3), (4, 5, 3), [1, 2], (4, 5)),
    ((4, 3, 1), (4, 3, 6), [1, 1], (4, 1, 6)),
])
def test_batch_dot(xs, ys, axes, expected_shape):
    x, y = RNG.randn(*xs), RNG.randn(*ys)
    out = K.batch_dot(Tensor(x), Tensor(y), axes)
    assert out.shape == expected_shape
    if axes is None:
        axes = (x.ndim - 1, y.ndim - 1 if y.ndim == 2 else y.ndim - 2)
    ax, ay = (axes, axes) if isinstance(axes, int) else axes
    for i in range(4):                                        # per sample: tensordot
        ref = np.tensordot(x[i], y[i], axes=(ax - 1, ay - 1))
        np.testing.assert_allclose(out.data[i].ravel(), np.ravel(ref), rtol=1e-10)


def test_batch_dot_gradient_and_errors():
    y = RNG.randn(2, 5, 4)
    np.testing.assert_allclose(*_grad(lambda x: K.batch_dot(x, Tensor(y), [2, 2]), A3), rtol=1e-6)
    with pytest.raises(ValueError, match="cannot contract axis 2"):
        K.batch_dot(Tensor(A3), Tensor(RNG.randn(2, 5, 3)), [2, 2])


def test_transpose_gather_reshape_permute():
    np.testing.assert_array_equal(K.transpose(Tensor(A3)).data, A3.T)
    np.testing.assert_array_equal(K.gather(Tensor(A), [2, 0, 2]).data, A[[2, 0, 2]])
    np.testing.assert_array_equal(K.reshape(Tensor(A3), (6, -1)).data, A3.reshape(6, -1))
    np.testing.assert_array_equal(K.permute_dimensions(Tensor(A3), (0, 2, 1)).data,
                                  A3.transpose(0, 2, 1))
    ref = Tensor(A, requires_grad=True)
    K.sum(K.gather(ref, Tensor(np.array([1, 1, 0])))).backward()
    np.testing.assert_array_equal(ref.grad, np.array([[1.0] * 4, [2.0] * 4, [0.0] * 4]))


def test_concatenate_stack_flatten_expand_squeeze_reverse():
    np.testing.assert_array_equal(K.concatenate([Tensor(A3), Tensor(A3)]).data,
                                  np.concatenate([A3, A3], -1))
    np.testing.assert_array_equal(K.concatenate([Tensor(A3), Tensor(A3)], axis=1).data,
                                  np.concatenate([A3, A3], 1))
    np.testing.assert_array_equal(K.stack([Tensor(A), Tensor(A)]).data, np.stack([A, A]))
    assert K.flatten(Tensor(A3)).shape == (24,)
    assert K.batch_flatten(Tensor(A3)).shape == (2, 12)
    assert K.expand_dims(Tensor(A)).shape == (3, 4, 1)
    assert K.expand_dims(Tensor(A), 1).shape == (3, 1, 4)
    assert K.squeeze(Tensor(A[:, :1]), 1).shape == (3,)
    np.testing.assert_array_equal(K.reverse(Tensor(A3), 1).data, A3[:, ::-1])
    np.testing.assert_array_equal(K.reverse(Tensor(A3), [0, 2]).data, A3[::-1, :, ::-1])


def test_repeat_tile_one_hot_arange():
    out = K.repeat(Tensor(A), 2)
    assert out.shape == (3, 2, 4)
    np.testing.assert_array_equal(out.data[:, 1], A)
    with pytest.raises(ValueError, match="2D"):
        K.repeat(Tensor(A3), 2)
    np.testing.assert_array_equal(K.repeat_elements(Tensor(A3), 2, 1).data, np.repeat(A3, 2, 1))
    np.testing.assert_array_equal(K.tile(Tensor(A), (2, 1)).data, np.tile(A, (2, 1)))
    np.testing.assert_array_equal(K.one_hot(np.array([[0, 2]]), 3).data, [[[1, 0, 0], [0, 0, 1]]])
    np.testing.assert_array_equal(K.arange(4).data, np.arange(4))
    np.testing.assert_array_equal(K.arange(1, 7, 2).data, [1, 3, 5])
    assert K.arange(3).dtype == np.int32


def test_padding_and_resizing():
    x = RNG.randn(2, 3, 4, 5)
    np.testing.assert_array_equal(K.temporal_padding(Tensor(A3), 2).data,
                                  np.pad(A3, ((0, 0), (2, 2), (0, 0))))
    np.testing.assert_array_equal(K.spatial_2d_padding(Tensor(x), (1, 2), "th").data,
                                  np.pad(x, ((0, 0), (0, 0), (1, 1), (2, 2))))
    np.testing.assert_array_equal(K.spatial_2d_padding(Tensor(x), (1, 2), "tf").data,
                                  np.pad(x, ((0, 0), (1, 1), (2, 2), (0, 0))))
    np.testing.assert_array_equal(
        K.asymmetric_spatial_2d_padding(Tensor(x), 0, 1, 2, 3, "th").data,
        np.pad(x, ((0, 0), (0, 0), (0, 1), (2, 3))))
    np.testing.assert_array_equal(K.resize_images(Tensor(x), 2, 3, "th").data,
                                  x.repeat(2, axis=2).repeat(3, axis=3))
    np.testing.assert_array_equal(K.resize_images(Tensor(x), 2, 3, "tf").data,
                                  x.repeat(2, axis=1).repeat(3, axis=2))
    with pytest.raises(ValueError, match="dim_ordering"):
        K.spatial_2d_padding(Tensor(x), (1, 1), "nchw")


# ---- nn ----------------------------------------------------------------------------------
def test_nn_functions():
    np.testing.assert_allclose(K.relu(Tensor(A), alpha=0.1, max_value=0.5).data,
                               np.where(A > 0, np.minimum(A, 0.5), 0.1 * A))
    np.testing.assert_allclose(K.elu(Tensor(A), 0.5).data, np.where(A > 0, A, 0.5 * np.expm1(A)))
    e = np.exp(A - A.max(-1, keepdims=True))
    np.testing.assert_allclose(K.softmax(Tensor(A)).data, e / e.sum(-1, keepdims=True))
    np.testing.assert_allclose(K.softplus(Tensor(A)).data, np.log1p(np.exp(A)))
    np.testing.assert_allclose(K.sigmoid(Tensor(A)).data, 1 / (1 + np.exp(-A)))
    np.testing.assert_allclose(K.hard_sigmoid(Tensor(A)).data, np.clip(0.2 * A + 0.5, 0, 1))
    np.testing.assert_allclose(K.l2_normalize(Tensor(A), 1).data,
                               A / np.linalg.norm(A, axis=1, keepdims=True))


def test_dropout_is_inverted_and_seeded():
    x = Tensor(np.ones((200, 50), dtype=np.float32))
    out = K.dropout(x, 0.3, seed=3).data
    assert set(np.unique(out)) <= {0.0, np.float32(1 / 0.7)}
    assert (out == 0).mean() == pytest.approx(0.3, abs=0.02)
    np.testing.assert_array_equal(out, K.dropout(x, 0.3, seed=3).data)
    shared = K.dropout(x, 0.5, noise_shape=(200, 1), seed=0).data
    assert np.all(shared == shared[:, :1])
    with pytest.raises(ValueError, match="level"):
        K.dropout(x, 1.0)


def test_in_top_k():
    preds = np.array([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4], [0.9, 0.05, 0.05]])
    np.testing.assert_array_equal(K.in_top_k(Tensor(preds), np.array([2, 0, 1]), 1).data,
                                  [False, False, False])
    np.testing.assert_array_equal(K.in_top_k(Tensor(preds), np.array([2, 0, 1]), 2).data,
                                  [True, True, True])      # ties straddling k count as hits


def test_batch_normalization_functions():
    gamma, beta = RNG.rand(4) + 0.5, RNG.randn(4)
    normed, mean, var = K.normalize_batch_in_training(Tensor(A), gamma, beta, [0], 1e-3)
    np.testing.assert_allclose(mean.data, A.mean(0))
    np.testing.assert_allclose(var.data, A.var(0))
    np.testing.assert_allclose(normed.data, (A - A.mean(0)) / np.sqrt(A.var(0) + 1e-3) * gamma
                               + beta)


# ---- creation, random, variables --------------------------------------------------------
def test_creation_and_shapes():
    z = K.zeros((2, 3), name="z")
    assert z.requires_grad and z.name == "z" and z.dtype == np.float32
    np.testing.assert_array_equal(K.ones((2,)).data, [1, 1])
    np.testing.assert_array_equal(K.eye(3).data, np.eye(3))
    assert K.zeros_like(Tensor(A)).dtype == np.float64
    np.testing.assert_array_equal(K.ones_like(Tensor(A3)).data, np.ones_like(A3))
    assert K.int_shape(Tensor(A3)) == (2, 3, 4) and K.ndim(Tensor(A3)) == 3
    assert K.dtype(Tensor(A)) == "float64" and K.count_params(Tensor(A3)) == 24
    assert K.cast(Tensor(A), "float32").dtype == np.float32
    assert K.cast(Tensor(A > 0), K.floatx()).dtype == np.float32
    np.testing.assert_array_equal(K.eval(K.variable(A)), A.astype(np.float32))
    assert K.int_shape(K.placeholder(shape=(None, 5))) == (None, 5)
    assert K.int_shape(K.placeholder(ndim=3)) == (None, None, None)


def test_cast_keeps_the_gradient_between_floats():
    x = Tensor(A, requires_grad=True)
    K.sum(K.cast(x, "float32")).backward()
    np.testing.assert_array_equal(x.grad, np.ones_like(A))


def test_random_draws_follow_numpy_seed():
    np.random.seed(5)
    first = [K.random_normal((3,), 1.0, 2.0).data, K.random_uniform((3,), -1, 1).data,
             K.random_binomial((3,), 0.5).data, K.random_uniform_variable((2,), 0, 1).data]
    np.random.seed(5)
    second = [K.random_normal((3,), 1.0, 2.0).data, K.random_uniform((3,), -1, 1).data,
              K.random_binomial((3,), 0.5).data, K.random_uniform_variable((2,), 0, 1).data]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    big = K.random_normal((20000,), mean=1.0, std=2.0).data
    assert big.mean() == pytest.approx(1.0, abs=0.05) and big.std() == pytest.approx(2.0, rel=0.03)
    assert set(np.unique(K.random_binomial((100,), p=0.3).data)) <= {0.0, 1.0}


def test_print_tensor(capsys):
    x = Tensor([1.0, 2.0])
    assert K.print_tensor(x, "x =") is x
    assert "x =" in capsys.readouterr().out


# ---- graph helpers -----------------------------------------------------------------------
def test_gradients_do_not_disturb_existing_grads():
    w, v = Tensor(A, requires_grad=True), Tensor(A.T, requires_grad=True)
    w.grad = np.full_like(A, 7.0)
    loss = K.sum(K.square(w) * 3.0) + K.sum(v)
    g_w, g_v = K.gradients(loss, [w, v])
    np.testing.assert_allclose(g_w.data, 6 * A)
    np.testing.assert_allclose(g_v.data, np.ones_like(A.T))
    np.testing.assert_array_equal(w.grad, np.full_like(A, 7.0))
    assert v.grad is None
    hidden = K.exp(w)
    (g_h,) = K.gradients(K.sum(hidden * 2.0), [hidden])         # an intermediate result
    np.testing.assert_allclose(g_h.data, np.full_like(A, 2.0))
    (unused,) = K.gradients(K.sum(v), [w])
    np.testing.assert_array_equal(unused.data, np.zeros_like(A))


def test_stop_gradient_switch_and_updates():
    x = Tensor(A, requires_grad=True)
    K.sum(K.stop_gradient(x) * x).backward()
    np.testing.assert_allclose(x.grad, A)
    assert K.switch(Tensor(1), lambda: "then", "else") == "then"
    assert K.switch(0, "then", lambda: "else") == "else"
    np.testing.assert_array_equal(K.switch(Tensor(A > 0), Tensor(A), 0.0).data, np.maximum(A, 0))
    v = K.variable([1.0, 2.0])
    K.update_add(v, 1.0)
    K.update_sub(v, Tensor([0.5, 0.5]))
    np.testing.assert_allclose(K.get_value(v), [1.5, 2.5])
    K.moving_average_update(v, np.array([3.5, 4.5]), 0.75)
    np.testing.assert_allclose(K.get_value(v), [2.0, 3.0])
    K.update(v, [0.0, 1.0])
    np.testing.assert_allclose(K.get_value(v), [0.0, 1.0])


def _step(x, states):
    h = K.tanh(x + states[0] * 0.5)
    return h, [h]


def _numpy_rnn(x, mask=None, backwards=False):
    h = np.zeros((x.shape[0], x.shape[2]))
    outs = []
    order = range(x.shape[1])[::-1] if backwards else range(x.shape[1])
    for t in order:
        new = np.tanh(x[:, t] + 0.5 * h)
        if mask is not None:
            new = np.where(mask[:, t:t + 1], new, h)
        h = new
        outs.append(h)
    return np.stack(outs, 1), h


@pytest.mark.parametrize("backwards", [False, True])
def test_rnn_loop_matches_numpy(backwards):
    x = RNG.randn(2, 5, 3)
    mask = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1]], dtype=bool)
    for m in (None, mask):
        last, outs, states = K.rnn(_step, Tensor(x), [Tensor(np.zeros((2, 3)))],
                                   go_backwards=backwards, mask=m)
        ref_outs, ref_h = _numpy_rnn(x, m, backwards)
        np.testing.assert_allclose(outs.data, ref_outs, rtol=1e-12)
        np.testing.assert_allclose(last.data, ref_outs[:, -1], rtol=1e-12)
        np.testing.assert_allclose(states[0].data, ref_h, rtol=1e-12)


def test_rnn_gradient_and_errors():
    def loss(x):
        return K.rnn(_step, x, [Tensor(np.zeros((2, 3)))])[1]
    np.testing.assert_allclose(*_grad(loss, RNG.randn(2, 4, 3)), rtol=1e-6, atol=1e-9)
    with pytest.raises(ValueError, match="at least 3D"):
        K.rnn(_step, Tensor(A), [Tensor(np.zeros((3, 4)))])
    with pytest.raises(ValueError, match="initial states"):
        K.rnn(lambda x, s: (x, []), Tensor(A3), [], mask=np.ones((2, 3)))


def test_conv2d_and_pool2d_orderings_agree():
    x_th, k_th = RNG.randn(2, 3, 6, 6), RNG.randn(4, 3, 3, 3)
    out_th = K.conv2d(Tensor(x_th), Tensor(k_th), border_mode="same", dim_ordering="th")
    out_tf = K.conv2d(Tensor(x_th.transpose(0, 2, 3, 1)), Tensor(k_th.transpose(2, 3, 1, 0)),
                      border_mode="same", dim_ordering="tf")
    np.testing.assert_allclose(out_tf.data, out_th.data.transpose(0, 2, 3, 1), rtol=1e-10)
    ref = sum(x_th[0, c, 1:4, 2:5].ravel() @ k_th[1, c].ravel() for c in range(3))
    assert out_th.data[0, 1, 2, 3] == pytest.approx(ref)      # cross-correlation
    pooled = K.pool2d(Tensor(x_th), (2, 2), (2, 2), pool_mode="avg", dim_ordering="th")
    np.testing.assert_allclose(pooled.data, x_th.reshape(2, 3, 3, 2, 3, 2).mean((3, 5)))
    seq, kern = RNG.randn(2, 7, 3), RNG.randn(2, 3, 5)
    out = K.conv1d(Tensor(seq), Tensor(kern)).data
    assert out.shape == (2, 6, 5)
    assert out[1, 4, 2] == pytest.approx((seq[1, 4:6] * kern[:, :, 2]).sum())


def test_function_replays_layers_with_the_given_learning_phase():
    from tinygrad_keras.layers import Activation, Dense, Dropout
    from tinygrad_keras.models import Sequential
    model = Sequential([Dense(4, input_dim=3), Activation("relu"), Dropout(0.5), Dense(2)])
    x = np.random.RandomState(2).randn(5, 3).astype(np.float32)
    f = K.function([model.layers[0].input, K.learning_phase()],
                   [model.layers[1].output, model.layers[3].output])
    hidden, out = f([x, 0])
    w, b = model.layers[0].get_weights()
    np.testing.assert_allclose(hidden, np.maximum(x @ w + b, 0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    assert K.learning_phase() == 0
    _, dropped = f([x, 1])                                   # dropout active in phase 1
    assert not np.allclose(dropped, out)
    tail = K.function([model.layers[1].output], [model.layers[3].output])
    np.testing.assert_allclose(tail([hidden])[0], out, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="cannot be computed"):
        K.function([model.layers[3].output], [model.layers[1].output])([out])
    with pytest.raises(TypeError, match="KerasTensors"):
        K.function([model.layers[0].input], [Tensor(x)])


def test_map_fn_foldl_foldr():
    np.testing.assert_allclose(K.map_fn(lambda r: K.sum(r), Tensor(A)).data, A.sum(1))
    assert float(K.foldl(lambda acc, r: acc * 2 + K.sum(r), Tensor(A), 0.0)) == pytest.approx(
        (A[0].sum() * 2 + A[1].sum()) * 2 + A[2].sum())
    np.testing.assert_allclose(K.foldr(lambda acc, r: acc - r, Tensor(A)).data, A[2] - A[1] - A[0])
