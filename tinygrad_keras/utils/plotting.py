"""Training curves from a ``History``: a picture with matplotlib, a text table without.

``plot_history(history)`` draws one panel per quantity (``loss``, ``acc``, ...),
the training curve and, when present, the ``val_`` curve of the same name.
Norm keys written by ``WeightNormLogger``/``GradientNormLogger`` (``*_norm``)
go together into one log-scale panel per kind.  matplotlib is optional: without
it the function says how to install it and prints :func:`history_table`.

>>> class H:  # anything with a .history dict, e.g. what fit() returns
...     history = {'loss': [1.0, 0.5], 'val_loss': [1.2, 0.7]}
>>> print(history_table(H()))
epoch        loss    val_loss
    1           1         1.2
    2         0.5         0.7
"""
from __future__ import annotations

MATPLOTLIB_HINT = ("plot_history needs matplotlib to draw (pip install matplotlib); "
                   "here is the history as a table instead:")


def _records(history) -> dict:
    records = getattr(history, "history", history)
    if not isinstance(records, dict):
        raise TypeError(f"plot_history expects a History (from fit) or a dict of lists, got "
                        f"{type(history).__name__}")
    return records


def panels(history) -> dict:
    """``{panel title: [keys drawn in it]}``: each metric with its ``val_`` twin;
    all weight norms in one panel and all gradient norms in another."""
    records = _records(history)
    result: dict = {}
    for key in records:
        if key.endswith("_grad_norm"):
            result.setdefault("gradient norms", []).append(key)
        elif key.endswith("_norm"):
            result.setdefault("weight norms", []).append(key)
        elif not key.startswith("val_"):
            result[key] = [key] + ([f"val_{key}"] if f"val_{key}" in records else [])
        elif key[4:] not in records:
            result[key] = [key]
    return result


def history_table(history, keys=None) -> str:
    """The history as text: a row per epoch, a column per key (all keys by default)."""
    records = _records(history)
    keys = list(keys or records)
    n = max((len(records[k]) for k in keys), default=0)
    width = max([12] + [len(k) + 2 for k in keys])
    lines = ["epoch" + "".join(f"{k:>{width}}" for k in keys)]
    for i in range(n):
        cells = [f"{records[k][i]:>{width}.4g}" if i < len(records[k]) else " " * width
                 for k in keys]
        lines.append(f"{i + 1:>5}" + "".join(cells))
    return "\n".join(lines)


def plot_history(history, path: str | None = None, keys=None):
    """Draw the curves of ``history`` (a ``History`` or its ``.history`` dict).

    ``path``: save the figure there (``.png``, ``.svg``, ``.pdf``); ``keys``: only
    these panels (e.g. ``['loss']``).  Returns the matplotlib Figure, or the
    text table when matplotlib is not installed.
    """
    chosen = {title: ks for title, ks in panels(history).items() if keys is None or title in keys}
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        print(MATPLOTLIB_HINT)
        table = history_table(history, [k for ks in chosen.values() for k in ks])
        print(table)
        return table
    return _draw(plt, _records(history), chosen, path)


def _draw(plt, records: dict, chosen: dict, path):
    fig, axes = plt.subplots(1, max(len(chosen), 1), figsize=(4.5 * max(len(chosen), 1), 3.5),
                             squeeze=False)
    for ax, (title, ks) in zip(axes[0], chosen.items()):
        for key in ks:
            values = records[key]
            ax.plot(range(1, len(values) + 1), values, marker="o", markersize=3, label=key)
        if title.endswith("norms"):
            ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.legend(fontsize=7)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path)
    return fig
