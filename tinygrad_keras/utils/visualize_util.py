"""Keras 1 ``plot(model, to_file)``: the graph of layers as a picture (or DOT text).

One box per layer (``name: ClassName``, or with ``show_shapes`` a record box
with the input and output shapes), an arrow from each layer to every layer it
feeds, top to bottom.  Keras 1.2.2 built this with pydot; here the DOT text is
written directly and rendered with :func:`tinygrad_keras.autodiff.viz.render_dot`,
so ``.dot`` files work without Graphviz and other formats say how to get it.

``model_to_dot`` returns a :class:`DotText`, a ``str`` that also answers the
pydot calls Keras 1 notebooks make (``create(prog='dot', format='svg')``,
``write(path)``, ``to_string()``).

>>> from tinygrad_keras.models import Sequential
>>> from tinygrad_keras.layers import Dense
>>> model = Sequential([Dense(2, input_dim=3, name='hidden'), Dense(1, name='out')])
>>> print(model_to_dot(model, show_shapes=True), end="")
digraph model {
  rankdir=TB; concentrate=true;
  node [shape=record, fontname="Helvetica", fontsize=10];
  l0 [label="...: InputLayer\\n|{input:|output:}|{{(None, 3)}|{(None, 3)}}"];
  l1 [label="hidden: Dense\\n|{input:|output:}|{{(None, 3)}|{(None, 2)}}"];
  l2 [label="out: Dense\\n|{input:|output:}|{{(None, 2)}|{(None, 1)}}"];
  l0 -> l1;
  l1 -> l2;
}
"""
from __future__ import annotations

import os
import subprocess

from ..autodiff.viz import GRAPHVIZ_HINT, graphviz_available, render_dot


class DotText(str):
    """DOT text with the few pydot methods Keras 1 users call on ``model_to_dot``."""

    def to_string(self) -> str:
        return str(self)

    def create(self, prog: str = "dot", format: str = "svg") -> bytes:
        """The rendered picture as bytes (needs Graphviz)."""
        if not graphviz_available():
            raise RuntimeError(GRAPHVIZ_HINT)
        return subprocess.run([prog, f"-T{format}"], input=self.encode(), check=True,
                              capture_output=True, timeout=60).stdout

    def write(self, path: str, format: str | None = None) -> str:
        """Write to ``path``; ``format`` defaults to the suffix ('raw'/'dot': the text)."""
        fmt = format or os.path.splitext(path)[1][1:] or "png"
        if fmt in ("raw", "dot"):
            with open(path, "w") as f:
                f.write(str(self))
            return path
        with open(path, "wb") as f:
            f.write(self.create(format=fmt))
        return path


def _escape(text: str) -> str:
    """Record labels treat ``{}|<>`` as structure, and quotes end the string."""
    for ch in '\\{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text


def _shape_text(layer, attr: str) -> str:
    try:
        return str(getattr(layer, attr))
    except (RuntimeError, ValueError, AttributeError):
        return "multiple"  # called several times with different shapes, or never


def _layer_label(layer, show_shapes: bool, show_layer_names: bool) -> str:
    name, cls = layer.name, type(layer).__name__
    inner = getattr(layer, "layer", None)  # a Wrapper shows what it wraps
    if inner is not None and hasattr(inner, "name"):
        name, cls = f"{name}({inner.name})", f"{cls}({type(inner).__name__})"
    label = _escape(f"{name}: {cls}" if show_layer_names else cls)
    if show_shapes:
        shapes_in = _escape(_shape_text(layer, "input_shape"))
        shapes_out = _escape(_shape_text(layer, "output_shape"))
        label += f"\\n|{{input:|output:}}|{{{{{shapes_in}}}|{{{shapes_out}}}}}"
    return label


def _graph_of(model) -> tuple:
    """``(layers, nodes)`` of a model's layer graph, InputLayers included."""
    if hasattr(model, "_ensure_graph"):
        model._ensure_graph()  # a Sequential builds its graph lazily
    if not hasattr(model, "_nodes"):
        raise TypeError(f"model_to_dot expects a Model or Sequential, got "
                        f"{type(model).__name__}")
    return list(model._graph_layers), list(model._nodes)


def model_to_dot(model, show_shapes: bool = False, show_layer_names: bool = True) -> DotText:
    """The layer graph of ``model`` as DOT text (a :class:`DotText`)."""
    layers, nodes = _graph_of(model)
    ids = {id(layer): f"l{i}" for i, layer in enumerate(layers)}
    lines = ["digraph model {", "  rankdir=TB; concentrate=true;",
             '  node [shape=record, fontname="Helvetica", fontsize=10];']
    for layer in layers:
        label = _layer_label(layer, show_shapes, show_layer_names)
        lines.append(f'  {ids[id(layer)]} [label="{label}"];')
    edges = []
    for node in nodes:
        for inbound in node.inbound_layers:
            edge = (ids[id(inbound)], ids[id(node.outbound_layer)])
            if edge not in edges:  # a layer feeding another twice is one arrow
                edges.append(edge)
    lines += [f"  {a} -> {b};" for a, b in edges]
    lines.append("}")
    return DotText("\n".join(lines) + "\n")


def plot(model, to_file: str = "model.png", show_shapes: bool = False,
         show_layer_names: bool = True) -> str:
    """Write the layer graph of ``model`` to ``to_file`` (format from the suffix;
    ``.dot`` needs no Graphviz).  Returns the path."""
    return render_dot(model_to_dot(model, show_shapes, show_layer_names), to_file)
