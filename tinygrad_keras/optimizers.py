"""Optimizers (Keras 1 ``keras.optimizers``) with the Keras 1.2.2 update rules.

The training loop runs backward, then calls ``optimizer.update(params,
constraints)``: ``params`` is the name-sorted list of trainable weights whose
``.grad`` holds the gradient.  The optimizer clips the gradients
(``clipnorm``: by their global norm; ``clipvalue``: elementwise), applies its
rule to each ``p.data`` in place (numpy on the values; no graph is recorded),
then applies the weight's constraint, if any.  It does not clear ``.grad``.

Hyper-parameters that Keras 1 keeps as backend variables (``lr``, ``momentum``,
``decay``, ``rho``, ``beta_1``, ``beta_2``) are Tensors here, so callbacks can
do ``K.set_value(model.optimizer.lr, 0.01)``.  The state ("slots": momenta,
accumulators) is created on the first update, in the order of
``optimizer.weights`` given in the Keras 1.2.2 table (spec 8.3).

>>> import numpy as np
>>> from tinygrad_keras import Tensor, optimizers
>>> w = Tensor(np.array([1.0, -2.0], dtype=np.float32), requires_grad=True, name='w')
>>> w.grad = np.array([0.5, 0.5], dtype=np.float32)
>>> optimizers.get('sgd').update([w])          # lr = 0.01
>>> np.round(w.data.astype(float), 4).tolist()
[0.995, -2.005]
"""
from __future__ import annotations

import math

import numpy as np

from . import _lookup
from . import backend as K
from ._optimizer_base import Optimizer, _descend, _sqrt_plus, _value, clip_norm
from .autodiff import Tensor

__all__ = [
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "Adamax",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "TFOptimizer",
    "adadelta",
    "adagrad",
    "adam",
    "adamax",
    "clip_norm",
    "get",
    "nadam",
    "optimizer_from_config",
    "rmsprop",
    "sgd",
]


_tensor_data = Tensor.data  # the storage behind Tensor.data (a slot), for RowMoment


class RowMoment(Tensor):
    """SGD's moment for one parameter, into which a plain-SGD row update writes only
    when it is read.

    Why (speed): after a row update (``SGD._apply_rows``) the moment is ``-lr g`` on
    the looked-up rows and ``-lr * 0`` on every other row: it depends on the last step
    alone.  Writing that into a ``(20000, 128)`` table at every step touched thousands
    of rows scattered over 10 MB twice (the last step's rows back to zero, the new
    ones); not writing it made the LSTM benchmark's step 1-2% faster (alternating
    CPU-time runs).  So ``hold(rows, values, zero)`` only keeps the step, and reading
    ``.data`` (saving, ``get_weights``, ``K.get_value``, the dense rule) first writes
    the whole array: ``zero`` everywhere, then ``values`` on ``rows``.  A reader never
    sees anything but the dense rule's moment.  (An array kept from an earlier read
    shows the moment as it was then, as one kept across ``K.set_value``, which
    replaces the array, does: read ``.data`` or ``K.get_value`` again.)
    """

    __slots__ = ("_held",)

    def hold(self, rows, values, zero) -> None:
        """The moment is now ``values`` on ``rows`` and ``zero`` elsewhere."""
        self._held = (rows, values, zero)

    @property
    def data(self) -> np.ndarray:
        array = _tensor_data.__get__(self)
        if self._held is not None:
            rows, values, zero = self._held
            self._held = None
            array.fill(zero)
            array[rows] = values
        return array

    @data.setter
    def data(self, value) -> None:
        _tensor_data.__set__(self, value)
        self._held = None

    # (shape and dtype never change: reading them writes nothing)
    shape = property(lambda self: _tensor_data.__get__(self).shape)
    dtype = property(lambda self: _tensor_data.__get__(self).dtype)


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, Nesterov momentum and time decay.

    ``v = momentum * m - lr * g; m <- v``; then ``p <- p + v``, or with
    ``nesterov`` ``p <- p + momentum * v - lr * g``.
    """

    _slot_names = ("moments",)

    def __init__(self, lr=0.01, momentum=0.0, decay=0.0, nesterov=False, **kwargs):
        super().__init__(**kwargs)
        self.lr, self.momentum, self.decay = K.variable(lr), K.variable(momentum), K.variable(decay)
        self.initial_decay = decay
        self.nesterov = nesterov

    def _apply(self, p, g, slots, lr):
        momentum, m, lr_g = _value(self.momentum), slots["moments"], slots["tmp"]
        if momentum == 0.0:             # plain SGD: v = -lr g, no need to read the old moment
            np.multiply(g, -lr, out=m)
            p += m
            return
        np.multiply(g, lr, out=lr_g)
        m *= momentum
        m -= lr_g                       # m is now the velocity v
        if self.nesterov:
            p -= lr_g
            np.multiply(m, momentum, out=lr_g)
            p += lr_g
        else:
            p += m

    def build(self, params) -> None:
        super().build(params)
        self.slots["moments"] = [RowMoment(m.data, requires_grad=True, name=m.name)
                                 for m in self.slots["moments"]]

    def rows_update_exact(self) -> bool:
        """Plain SGD (momentum 0, any decay, no clipping): a row whose gradient is zero
        moves by ``-lr * 0``, i.e. not at all, and its moment becomes ``-lr * 0``, so
        updating only an Embedding's looked-up rows is exact.  With momentum a row
        keeps moving on its velocity after its word is gone: the dense rule runs."""
        return _value(self.momentum) == 0.0

    def _apply_rows(self, p, grad, slots, lr):
        """The plain-SGD rule of ``_apply`` on ``grad.rows`` only (``grad`` a ``RowGrad``;
        ``slots`` holds the slot Tensors here, not their arrays).  The parameter's rows
        move by ``-lr g``; the moment, which the rule makes ``-lr g`` on those rows and
        ``-lr * 0`` everywhere else, is handed that step to write when it is read
        (``RowMoment``)."""
        step = np.multiply(grad.values, -lr)  # v = -lr g where g has rows
        slots["moments"].hold(grad.rows, step, 0.0 * -lr)
        p[grad.rows] += step

    def get_config(self) -> dict:
        return {**super().get_config(), "lr": _value(self.lr), "momentum": _value(self.momentum),
                "decay": _value(self.decay), "nesterov": self.nesterov}


class RMSprop(Optimizer):
    """``a <- rho a + (1 - rho) g^2; p <- p - lr g / (sqrt(a) + epsilon)`` (Tieleman & Hinton)."""

    _slot_names = ("accumulators",)

    def __init__(self, lr=0.001, rho=0.9, epsilon=1e-8, decay=0.0, **kwargs):
        super().__init__(**kwargs)
        self.lr, self.rho, self.decay = K.variable(lr), K.variable(rho), K.variable(decay)
        self.epsilon = epsilon
        self.initial_decay = decay

    def _weight_order(self) -> list:
        return list(self.slots["accumulators"])   # Keras 1.2.2: no iterations here

    def _apply(self, p, g, slots, lr):
        rho, a, tmp = _value(self.rho), slots["accumulators"], slots["tmp"]
        a *= rho
        np.square(g, out=tmp)
        tmp *= 1.0 - rho
        a += tmp
        _descend(p, lr, g, _sqrt_plus(a, self.epsilon, tmp))

    def get_config(self) -> dict:
        return {**super().get_config(), "lr": _value(self.lr), "rho": _value(self.rho),
                "decay": _value(self.decay), "epsilon": self.epsilon}


class Adagrad(Optimizer):
    """``a <- a + g^2; p <- p - lr g / (sqrt(a) + epsilon)`` (Duchi et al. 2011)."""

    _slot_names = ("accumulators",)

    def __init__(self, lr=0.01, epsilon=1e-8, decay=0.0, **kwargs):
        super().__init__(**kwargs)
        self.lr, self.decay = K.variable(lr), K.variable(decay)
        self.epsilon = epsilon
        self.initial_decay = decay

    def _weight_order(self) -> list:
        return list(self.slots["accumulators"])

    def _apply(self, p, g, slots, lr):
        a, tmp = slots["accumulators"], slots["tmp"]
        np.square(g, out=tmp)
        a += tmp
        _descend(p, lr, g, _sqrt_plus(a, self.epsilon, tmp))

    def get_config(self) -> dict:
        return {**super().get_config(), "lr": _value(self.lr), "decay": _value(self.decay),
                "epsilon": self.epsilon}


class Adadelta(Optimizer):
    """Zeiler 2012: ``a <- rho a + (1-rho) g^2``; ``u = g sqrt(d + eps) / sqrt(a + eps)``;
    ``p <- p - lr u``; ``d <- rho d + (1-rho) u^2``."""

    _slot_names = ("accumulators", "delta_accumulators")
    _scratch_names = ("tmp", "tmp2")

    def __init__(self, lr=1.0, rho=0.95, epsilon=1e-8, decay=0.0, **kwargs):
        super().__init__(**kwargs)
        self.lr, self.decay = K.variable(lr), K.variable(decay)
        self.rho, self.epsilon = rho, epsilon
        self.initial_decay = decay

    def _weight_order(self) -> list:
        return list(self.slots["accumulators"]) + list(self.slots["delta_accumulators"])

    def _apply(self, p, g, slots, lr):
        rho, eps = self.rho, self.epsilon
        a, d, step, tmp = slots["accumulators"], slots["delta_accumulators"], slots["tmp"], \
            slots["tmp2"]
        a *= rho
        np.square(g, out=tmp)
        tmp *= 1.0 - rho
        a += tmp
        np.add(d, eps, out=step)
        np.add(a, eps, out=tmp)
        np.divide(step, tmp, out=step)
        np.sqrt(step, out=step)
        step *= g                       # g sqrt(d + eps) / sqrt(a + eps), new a, old d
        np.multiply(step, lr, out=tmp)
        p -= tmp
        d *= rho
        np.square(step, out=tmp)
        tmp *= 1.0 - rho
        d += tmp

    def get_config(self) -> dict:
        return {**super().get_config(), "lr": _value(self.lr), "rho": self.rho,
                "decay": _value(self.decay), "epsilon": self.epsilon}


class Adam(Optimizer):
    """Kingma & Ba 2014, as Keras 1.2.2 writes it: ``t = iterations + 1``,
    ``lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)``, ``p <- p - lr_t m / (sqrt(v) + epsilon)``."""

    _slot_names = ("ms", "vs")
    counts_always = True

    def __init__(self, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8, decay=0.0, **kwargs):
        super().__init__(**kwargs)
        self.lr, self.decay = K.variable(lr), K.variable(decay)
        self.beta_1, self.beta_2 = K.variable(beta_1), K.variable(beta_2)
        self.epsilon = epsilon
        self.initial_decay = decay

    def _moments(self, g, slots, square: bool = True) -> tuple:
        """Update ``m <- b1 m + (1 - b1) g`` (and ``v <- b2 v + (1 - b2) g^2``)."""
        b1, b2, tmp = _value(self.beta_1), _value(self.beta_2), slots["tmp"]
        m, v = slots["ms"], slots[self._slot_names[1]]
        m *= b1
        np.multiply(g, 1.0 - b1, out=tmp)
        m += tmp
        if square:
            v *= b2
            np.square(g, out=tmp)
            tmp *= 1.0 - b2
            v += tmp
        return m, v, b1, b2

    def _apply(self, p, g, slots, lr):
        m, v, b1, b2 = self._moments(g, slots)
        t = _value(self.iterations) + 1
        lr_t = lr * math.sqrt(1.0 - b2 ** t) / (1.0 - b1 ** t)
        _descend(p, lr_t, m, _sqrt_plus(v, self.epsilon, slots["tmp"]))

    def get_config(self) -> dict:
        return {**super().get_config(), "lr": _value(self.lr), "beta_1": _value(self.beta_1),
                "beta_2": _value(self.beta_2), "decay": _value(self.decay),
                "epsilon": self.epsilon}


class Adamax(Adam):
    """Adam with the infinity norm: ``u <- max(b2 u, |g|)``,
    ``p <- p - lr / (1 - b1^t) * m / (u + epsilon)``."""

    _slot_names = ("ms", "us")

    def __init__(self, lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=1e-8, decay=0.0, **kwargs):
        super().__init__(lr, beta_1, beta_2, epsilon, decay, **kwargs)

    def _apply(self, p, g, slots, lr):
        m, u, b1, b2 = self._moments(g, slots, square=False)
        tmp = slots["tmp"]
        u *= b2
        np.abs(g, out=tmp)
        np.maximum(u, tmp, out=u)
        np.add(u, self.epsilon, out=tmp)
        t = _value(self.iterations) + 1
        _descend(p, lr / (1.0 - b1 ** t), m, tmp)


class Nadam(Adam):
    """Adam with Nesterov momentum (Dozat 2015) and the momentum schedule
    ``mu_t = b1 (1 - 0.5 * 0.96^(t * schedule_decay))``; no ``decay`` argument.

    ``m_schedule`` is the running product ``mu_1 mu_2 ... mu_t`` over the steps taken.
    Keras 1.2.2 keeps it outside ``weights``, so its files lack it; ``load_model``
    then rebuilds it from the saved ``iterations`` (:meth:`rebuilt_state`), and
    training continues as if it had never stopped.
    """

    _scratch_names = ("tmp", "tmp2")

    def __init__(self, lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 schedule_decay=0.004, **kwargs):
        super().__init__(lr, beta_1, beta_2, epsilon, 0.0, **kwargs)
        del self.decay
        self.schedule_decay = schedule_decay
        self.m_schedule = K.variable(1.0)

    def _learning_rate(self) -> float:
        return _value(self.lr)

    def _momentum_cache(self, t: float) -> float:
        """``mu_t = beta_1 (1 - 0.5 * 0.96^(t * schedule_decay))`` of step ``t`` (from 1)."""
        return _value(self.beta_1) * (1.0 - 0.5 * 0.96 ** (t * self.schedule_decay))

    def update(self, params, constraints=None, loss=None) -> None:
        # The schedule product is shared by all parameters: advance it once per step.
        t = _value(self.iterations) + 1
        self._mu_t, self._mu_next = self._momentum_cache(t), self._momentum_cache(t + 1)
        self._schedule = _value(self.m_schedule) * self._mu_t
        super().update(params, constraints, loss)
        self.m_schedule.data = np.asarray(self._schedule, dtype=self.m_schedule.dtype)

    def rebuilt_state(self, iterations: int) -> dict:
        """``{'m_schedule': S}`` after ``iterations`` steps, with the same arithmetic and the
        same rounding to ``m_schedule``'s dtype as ``update`` (so it is exactly the value
        uninterrupted training would hold): ``S = mu_1 mu_2 ... mu_iterations``.

        >>> from tinygrad_keras.optimizers import Nadam
        >>> float(Nadam().rebuilt_state(0)['m_schedule'])
        1.0
        >>> round(float(Nadam().rebuilt_state(2)['m_schedule']), 6)   # mu_1 * mu_2
        0.202599
        """
        dtype = self.m_schedule.dtype
        # mu_t grows with t towards beta_1: with 0 <= beta_1 <= 1 and schedule_decay >= 0,
        # once a step leaves the rounded product unchanged (it has underflowed to 0 or to
        # the smallest number) no later step changes it, so the loop may stop there.
        settles = 0.0 <= _value(self.beta_1) <= 1.0 and self.schedule_decay >= 0
        schedule = np.asarray(1.0, dtype=dtype)
        for t in range(1, int(iterations) + 1):
            previous = schedule
            schedule = np.asarray(float(schedule) * self._momentum_cache(t), dtype=dtype)
            if settles and schedule == previous:
                break
        return {"m_schedule": schedule}

    def _apply(self, p, g, slots, lr):
        # p -= lr * m_bar / (sqrt(v_hat) + eps), with m_bar = (1 - mu_t) g_hat + mu_next m_hat,
        # g_hat = g / (1 - S), m_hat = m / (1 - S mu_next), v_hat = v / (1 - b2^t); the two
        # terms of m_bar are applied one after the other to reuse one scratch buffer.
        m, v, _b1, b2 = self._moments(g, slots)
        t = _value(self.iterations) + 1
        denom, tmp = slots["tmp2"], slots["tmp"]
        np.multiply(v, 1.0 / (1.0 - b2 ** t), out=denom)
        _sqrt_plus(denom, self.epsilon, denom)
        _descend(p, lr * (1.0 - self._mu_t) / (1.0 - self._schedule), g, denom, tmp)
        schedule_next = self._schedule * self._mu_next
        _descend(p, lr * self._mu_next / (1.0 - schedule_next), m, denom, tmp)

    def get_config(self) -> dict:
        return {**Optimizer.get_config(self), "lr": _value(self.lr),
                "beta_1": _value(self.beta_1), "beta_2": _value(self.beta_2),
                "epsilon": self.epsilon, "schedule_decay": self.schedule_decay}


# Keras 1 lowercase aliases (the same classes).
sgd, rmsprop, adagrad, adadelta, adam, adamax, nadam = SGD, RMSprop, Adagrad, Adadelta, Adam, \
    Adamax, Nadam

_CLASSES = {cls.__name__: cls for cls in (SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax, Nadam)}
_OPTIMIZERS = {**_CLASSES, **{name.lower(): cls for name, cls in _CLASSES.items()}}


def optimizer_from_config(config: dict, custom_objects: dict | None = None):
    """An optimizer from ``{'class_name': ..., 'config': {...}}`` (``get_config`` output
    wrapped as in saved models); the class name is matched case-insensitively."""
    class_name = config["class_name"]
    cls = (custom_objects or {}).get(class_name) or _lookup.custom_objects().get(class_name)
    if cls is None:
        cls = _OPTIMIZERS.get(class_name.lower())
    if cls is None:
        raise ValueError(f"Optimizer class not found: {class_name!r}. Valid names are: "
                         f"{', '.join(sorted(_CLASSES))}")
    return cls.from_config(config.get("config", {}))


def get(identifier, kwargs=None):
    """An optimizer from a name (``'adam'``, ``'Adam'``; instantiated with defaults or
    ``kwargs``), a dict (``{'name': 'sgd', 'lr': 0.1}`` or a saved
    ``{'class_name', 'config'}``), or an instance (passed through)."""
    if isinstance(identifier, dict) and "class_name" in identifier:
        return optimizer_from_config(identifier)
    if isinstance(identifier, (str, dict)):
        return _lookup.get_from_table(identifier, _OPTIMIZERS, "optimizer", instantiate=True,
                              kwargs=kwargs)
    if isinstance(identifier, Optimizer):
        return identifier
    raise ValueError(f"An optimizer must be a name, a config dict or an Optimizer instance, "
                     f"got {identifier!r}")


class TFOptimizer(Optimizer):
    """Keras 1.2.2's wrapper of a native TensorFlow optimizer: TensorFlow only.

    Constructing one raises a TypeError that says so (there are no TensorFlow
    optimizers to wrap here; use one of this module's optimizers).
    """

    def __init__(self, optimizer=None):
        raise TypeError("TFOptimizer wraps a TensorFlow optimizer (tf.train.*) and only makes "
                        "sense on the TensorFlow backend; tinygrad_keras has no TensorFlow. Use "
                        "a Keras optimizer (SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax, "
                        "Nadam) or subclass Optimizer and write get_updates.")
