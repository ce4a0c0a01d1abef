"""Keras models as scikit-learn estimators (Keras 1.2.2 ``keras.wrappers.scikit_learn``).

``KerasClassifier(build_fn=make_model, nb_epoch=5, batch_size=32)`` is an estimator
that scikit-learn can ``clone``, cross-validate (``cross_val_score``), tune
(``GridSearchCV``) and chain (``Pipeline``).  ``build_fn`` builds and compiles a
fresh model; the keyword arguments (``sk_params``) go to ``build_fn`` and to the
model's ``fit`` / ``predict`` / ``evaluate``, each taking the ones it names.

scikit-learn itself is optional: this module does not import it, and works with any
version that reads estimator tags (``__sklearn_tags__``, 1.6 on) or the older
``_estimator_type`` attribute.

Departure from 1.2.2, to avoid a silently wrong answer: a classifier remembers its
labels (``classes_``, sorted as ``numpy.unique`` sorts them) and ``predict`` returns
labels, not column indices, so labels such as ``[3, 7]`` or ``['cat', 'dog']`` come
back as given.  With labels ``0..K-1`` (all that 1.2.2 handled) nothing changes.  And
``KerasRegressor.score`` is the *negative* loss: scikit-learn maximises scores, so 1.2.2's
plain loss made ``GridSearchCV`` pick the worst model (later Keras versions fixed it the
same way).
"""
from __future__ import annotations

import copy
import inspect
import types

import numpy as np

from ..models import Sequential
from ..utils.np_utils import to_categorical

__all__ = ["BaseWrapper", "KerasClassifier", "KerasRegressor"]


def _arg_names(fn) -> list:
    return list(inspect.signature(fn).parameters)


def _loss_name(model) -> str:
    loss = getattr(model, "loss", None)
    return getattr(loss, "__name__", loss)


class BaseWrapper:
    """Common part of ``KerasClassifier`` and ``KerasRegressor``.

    ``build_fn``: a function returning a compiled model, an object whose
    ``__call__`` does, or None (then the subclass's own ``__call__`` builds it).
    ``sk_params``: arguments of ``build_fn`` and of ``Sequential.fit``,
    ``predict``, ``predict_classes`` and ``evaluate`` (e.g. ``nb_epoch``,
    ``batch_size``); any other name is a ValueError.
    """

    def __init__(self, build_fn=None, **sk_params):
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    def _build_callable(self):
        if self.build_fn is None:
            return self.__call__
        if not isinstance(self.build_fn, (types.FunctionType, types.MethodType)):
            return self.build_fn.__call__
        return self.build_fn

    def check_params(self, params) -> None:
        """Raise a ValueError naming any key of ``params`` that nothing accepts."""
        legal = {"self"}
        for fn in (Sequential.fit, Sequential.predict, Sequential.predict_classes,
                   Sequential.evaluate, self._build_callable()):
            legal.update(_arg_names(fn))
        for name in params:
            if name not in legal:
                raise ValueError(f"{name} is not a legal parameter: the wrapper passes its "
                                 f"parameters to build_fn and to the model's fit, predict, "
                                 f"predict_classes and evaluate, and none of them takes it")

    def get_params(self, deep=True, **params) -> dict:
        """``sk_params`` and ``build_fn`` (the same objects, as scikit-learn's clone expects)."""
        result = dict(self.sk_params)
        result["build_fn"] = self.build_fn
        return result

    def set_params(self, **params):
        """Update ``sk_params`` (checked) and return the estimator."""
        if "build_fn" in params:
            self.build_fn = params.pop("build_fn")
        self.check_params(params)
        self.sk_params.update(params)
        return self

    def filter_sk_params(self, fn, override=None) -> dict:
        """The ``sk_params`` that ``fn`` takes, updated with ``override``."""
        names = _arg_names(fn)
        result = {k: v for k, v in self.sk_params.items() if k in names}
        result.update(override or {})
        return result

    def _targets(self, y):
        return y

    def fit(self, x, y, **kwargs):
        """Build a new model with ``build_fn`` and fit it to ``(x, y)``; returns the History.

        ``kwargs`` override the ``sk_params`` given to ``Sequential.fit``.
        """
        self.model = self._build_callable()(**self.filter_sk_params(self._build_callable()))
        y = self._targets(np.asarray(y))
        if _loss_name(self.model) == "categorical_crossentropy" and y.ndim != 2:
            y = to_categorical(y)
        fit_args = copy.deepcopy(self.filter_sk_params(Sequential.fit))
        fit_args.update(kwargs)
        return self.model.fit(x, y, **fit_args)

    def _check_fitted(self) -> None:
        if not hasattr(self, "model"):
            raise AttributeError(f"This {type(self).__name__} is not fitted yet: call fit(x, y) "
                                 f"before predict or score")


class KerasClassifier(BaseWrapper):
    """The scikit-learn classifier API: ``fit``, ``predict``, ``predict_proba``, ``score``."""

    _estimator_type = "classifier"  # scikit-learn before 1.6

    def __sklearn_tags__(self):
        from sklearn.utils import ClassifierTags, Tags, TargetTags
        return Tags(estimator_type="classifier", target_tags=TargetTags(required=True),
                    classifier_tags=ClassifierTags())

    def _targets(self, y):
        """Labels as indices ``0..K-1`` into ``classes_`` (one-hot targets kept as given)."""
        if y.ndim == 2 and y.shape[1] > 1:
            self.classes_ = np.arange(y.shape[1])
            return y
        self.classes_, indices = np.unique(y.reshape(len(y)), return_inverse=True)
        return indices.reshape(y.shape) if y.ndim == 2 else indices

    def predict(self, x, **kwargs) -> np.ndarray:
        """Predicted labels ``(n_samples,)``; kwargs as ``Sequential.predict_classes``."""
        self._check_fitted()
        kwargs = self.filter_sk_params(Sequential.predict_classes, kwargs)
        indices = np.asarray(self.model.predict_classes(x, **kwargs)).reshape(len(x))
        return self.classes_[indices]

    def predict_proba(self, x, **kwargs) -> np.ndarray:
        """Class probabilities ``(n_samples, n_classes)``; one sigmoid unit gives 2 columns."""
        self._check_fitted()
        kwargs = self.filter_sk_params(Sequential.predict_proba, kwargs)
        probs = self.model.predict_proba(x, **kwargs)
        if probs.shape[1] == 1:
            probs = np.hstack([1 - probs, probs])
        return probs

    def score(self, x, y, **kwargs) -> float:
        """Mean accuracy on ``(x, y)``; the model must be compiled with ``metrics=['accuracy']``."""
        self._check_fitted()
        kwargs = self.filter_sk_params(Sequential.evaluate, kwargs)
        y = np.asarray(y)
        if not (y.ndim == 2 and y.shape[1] > 1):
            y = np.searchsorted(self.classes_, y.reshape(len(y)))
        if _loss_name(self.model) == "categorical_crossentropy" and y.ndim != 2:
            y = to_categorical(y, len(self.classes_))
        outputs = self.model.evaluate(x, y, **kwargs)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        for name, value in zip(self.model.metrics_names, outputs):
            if name == "acc":
                return float(value)
        raise ValueError("The model is not configured to compute accuracy. You should pass "
                         "`metrics=[\"accuracy\"]` to the `model.compile()` method.")


class KerasRegressor(BaseWrapper):
    """The scikit-learn regressor API: ``fit``, ``predict``, ``score`` (minus the loss)."""

    _estimator_type = "regressor"  # scikit-learn before 1.6

    def __sklearn_tags__(self):
        from sklearn.utils import RegressorTags, Tags, TargetTags
        return Tags(estimator_type="regressor", target_tags=TargetTags(required=True),
                    regressor_tags=RegressorTags())

    def predict(self, x, **kwargs) -> np.ndarray:
        """Predictions with single-unit axes squeezed (``(n_samples,)`` for one output)."""
        self._check_fitted()
        kwargs = self.filter_sk_params(Sequential.predict, kwargs)
        return np.squeeze(self.model.predict(x, **kwargs))

    def score(self, x, y, **kwargs) -> float:
        """Minus the model's loss on ``(x, y)``: greater is better, as scikit-learn expects."""
        self._check_fitted()
        kwargs = self.filter_sk_params(Sequential.evaluate, kwargs)
        loss = self.model.evaluate(x, y, **kwargs)
        return -float(loss[0] if isinstance(loss, list) else loss)
