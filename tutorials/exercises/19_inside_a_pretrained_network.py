"""Exercise 19: undo preprocess_input, and a saliency map.

Write the two functions below, then check them from the repository root:
python -m tinygrad_keras.exercises check 19
"""
import numpy as np

BGR_MEAN = np.array([103.939, 116.779, 123.68])   # what preprocess_input subtracted (B, G, R)


def deprocess_image(x: np.ndarray, dim_ordering: str = "th") -> np.ndarray:
    """(1, 3, rows, cols) 'th' / (1, rows, cols, 3) 'tf' preprocessed BGR ->
    (rows, cols, 3) RGB uint8."""
    raise NotImplementedError("add BGR_MEAN back, reverse the channels (BGR -> RGB), put "
                              "channels last, clip to 0..255 and cast to uint8")


def saliency_map(grad: np.ndarray, dim_ordering: str = "th") -> np.ndarray:
    """(rows, cols): max over channels of |grad|, divided by its maximum."""
    raise NotImplementedError("take |grad| of the first image, its maximum over the channel "
                              "axis, and divide by the largest value (leave all-zero maps "
                              "as zeros)")
