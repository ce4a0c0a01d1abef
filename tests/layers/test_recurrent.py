"""SimpleRNN, GRU and LSTM against a numpy reference of the 1.2.2 equations, plus
gradients, statefulness, dropout, masks, regularizers and configs."""
import numpy as np
import pytest

from tests.layers.rnn_reference import hard_sigmoid, reference, sigmoid, to_gate_weights
from tinygrad_keras import Tensor, gradcheck, regularizers
from tinygrad_keras import backend as K
from tinygrad_keras.layers import GRU, LSTM, Recurrent, SimpleRNN

CLASSES = {"SimpleRNN": SimpleRNN, "GRU": GRU, "LSTM": LSTM}
B, T, D, U = 3, 5, 4, 3


def make_layer(kind, mode="cpu", seed=0, scale=0.5, **kwargs):
    """A built layer with random weights (returned in get_weights order)."""
    layer = CLASSES[kind](U, consume_less=mode, **kwargs)
    shape = kwargs.pop("batch_input_shape", None) or (None, T, D)
    layer._ensure_built(tuple(shape))
    rng = np.random.RandomState(seed)
    weights = [rng.uniform(-scale, scale, w.shape).astype("float32") for w in layer.get_weights()]
    layer.set_weights(weights)
    return layer, weights


def data(seed=1, batch=B):
    return np.random.RandomState(seed).uniform(-1, 1, (batch, T, D)).astype("float32")


@pytest.mark.parametrize("kind", list(CLASSES))
@pytest.mark.parametrize("mode", ["cpu", "mem", "gpu"])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_forward_matches_reference(kind, mode, go_backwards, return_sequences):
    layer, weights = make_layer(kind, mode, go_backwards=go_backwards,
                                return_sequences=return_sequences)
    x = data()
    got = layer(Tensor(x)).data
    want = reference(kind, to_gate_weights(kind, weights), x.astype("float64"),
                     go_backwards=go_backwards, return_sequences=return_sequences)[0]
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kind", list(CLASSES))
@pytest.mark.parametrize("mode", ["cpu", "gpu"])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_masked_steps_keep_previous_state(kind, mode, go_backwards):
    layer, weights = make_layer(kind, mode, go_backwards=go_backwards, return_sequences=True)
    x = data()
    mask = np.ones((B, T), dtype=bool)
    mask[0, :2] = False       # leading padding
    mask[1, 3:] = False       # trailing padding
    mask[2, 2] = False        # a hole
    got = layer.call(Tensor(x), mask=Tensor(mask)).data
    want = reference(kind, to_gate_weights(kind, weights), x.astype("float64"), mask=mask,
                     go_backwards=go_backwards, return_sequences=True)[0]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    assert np.all(got[0, 0] == 0) if not go_backwards else np.all(got[1, 0] == 0)


@pytest.mark.parametrize("kind", list(CLASSES))
def test_left_and_right_padding_give_the_same_last_output(kind):
    layer, _ = make_layer(kind)
    x = data(batch=1)[:, :3]
    left = np.concatenate([np.zeros((1, 2, D), "float32"), x], axis=1)
    right = np.concatenate([x, np.zeros((1, 2, D), "float32")], axis=1)
    out_l = layer.call(Tensor(left), mask=np.array([[0, 0, 1, 1, 1]], bool)).data
    out_r = layer.call(Tensor(right), mask=np.array([[1, 1, 1, 0, 0]], bool)).data
    np.testing.assert_allclose(out_l, out_r, rtol=1e-6)


@pytest.mark.parametrize("kind", list(CLASSES))
def test_unroll_is_the_same_math(kind):
    a, _ = make_layer(kind, unroll=True, return_sequences=True)
    b, _ = make_layer(kind, return_sequences=True)
    x = Tensor(data())
    np.testing.assert_array_equal(a(x).data, b(x).data)


def softsign(x):
    return x / (1 + np.abs(x))


@pytest.mark.parametrize("kind", ["GRU", "LSTM"])
@pytest.mark.parametrize("inner", ["sigmoid", "hard_sigmoid"])
@pytest.mark.parametrize("mode", ["cpu", "gpu"])
def test_other_activations_take_the_composite_path(kind, inner, mode):
    """activation != tanh: LSTM cannot use its fused cell; the composite must agree too."""
    layer, weights = make_layer(kind, mode, activation="softsign", inner_activation=inner,
                                return_sequences=True)
    x = data()
    ref_inner = sigmoid if inner == "sigmoid" else hard_sigmoid
    want = reference(kind, to_gate_weights(kind, weights), x.astype("float64"),
                     return_sequences=True, act=softsign, inner=ref_inner)[0]
    np.testing.assert_allclose(layer(Tensor(x)).data, want, rtol=1e-5, atol=1e-6)
    if inner == "sigmoid":
        assert _gradcheck_layer(layer, x[:2, :3])


def _gradcheck_layer(layer, x):
    """gradcheck with respect to the input and every weight, in float64."""
    names = [w.name[len(layer.name) + 1:] for w in layer.weights]
    originals = {n: getattr(layer, n) for n in names}

    def fn(x, *ws):
        for n, w in zip(names, ws):
            setattr(layer, n, w)
        return layer.call(x)
    try:
        ws = [Tensor(w.data.astype("float64"), requires_grad=True) for w in layer.weights]
        return gradcheck(fn, Tensor(x.astype("float64"), requires_grad=True), *ws, atol=1e-6)
    finally:
        for n, w in originals.items():
            setattr(layer, n, w)


@pytest.mark.parametrize("kind", list(CLASSES))
@pytest.mark.parametrize("mode", ["cpu", "mem", "gpu"])
def test_gradients_pass_gradcheck(kind, mode):
    layer, _ = make_layer(kind, mode, inner_activation="sigmoid", return_sequences=True,
                          go_backwards=(mode == "mem")) if kind != "SimpleRNN" else \
        make_layer(kind, mode, return_sequences=True)
    assert _gradcheck_layer(layer, data()[:2, :3])


@pytest.mark.parametrize("kind", ["GRU", "LSTM"])
def test_gradients_with_mask_and_default_hard_sigmoid(kind):
    layer, _ = make_layer(kind, scale=0.3)
    x = data()[:2, :4] * 0.5
    mask = np.array([[1, 1, 0, 1], [0, 1, 1, 1]], bool)
    names = [w.name[len(layer.name) + 1:] for w in layer.weights]

    def fn(x, *ws):
        for n, w in zip(names, ws):
            setattr(layer, n, w)
        return layer.call(x, mask=mask)
    ws = [Tensor(w.data.astype("float64"), requires_grad=True) for w in layer.weights]
    assert gradcheck(fn, Tensor(x.astype("float64"), requires_grad=True), *ws, atol=1e-6)


def test_lstm_weight_order_names_and_forget_bias():
    layer = LSTM(U)
    layer._ensure_built((None, T, D))
    names = [w.name for w in layer.weights]
    gates = ["i", "c", "f", "o"]
    assert names == [f"{layer.name}_{p}_{g}" for g in gates for p in "WUb"]
    w = layer.get_weights()
    assert [a.shape for a in w[:3]] == [(D, U), (U, U), (U,)]
    np.testing.assert_array_equal(w[8], np.ones(U))            # b_f
    for k in (2, 5, 11):
        np.testing.assert_array_equal(w[k], np.zeros(U))


def test_gpu_layouts_and_forget_bias():
    lstm = LSTM(U, consume_less="gpu")
    lstm._ensure_built((None, T, D))
    assert [w.shape for w in lstm.get_weights()] == [(D, 4 * U), (U, 4 * U), (4 * U,)]
    np.testing.assert_array_equal(lstm.get_weights()[2], np.r_[np.zeros(U), np.ones(U),
                                                               np.zeros(2 * U)])
    gru = GRU(U, consume_less="gpu")
    gru._ensure_built((None, T, D))
    assert [w.name for w in gru.weights] == [f"{gru.name}_W", f"{gru.name}_U", f"{gru.name}_b"]
    assert len(GRU(U, weights=None).get_weights()) == 0  # unbuilt: no weights yet


def test_recurrent_matrices_use_init_in_cpu_mode_and_inner_init_in_gpu_mode():
    def marker(shape, name=None):
        return K.variable(np.full(shape, 7.0), name=name)
    cpu = LSTM(U, init="zero", inner_init=marker)
    cpu._ensure_built((None, T, D))
    assert np.all(cpu.get_weights()[1] == 0)        # U_i from `init`
    gpu = LSTM(U, init="zero", inner_init=marker, consume_less="gpu")
    gpu._ensure_built((None, T, D))
    assert np.all(gpu.get_weights()[1] == 7)        # U from `inner_init`


@pytest.mark.parametrize("kind,count", [("SimpleRNN", 3), ("GRU", 9), ("LSTM", 12)])
def test_regularizer_count(kind, count):
    layer = CLASSES[kind](U, W_regularizer=regularizers.l1(0.01),
                          U_regularizer=regularizers.l1(0.01),
                          b_regularizer="l2")
    layer._ensure_built((None, T, D))
    assert len(layer.losses) == count
    assert all(loss.shape == () or loss.size == 1 for loss in layer.losses)


def test_weights_argument_is_applied_after_build():
    _, weights = make_layer("GRU")
    layer = GRU(U, weights=weights)
    layer._ensure_built((None, T, D))
    for a, b in zip(layer.get_weights(), weights):
        np.testing.assert_array_equal(a, b)


# ---- dropout ----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(CLASSES))
@pytest.mark.parametrize("mode", ["cpu", "mem", "gpu"])
def test_dropout_only_while_training(kind, mode):
    plain, weights = make_layer(kind, mode)
    drop = CLASSES[kind](U, consume_less=mode, dropout_W=0.5, dropout_U=0.5, weights=weights)
    drop._ensure_built((None, T, D))
    assert drop.uses_learning_phase
    x = Tensor(data())
    np.testing.assert_array_equal(drop(x).data, plain(x).data)   # test phase: no dropout
    K.set_learning_phase(1)
    try:
        np.random.seed(3)
        a = drop(x).data
        np.random.seed(3)
        b = drop(x).data
        c = drop(x).data
    finally:
        K.set_learning_phase(0)
    np.testing.assert_array_equal(a, b)                    # masks come from np.random
    assert not np.allclose(a, plain(x).data)
    assert not np.allclose(a, c)                           # new masks for each batch


def test_dropout_mask_is_the_same_at_every_timestep():
    """With identical inputs at every step and U = 0, every step must see the same
    masked input, hence give the same output (a per-step mask would not)."""
    layer = SimpleRNN(U, dropout_W=0.5, inner_init="zero", return_sequences=True)
    x = np.repeat(data()[:, :1], T, axis=1)
    K.set_learning_phase(1)
    try:
        y = layer(Tensor(x)).data
    finally:
        K.set_learning_phase(0)
    np.testing.assert_allclose(y, np.repeat(y[:, :1], T, axis=1), rtol=1e-6)


# ---- stateful ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(CLASSES))
def test_stateful_carries_state_until_reset(kind):
    layer, weights = make_layer(kind, stateful=True, batch_input_shape=(B, T, D))
    x1, x2 = data(1), data(2)
    y1 = layer(Tensor(x1)).data
    y2 = layer(Tensor(x2)).data
    gw = to_gate_weights(kind, weights)
    _, h, c = reference(kind, gw, x1.astype("float64"))
    want2 = reference(kind, gw, x2.astype("float64"), h0=h, c0=c)[0]
    np.testing.assert_allclose(y2, want2, rtol=1e-5, atol=1e-5)
    layer.reset_states()
    np.testing.assert_allclose(layer(Tensor(x1)).data, y1, rtol=1e-6)
    assert all(not s.requires_grad for s in layer.states)


def test_stateful_states_are_detached_between_batches():
    layer, _ = make_layer("LSTM", stateful=True, batch_input_shape=(B, T, D))
    for _ in range(2):
        out = layer(Tensor(data()))
        out.sum().backward()   # a second backward must not walk into the first graph
    assert layer.states[0].op is None


def test_stateful_needs_a_batch_size():
    with pytest.raises(ValueError, match="complete input_shape must be provided"):
        LSTM(U, stateful=True)._ensure_built((None, T, D))
    with pytest.raises(ValueError, match="needs to know its batch size"):
        SimpleRNN(U, stateful=True)._ensure_built((None, T, D))


def test_stateful_rejects_another_batch_size():
    layer, _ = make_layer("GRU", stateful=True, batch_input_shape=(B, T, D))
    with pytest.raises(ValueError, match=f"{layer.name} is stateful with a batch size of 3"):
        layer(Tensor(data(batch=2)))


def test_reset_states_on_a_stateless_layer_fails():
    layer, _ = make_layer("LSTM")
    with pytest.raises(AssertionError, match="must be stateful"):
        layer.reset_states()


# ---- shapes, config ---------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(CLASSES))
def test_output_shapes_and_mask_propagation(kind):
    layer = CLASSES[kind](U, input_dim=D, input_length=T)
    assert layer.batch_input_shape == (None, T, D)
    assert layer.get_output_shape_for((None, T, D)) == (None, U)
    assert layer.compute_mask(None, "m") is None
    seq = CLASSES[kind](U, return_sequences=True)
    assert seq.get_output_shape_for((None, None, D)) == (None, None, U)
    assert seq.compute_mask(None, "m") == "m"


@pytest.mark.parametrize("kind", list(CLASSES))
@pytest.mark.parametrize("stateful", [False, True])
def test_config_round_trip(kind, stateful):
    kwargs = {"batch_input_shape": (B, T, D)} if stateful else {"input_dim": D, "input_length": T}
    layer = CLASSES[kind](U, stateful=stateful, dropout_U=0.1, W_regularizer="l2", **kwargs)
    layer._ensure_built((B if stateful else None, T, D))
    config = layer.get_config()
    assert config["output_dim"] == U and config["consume_less"] == "cpu"
    if stateful:
        assert config["batch_input_shape"] == (B, T, D)
    else:
        assert config["input_dim"] == D and config["input_length"] == T
    clone = CLASSES[kind].from_config(config)
    clone._ensure_built((B if stateful else None, T, D))
    assert clone.get_config() == {**config, "name": clone.name}
    if kind != "SimpleRNN":
        assert config["inner_activation"] == "hard_sigmoid"


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="consume_less"):
        LSTM(3, consume_less="fast")
    layer, _ = make_layer("LSTM")
    with pytest.raises(ValueError, match=rf"{layer.name} expects input of shape \(batch, "
                                         rf"timesteps, {D}\), got \(3, 5, 7\)"):
        layer(Tensor(np.zeros((3, 5, 7), "float32")))
    with pytest.raises(ValueError, match="cannot unroll"):
        LSTM(3, unroll=True)._ensure_built((None, None, 4))


def test_float32_stays_float32():
    layer, _ = make_layer("LSTM", return_sequences=True)
    assert layer(Tensor(data())).dtype == np.float32


# ---- contract and models ----------------------------------------------------------------
@pytest.mark.parametrize("kind", list(CLASSES))
@pytest.mark.parametrize("kwargs", [{}, {"return_sequences": True, "consume_less": "gpu"},
                                    {"go_backwards": True, "consume_less": "mem"}])
def test_layer_contract(kind, kwargs):
    from tinygrad_keras.utils.test_utils import layer_test
    layer_test(CLASSES[kind], kwargs=dict(output_dim=U, **kwargs), input_shape=(B, T, D))


def test_stateful_model_advances_on_predict_and_resets():
    from tinygrad_keras.models import Sequential
    model = Sequential([LSTM(U, stateful=True, batch_input_shape=(B, T, D))])
    model.compile("sgd", "mse")
    x = data()
    first = model.predict(x, batch_size=B)
    second = model.predict(x, batch_size=B)
    assert not np.allclose(first, second)
    model.reset_states()
    np.testing.assert_allclose(model.predict(x, batch_size=B), first, rtol=1e-6)
    model.train_on_batch(x, np.zeros((B, U), "float32"))
    model.reset_states()
    assert all(np.all(s.data == 0) for s in model.layers[0].states)


def test_masking_layer_feeds_lstm_in_a_model():
    from tinygrad_keras.layers import Masking
    from tinygrad_keras.models import Sequential
    x = data()
    x[0, 3:] = 0.0
    for unroll in (False, True):
        model = Sequential([Masking(0.0, input_shape=(T, D)), LSTM(U, unroll=unroll)])
        model.compile("sgd", "mse")
        out = model.predict(x)
        lstm = model.layers[1]
        np.testing.assert_allclose(out[0], lstm.call(Tensor(x[:1, :3])).data[0], rtol=1e-5)


# ---- Keras 1 style subclasses ------------------------------------------------------------
class LeakySum(Recurrent):
    """A user RNN written against the 1.2.2 hooks: h_t = decay * h_{t-1} + x_t . W."""

    def __init__(self, output_dim, decay=0.5, **kwargs):
        self.output_dim, self.decay = output_dim, decay
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.states = [None]
        self.W = self.add_weight((input_shape[2], self.output_dim), "one", name=f"{self.name}_W")

    def preprocess_input(self, x):
        return x * 2.0

    def get_constants(self, x):
        return [self.decay]

    def step(self, x, states):
        h_prev, decay = states
        h = h_prev * decay + x @ self.W
        return h, [h]


def test_keras1_style_subclass_uses_preprocess_input_and_constants():
    layer = LeakySum(2, return_sequences=True)
    x = data()
    y = layer(Tensor(x)).data
    h, want = np.zeros((B, 2)), []
    for t in range(T):
        h = 0.5 * h + (2 * x[:, t]) @ np.ones((D, 2))
        want.append(h)
    np.testing.assert_allclose(y, np.stack(want, 1), rtol=1e-5)


def test_recurrent_base_alone_is_not_a_layer():
    layer = Recurrent()
    layer.output_dim = U
    with pytest.raises(TypeError, match="has no step"):
        layer(Tensor(data()))


def test_training_steps_leave_no_graph_behind():
    import gc

    from tinygrad_keras.models import Sequential

    def live_tensors():
        gc.collect()
        return sum(isinstance(o, Tensor) for o in gc.get_objects())
    model = Sequential([LSTM(U, return_sequences=True, stateful=True,
                             batch_input_shape=(B, T, D)), GRU(U)])
    model.compile("sgd", "mse")
    x, y = data(), np.zeros((B, U), "float32")
    model.train_on_batch(x, y)
    before = live_tensors()
    for _ in range(3):
        model.train_on_batch(x, y)
    assert live_tensors() <= before
