"""Exercise 2: your answer goes here (see the end of tutorials/02_backward.py).

Replace each ``raise NotImplementedError(...)`` with your code, then check it from
the repository root:

    python -m tinygrad_keras.exercises check 2
"""



def topo_order(root) -> list:
    """Every node under ``root`` (leaves included) with parents before children.

    Iterative depth-first search: a node is emitted when all its parents are done.
    Uses only the public ``.parents``; each node appears once.
    """
    raise NotImplementedError("return every node under root, parents before children, without recursion")
