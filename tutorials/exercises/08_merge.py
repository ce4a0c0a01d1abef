"""Exercise 8: your answer goes here (see the end of tutorials/08_merge.py).

Replace each ``raise NotImplementedError(...)`` with your code, then check it from
the repository root:

    python -m tinygrad_keras.exercises check 8
"""



def l1_distance(tensors):
    """``sum(|a - b|)`` over the last axis, kept as an axis: two ``(None, n)`` -> ``(None, 1)``.

    Use as ``Merge([left, right], mode=l1_distance, output_shape=(1,))``.
    """
    raise NotImplementedError("return sum(|a - b|) over the last axis, keeping that axis")
