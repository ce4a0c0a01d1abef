"""Metrics: accuracies, batch means of the losses, classification statistics, lookup."""
import numpy as np
import pytest

from tinygrad_keras import metrics, objectives
from tinygrad_keras.autodiff import Tensor

EPS = 1e-7


def test_binary_accuracy_rounds_half_to_even():
    y_true = np.array([[0.0, 1.0, 0.0, 1.0]])
    y_pred = np.array([[0.5, 0.5, 0.49, 0.51]])     # round(0.5) = 0
    assert float(metrics.binary_accuracy(y_true, y_pred)) == pytest.approx(0.75)


def test_categorical_accuracy_2d_and_3d():
    y_true = np.eye(3)
    y_pred = np.array([[0.8, 0.1, 0.1], [0.3, 0.3, 0.4], [0.0, 0.0, 1.0]])
    assert float(metrics.categorical_accuracy(y_true, y_pred)) == pytest.approx(2 / 3)
    t3 = np.stack([y_true, y_true], 1)
    p3 = np.stack([y_pred, y_true], 1)               # 5 of 6 (sample, step) pairs right
    assert float(metrics.categorical_accuracy(t3, p3)) == pytest.approx(5 / 6)


def test_sparse_categorical_accuracy():
    y_pred = np.array([[0.8, 0.2], [0.1, 0.9], [0.6, 0.4]])
    assert float(metrics.sparse_categorical_accuracy(np.array([[0], [1], [1]]), y_pred)) \
        == pytest.approx(2 / 3)


def test_top_k_categorical_accuracy_counts_ties_as_hits():
    y_true = np.eye(4)[[0, 1, 2]]
    y_pred = np.array([[0.1, 0.2, 0.3, 0.4],   # class 0 ranks 4th
                       [0.1, 0.4, 0.3, 0.2],   # class 1 ranks 1st
                       [0.3, 0.3, 0.3, 0.1]])  # class 2 tied for 1st
    assert float(metrics.top_k_categorical_accuracy(y_true, y_pred, k=1)) == pytest.approx(2 / 3)
    assert float(metrics.top_k_categorical_accuracy(y_true, y_pred, k=3)) == pytest.approx(2 / 3)
    assert float(metrics.top_k_categorical_accuracy(y_true, y_pred, k=4)) == pytest.approx(1.0)


@pytest.mark.parametrize("name", ["mean_squared_error", "mean_absolute_error",
                                  "mean_absolute_percentage_error",
                                  "mean_squared_logarithmic_error", "hinge", "squared_hinge",
                                  "categorical_crossentropy", "binary_crossentropy",
                                  "kullback_leibler_divergence", "poisson", "cosine_proximity"])
def test_loss_metrics_are_batch_means_of_the_losses(name):
    rng = np.random.RandomState(1)
    y_true = np.eye(3)[rng.randint(0, 3, size=6)]
    y_pred = rng.dirichlet(np.ones(3), size=6)
    value = metrics.get(name)(y_true, Tensor(y_pred))
    assert value.shape == ()
    assert float(value) == pytest.approx(objectives.get(name)(y_true, Tensor(y_pred)).data.mean())
    assert metrics.get(name).__name__ == name


def test_sparse_categorical_crossentropy_metric():
    probs = np.array([[0.25, 0.75], [0.5, 0.5]])
    value = metrics.sparse_categorical_crossentropy(np.array([[1], [0]]), Tensor(probs))
    assert float(value) == pytest.approx(-(np.log(0.75) + np.log(0.5)) / 2)


def _stats(y_true, y_pred):
    p, t = np.round(np.clip(y_pred, 0, 1)), np.round(np.clip(y_true, 0, 1))
    tp, tn = (t * p).sum(), ((1 - t) * (1 - p)).sum()
    fp, fn = ((1 - t) * p).sum(), (t * (1 - p)).sum()
    return tp, tn, fp, fn


Y_TRUE = np.array([[1, 0, 1, 1, 0, 0, 1, 0]], dtype=float)
Y_PRED = np.array([[0.9, 0.2, 0.4, 0.8, 0.7, 0.1, 0.6, 0.3]])


def test_precision_recall_fmeasure_matthews():
    tp, tn, fp, fn = _stats(Y_TRUE, Y_PRED)
    prec, rec = tp / (tp + fp + EPS), tp / (tp + fn + EPS)
    assert float(metrics.precision(Y_TRUE, Y_PRED)) == pytest.approx(prec)
    assert float(metrics.recall(Y_TRUE, Y_PRED)) == pytest.approx(rec)
    assert float(metrics.fmeasure(Y_TRUE, Y_PRED)) == pytest.approx(2 * prec * rec / (prec + rec))
    f2 = 5 * prec * rec / (4 * prec + rec)
    assert float(metrics.fbeta_score(Y_TRUE, Y_PRED, beta=2)) == pytest.approx(f2, rel=1e-5)
    mcc = (tp * tn - fp * fn) / np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    assert float(metrics.matthews_correlation(Y_TRUE, Y_PRED)) == pytest.approx(mcc, rel=1e-5)


def test_fbeta_is_zero_without_positives_and_rejects_negative_beta():
    assert float(metrics.fbeta_score(np.zeros((1, 4)), np.ones((1, 4)))) == 0.0
    with pytest.raises(ValueError, match="beta"):
        metrics.fbeta_score(Y_TRUE, Y_PRED, beta=-1)


def test_aliases_and_get():
    for alias, name in [("mse", "mean_squared_error"), ("MAE", "mean_absolute_error"),
                        ("mape", "mean_absolute_percentage_error"),
                        ("msle", "mean_squared_logarithmic_error"),
                        ("cosine", "cosine_proximity"), ("fscore", "fmeasure"),
                        ("f1score", "fmeasure")]:
        assert metrics.get(alias) is getattr(metrics, name)

    def custom(y_true, y_pred):
        return {"a": y_pred.mean()}
    assert metrics.get(custom) is custom
    with pytest.raises(ValueError, match="Invalid metric: 'accuracy'.*categorical_accuracy"):
        metrics.get("accuracy")
