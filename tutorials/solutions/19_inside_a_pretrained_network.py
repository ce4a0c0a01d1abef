"""Exercise 19 (reference answer): undo preprocess_input, and a saliency map.

Check it: python -m tinygrad_keras.exercises check 19 --solution
"""
import numpy as np

BGR_MEAN = np.array([103.939, 116.779, 123.68])


def _channels_last(x: np.ndarray, dim_ordering: str) -> np.ndarray:
    """First image of a batch, as (rows, cols, channels)."""
    return x[0].transpose(1, 2, 0) if dim_ordering == "th" else x[0]


def deprocess_image(x: np.ndarray, dim_ordering: str = "th") -> np.ndarray:
    """(1, 3, rows, cols) 'th' / (1, rows, cols, 3) 'tf' preprocessed BGR ->
    (rows, cols, 3) RGB uint8."""
    bgr = _channels_last(np.asarray(x, dtype="float64"), dim_ordering) + BGR_MEAN
    return np.clip(bgr[..., ::-1], 0, 255).astype("uint8")


def saliency_map(grad: np.ndarray, dim_ordering: str = "th") -> np.ndarray:
    """(rows, cols): max over channels of |grad|, divided by its maximum."""
    strength = np.abs(_channels_last(np.asarray(grad, dtype="float64"), dim_ordering)).max(-1)
    top = strength.max()
    return strength / top if top > 0 else strength
