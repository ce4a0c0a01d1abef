"""Exercise 1 (reference answer): count the ops recorded under a Tensor.

Checked by: python -m tinygrad_keras.exercises check 1 --solution
"""
from collections import Counter


def count_ops(t) -> dict:
    """Map op name -> number of distinct nodes with that op in the graph under ``t``.

    Leaves are not counted; a node reached along two paths is counted once.
    """
    counts, seen, stack = Counter(), set(), [t]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.op is not None:
            counts[node.op] += 1
        stack.extend(node.parents)
    return dict(counts)
