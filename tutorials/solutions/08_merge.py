"""Exercise 8 (reference answer): a callable Merge mode, the L1 distance of two branches.

Checked by: python -m tinygrad_keras.exercises check 8 --solution
"""


def l1_distance(tensors):
    """``sum(|a - b|)`` over the last axis, kept as an axis: two ``(None, n)`` -> ``(None, 1)``.

    Use as ``Merge([left, right], mode=l1_distance, output_shape=(1,))``.
    """
    a, b = tensors
    return (a - b).abs().sum(axis=-1, keepdims=True)
