"""``grad``: gradients as Tensors, differentiable again with ``create_graph=True``.

PyTorch's ``torch.autograd.grad`` under the same names and meaning::

    >>> from tinygrad_keras import Tensor
    >>> from tinygrad_keras.autodiff import grad
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> g, = grad((x ** 3).sum(), x, create_graph=True)   # 3 x^2, with a graph
    >>> g.tolist()
    [3.0, 12.0]
    >>> grad(g.sum(), x)[0].tolist()                        # d/dx sum(3 x^2) = 6 x
    [6.0, 12.0]

Unlike ``Tensor.backward`` it touches no ``.grad`` and computes only the part of
the graph that leads to ``inputs``.
"""
from __future__ import annotations

import numpy as np

from .engine import run_backward
from .tensor import Tensor, _to_array


def _as_list(x) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _seed(out: Tensor, g, k: int, create_graph: bool):
    """The upstream gradient of output ``k``: an array, or a Tensor under create_graph."""
    if not isinstance(out, Tensor) or not out.requires_grad:
        raise RuntimeError(f"grad: output {k} does not require grad (no input with "
                           f"requires_grad=True was used, or it was computed under no_grad)")
    if g is None:
        if out.size != 1:
            raise RuntimeError(f"grad: output {k} has shape {out.shape}; pass grad_outputs "
                               f"(one array of that shape per output) or reduce it (.sum())")
        g = np.ones_like(out.data)
    if isinstance(g, Tensor) and create_graph:
        seed = g if g.dtype == out.dtype else g.astype(out.dtype)
    else:
        seed = _to_array(g.data if isinstance(g, Tensor) else g, out.dtype)
        seed = Tensor(seed) if create_graph else seed
    if seed.shape != out.shape:
        raise ValueError(f"grad: grad_outputs[{k}] has shape {seed.shape}, output {k} has "
                         f"shape {out.shape}")
    return seed


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> list:
    """d outputs / d inputs, one Tensor per input (PyTorch's ``torch.autograd.grad``).

    ``outputs``: a Tensor or a list; each non-scalar output needs its upstream
    gradient in ``grad_outputs`` (the result is then the vector-Jacobian product
    ``sum_k grad_outputs[k] * d outputs[k] / d input``).  ``inputs``: Tensors that
    require grad (leaves or intermediate results).

    ``create_graph=True`` records the backward pass itself, so the returned
    gradients carry a graph and can be differentiated again (Hessian-vector
    products, gradient penalties, Newton steps); otherwise they are constants.
    ``retain_graph`` (default: ``create_graph``) keeps the forward graph for
    another backward.  An input the outputs do not depend on is an error, or
    ``None`` with ``allow_unused=True``.
    """
    outputs, inputs = _as_list(outputs), _as_list(inputs)
    grad_outputs = [None] * len(outputs) if grad_outputs is None else _as_list(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for k, x in enumerate(inputs):
        if not isinstance(x, Tensor) or not x.requires_grad:
            raise RuntimeError(f"grad: input {k} does not require grad; create it with "
                               f"requires_grad=True before computing the outputs")
    seeds = [_seed(o, g, k, create_graph) for k, (o, g) in enumerate(zip(outputs, grad_outputs))]
    retain = create_graph if retain_graph is None else retain_graph
    found = run_backward(outputs, seeds, retain_graph=retain, create_graph=create_graph,
                         capture=inputs)
    results = []
    for k, x in enumerate(inputs):
        g = found.get(id(x))
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {k} (shape {x.shape}) is not used to compute the "
                               f"outputs; pass allow_unused=True to get None for it")
        if g is not None and not create_graph:
            g = Tensor(np.array(g, dtype=x.dtype))  # a private copy, no graph
        results.append(g)
    return results
