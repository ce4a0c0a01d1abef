"""What a training step keeps from one step to the next (for speed) must never give a
stale number: each cache is checked against a fresh computation after the change that
should invalidate it."""
import numpy as np
import pytest

from tinygrad_keras import backend as K
from tinygrad_keras import constraints, optimizers
from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.engine import compile_utils as C
from tinygrad_keras.engine import training_utils as U
from tinygrad_keras.layers import Dense
from tinygrad_keras.models import Sequential

RNG = np.random.RandomState(3)
X = RNG.rand(16, 5).astype(np.float32)
Y = np.eye(3, dtype=np.float32)[RNG.randint(0, 3, 16)]


def _params(seed=0):
    rng = np.random.RandomState(seed)
    return [Tensor(rng.randn(3, 2), requires_grad=True), Tensor(rng.randn(2), requires_grad=True)]


def _step(opt, params, grads, constraint_map=None):
    for p, g in zip(params, grads):
        p.grad = np.asarray(g, dtype=p.dtype)
    opt.update(params, constraint_map)


GRADS = [[RNG.randn(3, 2), RNG.randn(2)] for _ in range(4)]


def _momentum_reference(p0, grads, lr=0.1, momentum=0.9, moments=None):
    p = [a.copy() for a in p0]
    m = moments or [np.zeros_like(a) for a in p0]
    for gs in grads:
        for i, g in enumerate(gs):
            m[i] = momentum * m[i] - lr * g
            p[i] = p[i] + m[i]
    return p, m


def test_optimizer_state_follows_set_weights_and_set_value():
    params = _params()
    start = [p.data.copy() for p in params]
    opt = optimizers.SGD(lr=0.1, momentum=0.9)
    _step(opt, params, GRADS[0])
    _step(opt, params, GRADS[1])
    # replace the moments (new arrays): the next steps must read the new ones
    new_moments = [np.full((3, 2), 0.5), np.full((2,), -0.25)]
    opt.set_weights([np.zeros(())] + new_moments)
    K.set_value(opt.slots["moments"][1], np.full((2,), 0.125))
    _step(opt, params, GRADS[2])
    _step(opt, params, GRADS[3])
    mid, _ = _momentum_reference(start, GRADS[:2])
    want, want_m = _momentum_reference(mid, GRADS[2:], moments=[new_moments[0].copy(),
                                                                  np.full((2,), 0.125)])
    for p, w in zip(params, want):
        np.testing.assert_allclose(p.data, w, rtol=1e-6)
    for got, w in zip(opt.get_weights()[1:], want_m):
        np.testing.assert_allclose(got, w, rtol=1e-6)


def test_optimizer_lr_change_and_new_parameter_shapes():
    params = _params()
    opt = optimizers.SGD(lr=0.1)
    _step(opt, params, GRADS[0])
    before = [p.data.copy() for p in params]
    K.set_value(opt.lr, 0.5)
    _step(opt, params, GRADS[1])
    for p, b, g in zip(params, before, GRADS[1]):
        np.testing.assert_allclose(p.data, b - 0.5 * g, rtol=1e-6)
    # other parameters (a recompiled model): state made again for their shapes
    other = [Tensor(np.ones((4,)), requires_grad=True)]
    _step(opt, other, [np.full((4,), 2.0)])
    np.testing.assert_allclose(other[0].data, 1.0 - 0.5 * 2.0)
    assert [w.shape for w in opt.get_weights()] == [(), (4,)]


def test_constraints_given_later_are_applied():
    params = _params()
    opt = optimizers.SGD(lr=0.1)
    _step(opt, params, GRADS[0])
    _step(opt, params, GRADS[1], {params[0]: constraints.NonNeg()})
    assert (params[0].data >= 0).all() and (params[1].data < 0).any()


def test_model_training_after_recompile_add_constraint_and_batch_size_change():
    def model(constraint=None):
        np.random.seed(1)
        m = Sequential([Dense(4, input_dim=5, activation="relu"),
                        Dense(3, activation="softmax", W_constraint=constraint)])
        m.compile("sgd", "categorical_crossentropy")
        return m

    a, b = model(), model()
    for n in (16, 7, 16):  # a new batch size between equal ones
        assert a.train_on_batch(X[:n], Y[:n]) == b.train_on_batch(X[:n], Y[:n])
    a.compile(optimizers.SGD(lr=0.3, momentum=0.5), "categorical_crossentropy")
    b.compile(optimizers.SGD(lr=0.3, momentum=0.5), "categorical_crossentropy")
    for n in (16, 16, 9):
        assert a.train_on_batch(X[:n], Y[:n]) == b.train_on_batch(X[:n], Y[:n])
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    c = model(constraints.NonNeg())
    for _ in range(3):
        c.train_on_batch(X, Y)
    assert (c.layers[1].W.data >= 0).all()


def test_default_sample_weights_are_shared_read_only_and_equal_explicit_ones():
    w = C.unit_weights((16,))
    assert w is C.unit_weights((16,)) and not w.flags.writeable
    assert U.standardize_weights(Y).flags.writeable  # the public helper: a fresh array
    np.random.seed(2)
    m = Sequential([Dense(3, input_dim=5, activation="softmax")])
    m.compile("sgd", "categorical_crossentropy")
    weights = m.get_weights()
    default = [m.train_on_batch(X, Y) for _ in range(3)]
    m.set_weights(weights)
    explicit = [m.train_on_batch(X, Y, sample_weight=np.ones(16)) for _ in range(3)]
    assert default == explicit
    m.set_weights(weights)
    halves = np.where(np.arange(16) < 8, 1.0, 0.5)
    first = m.train_on_batch(X, Y, sample_weight=halves)
    m.set_weights(weights)
    assert m.train_on_batch(X, Y) != first
    m.set_weights(weights)
    assert m.train_on_batch(X, Y, sample_weight=halves) == first


@pytest.mark.parametrize("shape", [(3,), (2, 3)])
def test_unit_weights_in_weighted_loss_equal_explicit_ones(shape):
    y_true, y_pred = Tensor(np.ones(shape + (4,))), Tensor(np.full(shape + (4,), 0.25))

    def loss(t, p):
        return ((t - p) ** 2).sum(axis=-1)

    got = C.weighted_loss(loss, y_true, y_pred, C.unit_weights(shape[:1]))
    want = C.weighted_loss(loss, y_true, y_pred, np.ones(shape[:1]))
    assert float(got.data) == float(want.data)


@pytest.mark.filterwarnings("ignore:overflow")
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, np.complex64])
@pytest.mark.parametrize("layout", ["small", "C", "F", "strided"])  # small: the sum
def test_finite_check_finds_every_nan_and_inf_and_passes_huge_values(dtype, layout):
    def arrange(a):
        return {"small": a, "C": a, "F": np.asfortranarray(a), "strided": a[:, ::2]}[layout]

    base = np.ones((6, 8) if layout == "small" else (80, 160), dtype=dtype)
    assert U._all_finite(arrange(base))
    big = base * np.asarray(np.finfo(dtype).max / 2, dtype=dtype)  # squares overflow
    assert U._all_finite(arrange(big))
    for bad in (np.nan, np.inf, -np.inf):
        for index in [(0, 0), (5, 6), (3, 2), (-1, -2)]:
            a = base.copy()
            a[index] = bad
            assert not U._all_finite(arrange(a)), (bad, index)
    assert U._all_finite(np.zeros((0, 3), dtype=dtype))


def test_fit_and_evaluate_with_default_weights_equal_explicit_ones():
    def run(**weights):
        np.random.seed(4)
        m = Sequential([Dense(4, input_dim=5, activation="relu"),
                        Dense(3, activation="softmax")])
        m.compile("sgd", "categorical_crossentropy")
        hist = m.fit(X, Y, batch_size=5, nb_epoch=2, verbose=0, shuffle=False,
                     validation_split=0.25, **weights)
        return hist.history, m.evaluate(X, Y, batch_size=6, verbose=0), m.get_weights()

    (h1, e1, w1), (h2, e2, w2) = run(), run(sample_weight=np.ones(16))
    assert h1 == h2 and e1 == e2
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)
    ws = [C.unit_weights((16,)), np.arange(16.0)]
    batch = C.slice_weights(ws, np.array([3, 1, 2]))
    assert C.is_unit_weights(batch[0]) and batch[0].shape == (3,)
    np.testing.assert_array_equal(batch[1], [3.0, 1.0, 2.0])
    for start, stop, n in [(12, None, 4), (0, 12, 12), (5, 40, 11)]:  # a validation split
        unit, other = C.slice_weights(ws, start, stop)
        assert C.is_unit_weights(unit) and unit.shape == (n,)
        np.testing.assert_array_equal(other, np.arange(16.0)[start:stop])
