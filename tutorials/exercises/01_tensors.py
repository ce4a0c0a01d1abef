"""Exercise 1: your answer goes here (see the end of tutorials/01_tensors.py).

Replace each ``raise NotImplementedError(...)`` with your code, then check it from
the repository root:

    python -m tinygrad_keras.exercises check 1
"""
from collections import Counter


def count_ops(t) -> dict:
    """Map op name -> number of distinct nodes with that op in the graph under ``t``.

    Leaves are not counted; a node reached along two paths is counted once.
    """
    raise NotImplementedError("walk t.parents with your own stack; count each distinct node's t.op once")
