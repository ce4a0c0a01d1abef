"""Exercise 2 (reference answer): your own topological sort.

Checked by: python -m tinygrad_keras.exercises check 2 --solution
"""


def topo_order(root) -> list:
    """Every node under ``root`` (leaves included) with parents before children.

    Iterative depth-first search: a node is emitted when all its parents are done.
    Uses only the public ``.parents``; each node appears once.
    """
    order, done, stack = [], set(), [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in done:
            continue
        done.add(id(node))
        stack.append((node, True))
        stack.extend((p, False) for p in reversed(node.parents) if id(p) not in done)
    return order
