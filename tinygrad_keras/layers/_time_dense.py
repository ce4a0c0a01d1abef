"""``time_distributed_dense``, the helper Keras 1.2.2 kept in ``keras.layers.recurrent``
(its recurrent layers used it to project all timesteps at once); re-exported there."""
from __future__ import annotations

import numpy as np

from .. import backend as K
from ..autodiff import functional as F
from ..autodiff.functional import as_tensor


def time_distributed_dense(x, w, b=None, dropout=None, input_dim=None, output_dim=None,
                           timesteps=None):
    """``y @ w + b`` for every timestep ``y`` of ``x``: ``(B, T, input_dim)`` ->
    ``(B, T, output_dim)``.

    ``dropout`` (a rate in (0, 1)) drops the same input features at every timestep,
    while training only.  ``input_dim``/``output_dim``/``timesteps`` default to the
    shapes of ``x`` and ``w``; when given they must agree with them.

    >>> import numpy as np
    >>> time_distributed_dense(np.ones((2, 3, 4)), np.ones((4, 5)), np.zeros(5)).shape
    (2, 3, 5)
    """
    x, w = as_tensor(x), as_tensor(w)
    if x.ndim != 3 or w.ndim != 2:
        raise ValueError(f"time_distributed_dense expects x (batch, timesteps, input_dim) and "
                         f"w (input_dim, output_dim), got shapes {x.shape} and {w.shape}")
    given = {"input_dim": (input_dim, x.shape[2]), "timesteps": (timesteps, x.shape[1]),
             "output_dim": (output_dim, w.shape[1]), "w rows": (w.shape[0], x.shape[2])}
    for arg, (want, got) in given.items():
        if want and want != got:
            raise ValueError(f"time_distributed_dense: {arg} is {want} but the tensors give "
                             f"{got} (x {x.shape}, w {w.shape})")
    if dropout is not None and 0.0 < dropout < 1.0:
        def dropped():
            keep = np.random.random_sample((x.shape[0], 1, x.shape[2])) >= dropout
            return x * (keep / (1.0 - dropout)).astype(x.dtype)
        x = K.in_train_phase(dropped, x)
    batch, steps = x.shape[:2]
    out = F.reshape(x, (batch * steps, x.shape[2])) @ w
    if b is not None:
        out = out + b
    return F.reshape(out, (batch, steps, w.shape[1]))
