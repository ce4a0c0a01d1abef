"""keras.wrappers.scikit_learn with today's scikit-learn (skipped without it: it is optional)."""
from __future__ import annotations

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn", reason="scikit-learn is optional (the 'test' extra "
                                                "installs it); the wrappers need it to be useful")
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from tinygrad_keras.layers import Dense
from tinygrad_keras.models import Sequential
from tinygrad_keras.optimizers import Adam
from tinygrad_keras.wrappers.scikit_learn import KerasClassifier, KerasRegressor


def make_classifier(hidden=8, n_classes=3, loss="categorical_crossentropy"):
    model = Sequential([Dense(hidden, input_dim=4, activation="relu"),
                        Dense(n_classes, activation="softmax")])
    model.compile(Adam(lr=0.05), loss, metrics=["accuracy"])
    return model


def make_regressor(hidden=8):
    model = Sequential([Dense(hidden, input_dim=4, activation="tanh"), Dense(1)])
    model.compile(Adam(lr=0.05), "mse")
    return model


def blobs(n=90, seed=0):
    """Three well-separated clusters in 4-D, labelled 0, 1, 2."""
    rng = np.random.RandomState(seed)
    y = np.arange(n) % 3
    x = rng.randn(n, 4).astype("float32") * 0.3 + y[:, None] * 2.0
    return x, y


def test_classifier_learns_and_scores():
    np.random.seed(0)
    x, y = blobs()
    clf = KerasClassifier(make_classifier, nb_epoch=30, batch_size=16, verbose=0)
    clf.fit(x, y)
    assert clf.predict(x).shape == (90,)
    assert clf.score(x, y) > 0.9
    proba = clf.predict_proba(x)
    assert proba.shape == (90, 3) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    assert is_classifier(clf) and is_regressor(KerasRegressor(make_regressor))


def test_labels_that_are_not_indices_come_back_as_given():
    np.random.seed(1)
    x, y = blobs()
    names = np.array(["cat", "dog", "eel"])[y]
    clf = KerasClassifier(make_classifier, nb_epoch=30, batch_size=16, verbose=0)
    clf.fit(x, names)
    assert set(clf.predict(x)) <= {"cat", "dog", "eel"}
    assert np.mean(clf.predict(x) == names) > 0.9 and clf.score(x, names) > 0.9


def test_binary_sigmoid_gives_two_probability_columns():
    np.random.seed(2)
    x, y = blobs()
    y = (y == 2).astype(int)

    def make_binary():
        model = Sequential([Dense(1, input_dim=4, activation="sigmoid")])
        model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
        return model
    clf = KerasClassifier(make_binary, nb_epoch=2, verbose=0)
    clf.fit(x, y)
    proba = clf.predict_proba(x)
    assert proba.shape == (90, 2) and np.allclose(proba.sum(axis=1), 1)


def test_clone_get_set_params_and_bad_names():
    clf = KerasClassifier(make_classifier, hidden=4, nb_epoch=2, callbacks=[])
    copy = clone(clf)
    assert copy.get_params() == {"build_fn": make_classifier, "hidden": 4, "nb_epoch": 2,
                                 "callbacks": []}
    copy.set_params(hidden=6)
    assert copy.sk_params["hidden"] == 6 and clf.sk_params["hidden"] == 4
    with pytest.raises(ValueError, match="nb_epochs is not a legal parameter"):
        KerasClassifier(make_classifier, nb_epochs=3)
    with pytest.raises(AttributeError, match="not fitted"):
        clf.predict(np.zeros((1, 4)))


def test_cross_val_score_grid_search_and_pipeline():
    np.random.seed(3)
    x, y = blobs(60)
    clf = KerasClassifier(make_classifier, nb_epoch=5, batch_size=16, verbose=0)
    scores = cross_val_score(clf, x, y, cv=3)
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))
    search = GridSearchCV(clf, {"hidden": [1, 8], "nb_epoch": [1, 20]}, cv=2)
    search.fit(x, y)
    assert search.best_params_["nb_epoch"] == 20 and len(search.cv_results_["params"]) == 4
    pipe = Pipeline([("scale", StandardScaler()),
                     ("net", KerasClassifier(make_classifier, nb_epoch=20, verbose=0))])
    pipe.fit(x, y)
    assert pipe.score(x, y) > 0.8


def test_regressor_score_is_minus_the_loss_so_search_prefers_lower_loss():
    np.random.seed(4)
    x = np.random.randn(64, 4).astype("float32")
    y = x @ np.array([1.0, -2.0, 0.5, 0.0], dtype="float32")
    reg = KerasRegressor(make_regressor, nb_epoch=5, batch_size=16, verbose=0)
    reg.fit(x, y)
    assert reg.predict(x).shape == (64,)
    mse = float(np.mean((reg.model.predict(x)[:, 0] - y) ** 2))
    assert reg.score(x, y) == pytest.approx(-mse, rel=1e-4)
    search = GridSearchCV(reg, {"nb_epoch": [1, 60]}, cv=2).fit(x, y)
    assert search.best_params_ == {"nb_epoch": 60}
