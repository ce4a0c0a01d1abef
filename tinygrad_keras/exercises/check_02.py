"""Exercise 2: ``topo_order(root)``, every node once, parents before children, no recursion."""
import numpy as np

from tinygrad_keras import Tensor

from ._helpers import require


def _reachable(root) -> set:
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(node.parents)
    return seen


def _check_order(order, root, what: str) -> None:
    position = {}
    for i, node in enumerate(order):
        require(id(node) not in position, f"{what}: a node ({node.op or 'leaf'}) appears twice")
        position[id(node)] = i
    missing = _reachable(root) - set(position)
    require(not missing, f"{what}: {len(missing)} node(s) under the root are missing "
            "(leaves and constants count too)")
    require(order[-1] is root, f"{what}: the root must come last, got {order[-1].op or 'a leaf'}")
    for node in order:
        for parent in node.parents:
            require(position[id(parent)] < position[id(node)],
                    f"{what}: {parent.op or 'a leaf'} comes after {node.op}, which was "
                    f"computed from it; every node must come after all its parents")


def check(module) -> None:
    topo_order = module.topo_order
    x = Tensor(1.5, requires_grad=True)
    a = x * 2
    d = (a * a) * (a + 1)
    _check_order(topo_order(d), d, "the diamond d = (a*a) * (a+1)")
    # a is reached at different depths: a reversed breadth-first search puts tanh before a
    a = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    r = a + a.tanh() * 3
    _check_order(topo_order(r), r, "r = a + a.tanh() * 3")
    chain = x
    for _ in range(5000):  # deeper than Python's recursion limit
        chain = chain * 1.0
    try:
        order = topo_order(chain)
    except RecursionError:
        raise AssertionError("a 5000-op chain hit Python's recursion limit: "
                             "use a loop with your own stack, not recursion") from None
    require(len(order) >= 5001, f"a 5000-op chain has at least 5001 nodes, got {len(order)}")
