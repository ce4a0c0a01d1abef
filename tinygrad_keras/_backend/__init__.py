"""The math half of ``tinygrad_keras.backend``, split by topic; ``backend`` re-exports it all."""


def to_tensor(x):
    """``x`` as a Tensor; a KerasTensor used inside a loss/metric gives the value bound to it
    by the model scoring the batch (``symbolic.bind_values``), graph included."""
    from ..autodiff import Tensor
    if isinstance(x, Tensor):
        return x
    from .symbolic import KerasTensor, resolve
    if isinstance(x, KerasTensor):
        return resolve(x)
    return Tensor(x)
