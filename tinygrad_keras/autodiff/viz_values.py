"""Draw a small graph with the value and the gradient of every node, in one call.

``draw_backward(loss)`` asks every intermediate result to keep its gradient, runs
``loss.backward()``, and draws the graph with matplotlib: one box per Tensor, leaves on the
left, the result on the right, each box showing its name (or the op that made it), its
value and its gradient d loss / d node. That is the picture of backpropagation: each
gradient is the sum, over the arrows leaving the node, of the upstream gradient times the
local derivative.

>>> from tinygrad_keras import Tensor
>>> from tinygrad_keras.autodiff.viz_values import draw_backward
>>> x = Tensor(2.0, requires_grad=True, name="x")
>>> y = x * x
>>> layout = draw_backward(y, ax=False)     # ax=False: backward and layout, no drawing
>>> float(x.grad), [row["label"] for row in layout]
(4.0, ['x', 'Mul'])

For graphs of more than a few dozen nodes the boxes get unreadable: use
``viz.to_dot`` (Graphviz) instead. Needs matplotlib only when it draws.
"""
from __future__ import annotations

import numpy as np

from .tensor import Tensor
from .viz import graph_nodes


def _short(a) -> str:
    """A value or gradient as a short string: a number, or a small array."""
    if a is None:
        return "-"
    arr = np.asarray(a)
    if arr.size == 1:
        return f"{float(arr.reshape(())):.4g}"
    return np.array2string(arr, precision=2, threshold=4, separator=", ").replace("\n", "")


def _parents_first(root: Tensor) -> list:
    """Every node under ``root`` (constants included), parents before children (Kahn)."""
    nodes = graph_nodes(root)
    waiting = {id(n): len({id(p) for p in n.parents}) for n in nodes}
    children: dict = {}
    for n in nodes:
        for pid in {id(p) for p in n.parents}:
            children.setdefault(pid, []).append(n)
    ready = [n for n in reversed(nodes) if waiting[id(n)] == 0]
    order = []
    while ready:
        node = ready.pop()
        order.append(node)
        for child in children.get(id(node), []):
            waiting[id(child)] -= 1
            if waiting[id(child)] == 0:
                ready.append(child)
    return order


def graph_layout(root: Tensor) -> list[dict]:
    """One row per node, parents before children: label, value, grad, column, row, parents.

    The column is the length of the longest path from a leaf (leaves are column 0), so
    every arrow points to the right; nodes of one column are stacked in recorded order.
    """
    column, per_column, rows = {}, {}, []
    for node in _parents_first(root):
        col = 1 + max((column[id(p)] for p in node.parents), default=-1)
        column[id(node)] = col
        slot = per_column.get(col, 0)
        per_column[col] = slot + 1
        label = node.name or node.op or ("param" if node.requires_grad else "const")
        if node.name and node.op:
            label = f"{node.name} = {node.op}"
        rows.append({"node": node, "label": label, "value": _short(node.data),
                     "grad": _short(node.grad), "col": col, "row": slot,
                     "parents": [id(p) for p in node.parents]})
    return rows


def draw_values(root: Tensor, ax=None, title: str | None = None,
                show_values: bool = True) -> list[dict]:
    """Draw the recorded graph under ``root`` with each node's value (and ``.grad`` if set).

    Nothing is computed: use it before ``backward`` to see the forward pass. With
    ``show_values=False`` each box shows the node's shape instead (for graphs of arrays).
    Returns the layout rows of :func:`graph_layout`.
    """
    rows = graph_layout(root)
    _draw(rows, ax, title, show_values)
    return rows


def draw_backward(root: Tensor, ax=None, title: str | None = None) -> list[dict]:
    """Backpropagate from ``root`` keeping every gradient, then draw value and gradient per node.

    root: a scalar Tensor whose graph is still recorded (not yet backpropagated).
    ax: a matplotlib Axes to draw on (a new figure if None; False to only compute).
    Returns the layout rows of :func:`graph_layout` (with the gradients filled in).
    """
    if root.size != 1:
        raise ValueError(f"draw_backward needs a scalar result, got shape {root.shape}; "
                         "reduce it first, e.g. with .sum()")
    rows = graph_layout(root)  # before backward, which releases the recorded parents
    for row in rows:
        if row["node"].op is not None:
            row["node"].retain_grad()
    root.backward()
    for row in rows:
        row["grad"] = _short(row["node"].grad)
    if ax is not False:
        _draw(rows, ax, title)
    return rows


def _draw(rows: list[dict], ax, title: str | None, show_values: bool = True) -> None:
    import matplotlib.pyplot as plt  # optional dependency: only needed to draw

    if ax is None:
        ncols = 1 + max(r["col"] for r in rows)
        nrows = 1 + max(r["row"] for r in rows)
        _, ax = plt.subplots(figsize=(2.3 * ncols + 0.5, 1.2 * nrows + 0.8))
    where = {id(r["node"]): (2.4 * r["col"], -1.3 * r["row"]) for r in rows}
    for r in rows:
        x, y = where[id(r["node"])]
        for pid in r["parents"]:
            px, py = where[pid]
            ax.annotate("", xy=(x - 0.75, y), xytext=(px + 0.75, py),
                        arrowprops={"arrowstyle": "->", "color": "0.4"})
        leaf = r["node"].op is None
        face = "#ffe08a" if leaf and r["node"].requires_grad else ("#eeeeee" if leaf else "#dbe8ff")
        text = (f"{r['label']}\nvalue {r['value']}\ngrad {r['grad']}" if show_values
                else f"{r['label']}\n{tuple(r['node'].shape)}")
        ax.text(x, y, text, ha="center",
                va="center", fontsize=9, family="monospace",
                bbox={"boxstyle": "round", "facecolor": face, "edgecolor": "0.3"})
    xs = [p[0] for p in where.values()]
    ys = [p[1] for p in where.values()]
    ax.set_xlim(min(xs) - 1.2, max(xs) + 1.2)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.axis("off")
    if title:
        ax.set_title(title)
