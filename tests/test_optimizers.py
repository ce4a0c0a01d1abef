"""Optimizers: a few steps on a tiny least-squares model equal numpy implementations of the
Keras 1.2.2 rules written here; clipping, decay, constraints, state, config, lookup."""
import numpy as np
import pytest

from tinygrad_keras import backend as K
from tinygrad_keras import constraints, optimizers
from tinygrad_keras.autodiff import Tensor

RNG = np.random.RandomState(0)
X, Y = RNG.randn(8, 3), RNG.randn(8, 2)
W0, B0 = RNG.randn(3, 2), RNG.randn(2)
STEPS = 5


def _grads(w, b):
    """Analytic gradient of mean((x w + b - y)^2) for the numpy references."""
    r = 2 * (X @ w + b - Y) / Y.size
    return [X.T @ r, r.sum(0)]


def _train(opt, steps=STEPS, constraint_map=None):
    """Run ``opt`` on the model through autodiff; params are name-sorted (b before w)."""
    w = Tensor(W0.copy(), requires_grad=True, name="dense_1_W")
    b = Tensor(B0.copy(), requires_grad=True, name="dense_1_b")
    params = [b, w]
    for _ in range(steps):
        for p in params:
            p.zero_grad()
        (((Tensor(X) @ w + b) - Tensor(Y)) ** 2).mean().backward()
        opt.update(params, constraint_map)
    return w.data, b.data


def _reference(rule, steps=STEPS, **hyper):
    """Apply ``rule(p, g, state, t, hyper)`` (t = iterations before the update)."""
    params = [W0.copy(), B0.copy()]
    states = [{} for _ in params]
    for t in range(steps):
        for p, g, state in zip(params, _grads(*params), states):
            p += rule(p, g, state, t, hyper) - p
    return params


def _lr(h, t):
    return h["lr"] / (1 + h.get("decay", 0.0) * t)


def sgd_rule(p, g, s, t, h):
    m = s.get("m", 0.0)
    v = h["momentum"] * m - _lr(h, t) * g
    s["m"] = v
    return p + h["momentum"] * v - _lr(h, t) * g if h["nesterov"] else p + v


def rmsprop_rule(p, g, s, t, h):
    s["a"] = h["rho"] * s.get("a", 0.0) + (1 - h["rho"]) * g ** 2
    return p - _lr(h, t) * g / (np.sqrt(s["a"]) + h["epsilon"])


def adagrad_rule(p, g, s, t, h):
    s["a"] = s.get("a", 0.0) + g ** 2
    return p - _lr(h, t) * g / (np.sqrt(s["a"]) + h["epsilon"])


def adadelta_rule(p, g, s, t, h):
    rho, eps = h["rho"], h["epsilon"]
    s["a"] = rho * s.get("a", 0.0) + (1 - rho) * g ** 2
    update = g * np.sqrt(s.get("d", 0.0) + eps) / np.sqrt(s["a"] + eps)
    s["d"] = rho * s.get("d", 0.0) + (1 - rho) * update ** 2
    return p - _lr(h, t) * update


def adam_rule(p, g, s, t, h):
    b1, b2, n = h["beta_1"], h["beta_2"], t + 1
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g ** 2
    lr_t = _lr(h, t) * np.sqrt(1 - b2 ** n) / (1 - b1 ** n)
    return p - lr_t * s["m"] / (np.sqrt(s["v"]) + h["epsilon"])


def adamax_rule(p, g, s, t, h):
    b1, b2, n = h["beta_1"], h["beta_2"], t + 1
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    s["u"] = np.maximum(b2 * s.get("u", 0.0), np.abs(g))
    return p - _lr(h, t) / (1 - b1 ** n) * s["m"] / (s["u"] + h["epsilon"])


NADAM_SCHEDULE = {}


def nadam_rule(p, g, s, t, h):
    b1, b2, sd, n = h["beta_1"], h["beta_2"], h["schedule_decay"], t + 1
    mu_t = b1 * (1 - 0.5 * 0.96 ** (n * sd))
    mu_next = b1 * (1 - 0.5 * 0.96 ** ((n + 1) * sd))
    prod = np.prod([b1 * (1 - 0.5 * 0.96 ** (k * sd)) for k in range(1, n + 1)])
    g_hat = g / (1 - prod)
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g ** 2
    m_hat = s["m"] / (1 - prod * mu_next)
    v_hat = s["v"] / (1 - b2 ** n)
    m_bar = (1 - mu_t) * g_hat + mu_next * m_hat
    return p - h["lr"] * m_bar / (np.sqrt(v_hat) + h["epsilon"])


CASES = [
    (optimizers.SGD, sgd_rule, {"lr": 0.1, "momentum": 0.0, "nesterov": False}),
    (optimizers.SGD, sgd_rule, {"lr": 0.1, "momentum": 0.9, "nesterov": False}),
    (optimizers.SGD, sgd_rule, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "decay": 0.1}),
    (optimizers.RMSprop, rmsprop_rule, {"lr": 0.01, "rho": 0.9, "epsilon": 1e-8}),
    (optimizers.RMSprop, rmsprop_rule, {"lr": 0.01, "rho": 0.8, "epsilon": 1e-3, "decay": 0.5}),
    (optimizers.Adagrad, adagrad_rule, {"lr": 0.1, "epsilon": 1e-8}),
    (optimizers.Adagrad, adagrad_rule, {"lr": 0.1, "epsilon": 1e-8, "decay": 0.2}),
    (optimizers.Adadelta, adadelta_rule, {"lr": 1.0, "rho": 0.95, "epsilon": 1e-8}),
    (optimizers.Adadelta, adadelta_rule, {"lr": 0.5, "rho": 0.9, "epsilon": 1e-6, "decay": 0.3}),
    (optimizers.Adam, adam_rule, {"lr": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8}),
    (optimizers.Adam, adam_rule, {"lr": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-8, "decay": 0.2}),
    (optimizers.Adamax, adamax_rule, {"lr": 0.02, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8}),
    (optimizers.Adamax, adamax_rule, {"lr": 0.02, "beta_1": 0.9, "beta_2": 0.99, "epsilon": 1e-8,
                                          "decay": 0.1}),
    (optimizers.Nadam, nadam_rule, {"lr": 0.02, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8,
                                        "schedule_decay": 0.004}),
    (optimizers.Nadam, nadam_rule, {"lr": 0.02, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-8,
                                        "schedule_decay": 0.1}),
]


@pytest.mark.parametrize("cls,rule,hyper", CASES,
                         ids=[f"{c.__name__}-{i}" for i, (c, _, _) in enumerate(CASES)])
def test_steps_equal_the_numpy_rule(cls, rule, hyper):
    w, b = _train(cls(**hyper))
    w_ref, b_ref = _reference(rule, **hyper)
    assert not np.allclose(w, W0)                      # it moved
    np.testing.assert_allclose(w, w_ref, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(b, b_ref, rtol=1e-5, atol=1e-7)


def test_defaults_are_keras_1_2_2():
    expected = {
        optimizers.SGD: {"lr": 0.01, "momentum": 0.0, "decay": 0.0, "nesterov": False},
        optimizers.RMSprop: {"lr": 0.001, "rho": 0.9, "epsilon": 1e-8, "decay": 0.0},
        optimizers.Adagrad: {"lr": 0.01, "epsilon": 1e-8, "decay": 0.0},
        optimizers.Adadelta: {"lr": 1.0, "rho": 0.95, "epsilon": 1e-8, "decay": 0.0},
        optimizers.Adam: {"lr": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8, "decay": 0.0},
        optimizers.Adamax: {"lr": 0.002, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8, "decay": 0.0},
        optimizers.Nadam: {"lr": 0.002, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8,
                               "schedule_decay": 0.004},
    }
    for cls, config in expected.items():
        assert cls().get_config() == pytest.approx(config), cls.__name__


def test_float32_parameters_stay_float32_and_close_to_float64():
    results = {}
    for dtype in (np.float32, np.float64):
        opt = optimizers.Adam(lr=0.01)
        p = Tensor(W0.astype(dtype), requires_grad=True)
        for _ in range(3):
            p.grad = _grads(W0, B0)[0].astype(dtype)
            opt.update([p])
        assert p.dtype == dtype and all(s.dtype == dtype for s in opt.weights[1:])
        results[dtype] = p.data
    np.testing.assert_allclose(results[np.float32], results[np.float64], rtol=1e-5, atol=1e-6)


def _one_step(opt, grad):
    p = Tensor(np.zeros_like(grad), requires_grad=True)
    p.grad = grad.copy()
    opt.update([p])
    return p.data


def test_clipnorm_scales_by_the_global_norm():
    g = np.array([3.0, 4.0])                            # norm 5
    np.testing.assert_allclose(_one_step(optimizers.SGD(lr=1.0, clipnorm=1.0), g), -g / 5)
    np.testing.assert_allclose(_one_step(optimizers.SGD(lr=1.0, clipnorm=10.0), g), -g)
    opt, a, b = optimizers.SGD(lr=1.0, clipnorm=2.5), Tensor(np.zeros(1)), Tensor(np.zeros(1))
    a.grad, b.grad = np.array([3.0]), np.array([4.0])   # the norm spans all parameters
    opt.update([a, b])
    np.testing.assert_allclose([a.data[0], b.data[0]], [-1.5, -2.0])


def test_clipvalue_and_clipping_leaves_grad_alone():
    g = np.array([-3.0, 0.2, 4.0])
    p = Tensor(np.zeros(3), requires_grad=True)
    p.grad = g.copy()
    optimizers.SGD(lr=1.0, clipvalue=0.5).update([p])
    np.testing.assert_allclose(p.data, [0.5, -0.2, -0.5])
    np.testing.assert_array_equal(p.grad, g)


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="'momentun'"):
        optimizers.SGD(momentun=0.9)


def test_decay_uses_iterations_and_lr_is_settable():
    opt = optimizers.SGD(lr=1.0, decay=0.5)
    steps = [_one_step(opt, np.ones(1))[0] for _ in range(3)]
    np.testing.assert_allclose(steps, [-1.0, -1 / 1.5, -1 / 2.0])
    assert K.get_value(opt.iterations) == 3
    K.set_value(opt.lr, 0.1)
    assert K.get_value(opt.lr) == pytest.approx(0.1)
    assert _one_step(opt, np.ones(1))[0] == pytest.approx(-0.1 / 2.5)
    plain = optimizers.SGD(lr=1.0)
    _one_step(plain, np.ones(1))
    assert K.get_value(plain.iterations) == 0           # only counted when decay > 0
    adam = optimizers.Adam()
    _one_step(adam, np.ones(1))
    assert K.get_value(adam.iterations) == 1            # Adam always counts


def test_constraint_applied_after_the_update():
    w = Tensor(np.array([[3.0], [4.0]]), requires_grad=True)
    w.grad = np.zeros((2, 1))
    optimizers.SGD().update([w], {w: constraints.MaxNorm(m=1.0)})
    np.testing.assert_allclose(np.linalg.norm(w.data), 1.0, rtol=1e-6)


@pytest.mark.parametrize("cls,layout", [
    (optimizers.SGD, ["iterations", "p0", "p1"]),
    (optimizers.RMSprop, ["p0", "p1"]),
    (optimizers.Adagrad, ["p0", "p1"]),
    (optimizers.Adadelta, ["p0", "p1", "p0", "p1"]),
    (optimizers.Adam, ["iterations", "p0", "p1", "p0", "p1"]),
    (optimizers.Adamax, ["iterations", "p0", "p1", "p0", "p1"]),
    (optimizers.Nadam, ["iterations", "p0", "p1", "p0", "p1"]),
])
def test_weights_layout_and_round_trip(cls, layout):
    opt = cls()
    assert opt.weights == []
    params = [Tensor(np.zeros((2, 3)), requires_grad=True), Tensor(np.zeros(4), requires_grad=True)]
    for p in params:
        p.grad = np.ones(p.shape)
    opt.update(params)
    shapes = {"iterations": (), "p0": (2, 3), "p1": (4,)}
    assert [w.shape for w in opt.get_weights()] == [shapes[k] for k in layout]
    saved = [w + 1.5 for w in opt.get_weights()]
    fresh = cls()
    fresh.set_weights(saved)                          # before its slots exist: kept pending
    fresh.build(params)
    for got, want in zip(fresh.get_weights(), saved):
        np.testing.assert_allclose(got, want)
    with pytest.raises(ValueError, match="not compatible"):
        fresh.set_weights([np.zeros((9,))] * len(saved))


def test_get_names_dicts_configs_and_instances():
    for name, cls in [("sgd", optimizers.SGD), ("RMSprop", optimizers.RMSprop),
                      ("rmsprop", optimizers.RMSprop), ("adagrad", optimizers.Adagrad),
                      ("Adadelta", optimizers.Adadelta), ("adam", optimizers.Adam),
                      ("Adamax", optimizers.Adamax), ("nadam", optimizers.Nadam)]:
        assert type(optimizers.get(name)) is cls
    assert K.get_value(optimizers.get({"name": "sgd", "lr": 0.5}).lr) == pytest.approx(0.5)
    assert K.get_value(optimizers.get("adam", kwargs={"lr": 0.2}).lr) == pytest.approx(0.2)
    opt = optimizers.SGD(lr=0.3, momentum=0.5, nesterov=True, clipnorm=1.0)
    assert optimizers.get(opt) is opt
    saved = {"class_name": "SGD", "config": opt.get_config()}
    again = optimizers.optimizer_from_config(saved)
    assert again.get_config() == pytest.approx(opt.get_config())
    assert optimizers.get(saved).get_config()["clipnorm"] == 1.0
    with pytest.raises(ValueError, match="Invalid optimizer: 'adamw'.*nadam"):
        optimizers.get("adamw")
    with pytest.raises(ValueError, match="Optimizer class not found"):
        optimizers.optimizer_from_config({"class_name": "Lion", "config": {}})
    assert optimizers.sgd is optimizers.SGD and optimizers.nadam is optimizers.Nadam
