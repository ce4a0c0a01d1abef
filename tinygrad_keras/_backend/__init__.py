"""The math half of ``tinygrad_keras.backend``, split by topic; ``backend`` re-exports it all."""


def to_tensor(x):
    """``x`` as a Tensor; a KerasTensor used inside a loss/metric gives the value bound to it
    by the model scoring the batch (``engine/bound_values.py``), graph included."""
    from ..autodiff import Tensor
    if isinstance(x, Tensor):
        return x
    if type(x).__name__ == "KerasTensor":
        from ..engine.bound_values import resolve
        return resolve(x)
    return Tensor(x)
