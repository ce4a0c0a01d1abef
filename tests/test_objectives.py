"""Losses: values against numpy versions of the Keras 1.2.2 formulas, never NaN/inf,
per-sample shapes, the sparse variant, aliases and lookup."""
import numpy as np
import pytest

from tinygrad_keras import backend as K
from tinygrad_keras import objectives
from tinygrad_keras.autodiff import Tensor

EPS = 1e-7
RNG = np.random.RandomState(0)
PROBS = RNG.dirichlet(np.ones(4), size=5)               # rows sum to 1
ONE_HOT = np.eye(4)[RNG.randint(0, 4, size=5)]
REAL_T, REAL_P = RNG.randn(5, 4), RNG.randn(5, 4)
POS_T, POS_P = RNG.uniform(0.1, 3, (5, 4)), RNG.uniform(0.1, 3, (5, 4))
SIGNS = np.sign(RNG.randn(5, 4))


def _l2n(x):
    return x / np.sqrt(np.maximum((x ** 2).sum(-1, keepdims=True), 1e-12))


REFERENCE = {   # name: (numpy formula, y_true, y_pred)
    "mean_squared_error": (lambda t, p: ((p - t) ** 2).mean(-1), REAL_T, REAL_P),
    "mean_absolute_error": (lambda t, p: np.abs(p - t).mean(-1), REAL_T, REAL_P),
    "mean_absolute_percentage_error": (
        lambda t, p: 100 * np.abs((t - p) / np.clip(np.abs(t), EPS, None)).mean(-1),
        REAL_T, REAL_P),
    "mean_squared_logarithmic_error": (
        lambda t, p: ((np.log(np.clip(p, EPS, None) + 1) - np.log(np.clip(t, EPS, None) + 1))
                      ** 2).mean(-1), POS_T, REAL_P),
    "squared_hinge": (lambda t, p: (np.maximum(1 - t * p, 0) ** 2).mean(-1), SIGNS, REAL_P),
    "hinge": (lambda t, p: np.maximum(1 - t * p, 0).mean(-1), SIGNS, REAL_P),
    "binary_crossentropy": (
        lambda t, p: -(t * np.log(np.clip(p, EPS, 1 - EPS))
                       + (1 - t) * np.log(1 - np.clip(p, EPS, 1 - EPS))).mean(-1),
        (PROBS > 0.25).astype(float), PROBS),
    "categorical_crossentropy": (
        lambda t, p: -(t * np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS))).sum(-1),
        ONE_HOT, POS_P),
    "kullback_leibler_divergence": (
        lambda t, p: (np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1))).sum(-1),
        PROBS[::-1], PROBS),
    "poisson": (lambda t, p: (p - t * np.log(p + EPS)).mean(-1), POS_T, POS_P),
    "cosine_proximity": (lambda t, p: -(_l2n(t) * _l2n(p)).mean(-1), REAL_T, REAL_P),
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_matches_the_1_2_2_formula(name):
    formula, y_true, y_pred = REFERENCE[name]
    out = objectives.get(name)(y_true, Tensor(y_pred))
    assert out.shape == (5,)
    np.testing.assert_allclose(out.data, formula(y_true, y_pred), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_3d_outputs_give_one_value_per_timestep(name):
    formula, y_true, y_pred = REFERENCE[name]
    t3, p3 = np.stack([y_true, y_true[::-1]], 1), np.stack([y_pred, y_pred[::-1]], 1)
    out = objectives.get(name)(t3, Tensor(p3))
    assert out.shape == (5, 2)
    np.testing.assert_allclose(out.data, formula(t3, p3), rtol=1e-10, atol=1e-12)


def test_float32_stays_float32():
    for name, (_, y_true, y_pred) in REFERENCE.items():
        assert objectives.get(name)(y_true, Tensor(y_pred.astype(np.float32))).dtype == np.float32


EXTREME_PRED = np.array([[0.0, 1.0, 1e-30, 1 - 1e-9],
                         [1e4, -1e4, 0.0, 1.0],
                         [-1e4, 1e4, -1.0, 5.0]], dtype=np.float32)
EXTREME_TRUE = np.array([[1.0, 0.0, 1.0, 0.0],
                         [0.0, 1.0, 1.0, 0.0],
                         [1.0, 0.0, 0.0, 1.0]], dtype=np.float32)


@pytest.mark.parametrize("name", sorted(REFERENCE) + ["sparse_categorical_crossentropy"])
def test_never_nan_or_inf_even_at_0_1_and_1e4(name):
    y_true = EXTREME_TRUE if name != "sparse_categorical_crossentropy" else \
        EXTREME_TRUE.argmax(-1)[:, None]
    y_pred = Tensor(EXTREME_PRED, requires_grad=True)
    loss = objectives.get(name)(y_true, y_pred)
    assert np.all(np.isfinite(loss.data)), loss.data
    loss.sum().backward()
    assert np.all(np.isfinite(y_pred.grad)), y_pred.grad


def test_all_zero_prediction_row_is_finite():
    loss = objectives.categorical_crossentropy(np.eye(3)[:2], Tensor(np.zeros((2, 3))))
    np.testing.assert_allclose(loss.data, -np.log(EPS))


def test_sparse_matches_categorical_on_one_hot():
    ids = np.array([[2], [0], [1], [3], [3]])
    sparse = objectives.sparse_categorical_crossentropy(ids, Tensor(PROBS))
    dense = objectives.categorical_crossentropy(np.eye(4)[ids[:, 0]], Tensor(PROBS))
    np.testing.assert_allclose(sparse.data, dense.data, rtol=1e-6)
    seq = objectives.sparse_categorical_crossentropy(np.zeros((2, 3, 1)),
                                                     Tensor(np.full((2, 3, 4), 0.25)))
    assert seq.shape == (2, 3)
    np.testing.assert_allclose(seq.data, np.log(4))


def test_sparse_rejects_bad_ids():
    with pytest.raises(ValueError, match=r"in \[0, 4\)"):
        objectives.sparse_categorical_crossentropy(np.array([[4]]), Tensor(PROBS[:1]))
    with pytest.raises(ValueError, match="one integer class id per sample"):
        objectives.sparse_categorical_crossentropy(ONE_HOT, Tensor(PROBS))


def test_categorical_with_integer_labels_suggests_to_categorical():
    with pytest.raises(ValueError, match="to_categorical"):
        objectives.categorical_crossentropy(np.array([[1], [0]]), Tensor(PROBS[:2]))


def test_gradient_of_categorical_crossentropy():
    p = Tensor(POS_P, requires_grad=True)
    objectives.categorical_crossentropy(ONE_HOT, p).sum().backward()
    s = POS_P.sum(-1, keepdims=True)
    expected = -ONE_HOT / POS_P + ONE_HOT.sum(-1, keepdims=True) / s   # d/dp of -log(p_k/s)
    np.testing.assert_allclose(p.grad, expected, rtol=1e-8)


def test_backend_crossentropies_take_output_first_and_support_logits():
    logits = RNG.randn(5, 4)
    log_sm = logits - logits.max(-1, keepdims=True)
    log_sm -= np.log(np.exp(log_sm).sum(-1, keepdims=True))
    np.testing.assert_allclose(
        K.categorical_crossentropy(Tensor(logits), ONE_HOT, from_logits=True).data,
        -(ONE_HOT * log_sm).sum(-1), rtol=1e-10)
    t = (PROBS > 0.25).astype(float)
    sig = 1 / (1 + np.exp(-logits))
    np.testing.assert_allclose(
        K.binary_crossentropy(Tensor(logits), t, from_logits=True).data,
        -(t * np.log(sig) + (1 - t) * np.log(1 - sig)), rtol=1e-8)
    ids = ONE_HOT.argmax(-1)
    np.testing.assert_allclose(
        K.sparse_categorical_crossentropy(Tensor(logits), ids, from_logits=True).data,
        -(ONE_HOT * log_sm).sum(-1), rtol=1e-10)


def test_aliases_and_get():
    pairs = [("mse", "mean_squared_error"), ("MSE", "mean_squared_error"),
             ("mae", "mean_absolute_error"), ("MAE", "mean_absolute_error"),
             ("mape", "mean_absolute_percentage_error"), ("MAPE", "mean_absolute_percentage_error"),
             ("msle", "mean_squared_logarithmic_error"), ("MSLE", "mean_squared_logarithmic_error"),
             ("kld", "kullback_leibler_divergence"), ("KLD", "kullback_leibler_divergence"),
             ("cosine", "cosine_proximity")]
    for alias, name in pairs:
        assert objectives.get(alias) is getattr(objectives, name)
        assert objectives.get(alias).__name__ == name

    def custom(y_true, y_pred):
        return y_pred
    assert objectives.get(custom) is custom
    with pytest.raises(ValueError, match="Invalid objective: 'mean_square_error'.*mse"):
        objectives.get("mean_square_error")


def test_float64_target_tensors_do_not_promote_a_float32_loss():
    for name, (_, y_true, y_pred) in REFERENCE.items():
        out = objectives.get(name)(Tensor(y_true), Tensor(y_pred.astype(np.float32)))
        assert out.dtype == np.float32, name


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_gradients_pass_gradcheck(name):
    from tinygrad_keras.autodiff.gradcheck import gradcheck
    _, y_true, y_pred = REFERENCE[name]
    if name in ("hinge", "squared_hinge"):
        y_pred = y_pred + 0.01 * np.sign(1 - y_true * y_pred)       # off the kink at t*p = 1
    p = Tensor(np.clip(y_pred, 1e-3, None) if name in ("binary_crossentropy",
               "kullback_leibler_divergence") else y_pred, requires_grad=True)
    assert gradcheck(lambda q: objectives.get(name)(y_true, q), p)


def test_a_zero_row_beside_normal_rows_keeps_their_values_and_gradients():
    """The guard against a row summing to 0 is recorded only when such a row exists; the
    other rows get the same values and gradients either way."""
    probs = np.array([[0.2, 0.5, 0.3], [0.0, 0.0, 0.0], [0.1, 0.1, 0.8]])
    targets = np.eye(3)[[1, 0, 2]]
    mixed = Tensor(probs, requires_grad=True)
    alone = Tensor(probs[[0, 2]], requires_grad=True)
    loss_mixed = objectives.categorical_crossentropy(targets, mixed)
    loss_alone = objectives.categorical_crossentropy(targets[[0, 2]], alone)
    np.testing.assert_array_equal(loss_mixed.data[[0, 2]], loss_alone.data)
    loss_mixed.sum().backward()
    loss_alone.sum().backward()
    np.testing.assert_array_equal(mixed.grad[[0, 2]], alone.grad)
    assert np.all(np.isfinite(mixed.grad))
