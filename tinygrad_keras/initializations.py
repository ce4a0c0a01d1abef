"""Weight initializations (Keras 1 ``keras.initializations``).

Every initializer is ``f(shape, name=None, dim_ordering='th')`` and returns a
trainable variable (a Tensor with ``requires_grad=True``) named ``name``.
Layers call ``init(shape, name='dense_1_W')``; convolution layers also pass
their ``dim_ordering`` so that the fan-in/fan-out of a kernel is read from the
right axes.  Random draws use numpy's global generator, so ``np.random.seed``
reproduces them.

>>> import numpy as np
>>> from tinygrad_keras import initializations
>>> np.random.seed(0)
>>> w = initializations.get('glorot_uniform')((784, 512), name='dense_1_W')
>>> w.shape, w.name, bool(abs(w.data).max() <= np.sqrt(6 / (784 + 512)))
((784, 512), 'dense_1_W', True)
"""
from __future__ import annotations

import numpy as np

from . import backend as K
from ._lookup import get_function


def get_fans(shape, dim_ordering: str = "th") -> tuple:
    """``(fan_in, fan_out)`` of a weight of ``shape``.

    2D ``(in, out)`` matrices read the two axes; 4D/5D convolution kernels
    multiply the channel counts by the receptive field ('th': ``(out, in, *k)``;
    'tf': ``(*k, in, out)``, where, as in Keras 1.2.2, only the first two axes
    count as the receptive field); any other rank uses ``sqrt(prod(shape))``.
    """
    shape = tuple(shape)
    if len(shape) == 2:
        return shape[0], shape[1]
    if len(shape) in (4, 5):
        if dim_ordering == "th":
            field = int(np.prod(shape[2:]))
            return shape[1] * field, shape[0] * field
        if dim_ordering == "tf":
            field = int(np.prod(shape[:2]))
            return shape[-2] * field, shape[-1] * field
        raise ValueError(f"Invalid dim_ordering: {dim_ordering!r}; expected 'th' or 'tf'")
    fan = float(np.sqrt(np.prod(shape)))
    return fan, fan


def uniform(shape, scale=0.05, name=None, dim_ordering="th"):
    """U(-scale, scale)."""
    return K.random_uniform_variable(shape, -scale, scale, name=name)


def normal(shape, scale=0.05, name=None, dim_ordering="th"):
    """N(0, scale**2); ``scale`` is the standard deviation (not truncated)."""
    return K.random_normal_variable(shape, 0.0, scale, name=name)


def lecun_uniform(shape, name=None, dim_ordering="th"):
    """U(+-sqrt(3 / fan_in)) (LeCun et al. 1998, Efficient BackProp)."""
    fan_in, _ = get_fans(shape, dim_ordering)
    return uniform(shape, np.sqrt(3.0 / fan_in), name=name)


def glorot_normal(shape, name=None, dim_ordering="th"):
    """N(0, 2 / (fan_in + fan_out)) (Glorot & Bengio 2010)."""
    fan_in, fan_out = get_fans(shape, dim_ordering)
    return normal(shape, np.sqrt(2.0 / (fan_in + fan_out)), name=name)


def glorot_uniform(shape, name=None, dim_ordering="th"):
    """U(+-sqrt(6 / (fan_in + fan_out))) (Glorot & Bengio 2010); the Dense default."""
    fan_in, fan_out = get_fans(shape, dim_ordering)
    return uniform(shape, np.sqrt(6.0 / (fan_in + fan_out)), name=name)


def he_normal(shape, name=None, dim_ordering="th"):
    """N(0, 2 / fan_in) (He et al. 2015)."""
    fan_in, _ = get_fans(shape, dim_ordering)
    return normal(shape, np.sqrt(2.0 / fan_in), name=name)


def he_uniform(shape, name=None, dim_ordering="th"):
    """U(+-sqrt(6 / fan_in)) (He et al. 2015)."""
    fan_in, _ = get_fans(shape, dim_ordering)
    return uniform(shape, np.sqrt(6.0 / fan_in), name=name)


def orthogonal(shape, scale=1.1, name=None, dim_ordering="th"):
    """A (semi-)orthogonal matrix times ``scale`` (Saxe et al. 2013).

    The weight is viewed as ``(shape[0], prod(shape[1:]))``; the SVD factor of
    a standard-normal matrix that has that shape has orthonormal rows or
    columns.  Keras 1.2.2's default gain is 1.1, not 1.
    """
    shape = tuple(shape)
    flat = (shape[0], int(np.prod(shape[1:])))
    u, _, v = np.linalg.svd(np.random.normal(0.0, 1.0, flat), full_matrices=False)
    q = u if u.shape == flat else v
    return K.variable(scale * q.reshape(shape), name=name)


def identity(shape, scale=1, name=None, dim_ordering="th"):
    """``scale`` times the identity; only for square 2D weights (e.g. IRNN)."""
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"identity initialization needs a square 2D shape, got {tuple(shape)}")
    return K.variable(scale * np.identity(shape[0]), name=name)


def zero(shape, name=None, dim_ordering="th"):
    """All zeros (the bias default)."""
    return K.zeros(shape, name=name)


def one(shape, name=None, dim_ordering="th"):
    """All ones (BatchNormalization gamma, LSTM forget bias)."""
    return K.ones(shape, name=name)


_INITIALIZERS = {f.__name__: f for f in (
    uniform, normal, lecun_uniform, glorot_normal, glorot_uniform, he_normal, he_uniform,
    orthogonal, identity, zero, one)}


def get(identifier, **kwargs):
    """An initializer by name; callables (e.g. ``lambda shape, name: ...``) pass through."""
    return get_function(identifier, _INITIALIZERS, "initialization")
