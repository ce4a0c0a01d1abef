"""Seeing the recorded graph: Graphviz DOT text, and pictures when Graphviz is there.

``to_dot(loss)`` walks from a result back through ``parents`` (the same walk
``backward`` does) and writes one box per Tensor: the op that made it, its
shape, and optionally its values and gradient.  Leaves that require a gradient
(the parameters) are filled; constants are dashed.  An edge points from each
parent to the result it fed, labelled with the argument position when an op has
several inputs.

>>> from tinygrad_keras import Tensor
>>> from tinygrad_keras.autodiff.viz import to_dot
>>> w = Tensor([1.0, 2.0], requires_grad=True, name="w")
>>> print(to_dot((w * w).sum()).splitlines()[0])
digraph tensor_graph {

No picture library is needed for the text; ``draw`` calls the ``dot`` program
of Graphviz if it is installed, and says how to install it if not.
"""
from __future__ import annotations

import shutil
import subprocess

import numpy as np

from .tensor import Tensor


def graph_nodes(root: Tensor, max_nodes: int = 2000) -> list:
    """Tensors reachable from ``root`` through recorded parents, root first (no recursion).

    A result whose graph an earlier ``backward()`` released is an error: drawn, it
    would look like a lone input."""
    seen, order, stack = set(), [], [root]
    while stack and len(order) < max_nodes:
        node = stack.pop()
        if id(node) in seen:
            continue
        if node.is_leaf and node.op is not None:
            raise RuntimeError(f"cannot draw this graph: backward() already released it (the "
                               f"{node.op} result has forgotten its parents). Call "
                               f"backward(retain_graph=True) to keep the graph for drawing, "
                               f"or draw before backward()")
        seen.add(id(node))
        order.append(node)
        stack.extend(reversed(node.parents))
    return order


def _fmt_array(a: np.ndarray) -> str:
    return np.array2string(np.asarray(a), precision=3, threshold=6, separator=", ").replace("\n", "")


def _label(t: Tensor, show_values: bool, show_grads: bool) -> str:
    title = t.name or t.op or ("parameter" if t.requires_grad else "constant")
    if t.name and t.op:
        title = f"{t.name} = {t.op}"
    lines = [title, f"{tuple(t.shape)} {t.dtype}"]
    if show_values:
        lines.append("value " + _fmt_array(t.data))
    if show_grads and t.grad is not None:
        lines.append("grad " + _fmt_array(t.grad))
    return "\\n".join(line.replace('"', "'") for line in lines)


def _style(t: Tensor) -> str:
    if t.op is None and t.requires_grad:
        return 'style="filled,rounded", fillcolor="#ffe08a"'  # a parameter
    if t.op is None:
        return 'style="dashed,rounded"'  # a constant / input
    return 'style="rounded"'


def to_dot(root: Tensor, show_values: bool = False, show_grads: bool = False,
           groups: dict | None = None, max_nodes: int = 2000) -> str:
    """DOT text of the graph that produced ``root``.

    ``groups`` optionally maps ``id(tensor)`` to a cluster label (a layer name,
    say): tensors with the same label are drawn inside one box.
    """
    nodes = graph_nodes(root, max_nodes)
    ids = {id(t): f"n{i}" for i, t in enumerate(nodes)}
    lines = ["digraph tensor_graph {", "  rankdir=BT;",
             '  node [shape=box, fontname="Helvetica", fontsize=10];']
    clusters: dict = {}
    for t in nodes:
        decl = f'{ids[id(t)]} [label="{_label(t, show_values, show_grads)}", {_style(t)}];'
        label = (groups or {}).get(id(t))
        clusters.setdefault(label, []).append(decl)
    for k, (label, decls) in enumerate(clusters.items()):
        if label is None:
            lines += ["  " + d for d in decls]
            continue
        lines.append(f'  subgraph cluster_{k} {{ label="{label}"; style=dashed;')
        lines += ["    " + d for d in decls]
        lines.append("  }")
    for t in nodes:
        parents = t.parents
        for pos, p in enumerate(parents):
            if id(p) in ids:
                attr = f' [label="{pos}", fontsize=8]' if len(parents) > 1 else ""
                lines.append(f"  {ids[id(p)]} -> {ids[id(t)]}{attr};")
    lines.append("}")
    return "\n".join(lines) + "\n"


GRAPHVIZ_HINT = ("Rendering needs the Graphviz 'dot' program: install it with your package "
                 "manager (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz; "
                 "conda: conda install graphviz). The DOT text from to_dot() can also be pasted "
                 "into any online Graphviz viewer.")


def graphviz_available() -> bool:
    return shutil.which("dot") is not None


def render_dot(dot: str, path: str) -> str:
    """Write ``dot`` as a picture; the format comes from the suffix (.svg, .png, .pdf)."""
    fmt = path.rsplit(".", 1)[-1].lower() if "." in path else "svg"
    if fmt == "dot":
        with open(path, "w") as f:
            f.write(dot)
        return path
    if not graphviz_available():
        raise RuntimeError(GRAPHVIZ_HINT)
    subprocess.run(["dot", f"-T{fmt}", "-o", path], input=dot.encode(), check=True,
                   timeout=60)
    return path


def draw(root: Tensor, path: str, **options) -> str:
    """Render the graph behind ``root`` to ``path`` (``.svg``/``.png``/``.pdf``/``.dot``)."""
    return render_dot(to_dot(root, **options), path)
