"""The Tensor: a numpy array that remembers how it was made.

Every Tensor computed from Tensors that require a gradient records the op that
made it (``t.op``, a readable name such as ``'Mul'``) and its parents
(``t.parents``, in argument order).  ``loss.backward()`` walks that record
backwards (see ``engine.py``) and *adds* d loss / d leaf into each leaf's
``.grad``, like PyTorch: gradients accumulate until you call ``zero_grad()``.

>>> from tinygrad_keras import Tensor
>>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> y = (x * x).sum()
>>> y.op, [p.op for p in y.parents]
('Sum', ['Mul'])
>>> y.backward()
>>> x.grad.tolist()
[2.0, 4.0, 6.0]

Gradients of gradients: ``tinygrad_keras.autodiff.grad(loss, x, create_graph=True)``
returns d loss / d x as a Tensor with a graph of its own, which can be
differentiated again (see ``engine.py`` and ``function.py``).

Dtypes: a numpy array keeps its dtype; Python numbers and lists become float32
(Keras ``floatx``).  Python scalars mixed into an op take the Tensor's dtype, so
float32 stays float32 and float64 (used by gradient checks) stays float64.
"""
from __future__ import annotations

import numpy as np

from .grad_mode import _state
from .row_grad import RowGrad

FLOATX = np.float32

REBIND_HINT = ("If a parameter was updated with `w -= lr * w.grad`: `-=` on a Tensor rebinds "
               "the name w to a new Tensor computed from the old one (with no .grad of its own, "
               "and under no_grad without requires_grad). Update the values in place instead: "
               "`w.data -= lr * w.grad`.")


class RebindHint:
    """What ``.grad`` holds on a Tensor made by ``w -= ...`` (``+=``, ``*=`` ...) from a
    parameter: it behaves like None (falsy) but any arithmetic on it raises a
    TypeError that explains the rebinding, instead of "'float' and 'NoneType'"."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "None  # " + REBIND_HINT

    def _explain(self, *args):
        raise TypeError(f".grad is None on this Tensor. {REBIND_HINT}")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _explain
    __truediv__ = __rtruediv__ = __neg__ = __array__ = __getitem__ = _explain


def _to_array(data, dtype=None) -> np.ndarray:
    if isinstance(data, np.ndarray):
        return data if dtype is None or data.dtype == dtype else data.astype(dtype)
    if isinstance(data, np.generic):
        return np.asarray(data, dtype=dtype)
    arr = np.asarray(data, dtype=dtype)
    if dtype is None and arr.dtype.kind in "fiub":
        arr = arr.astype(FLOATX) if arr.dtype.kind != "b" else arr
    return arr


class Tensor:
    """A numpy array plus the record of the op that produced it."""

    __slots__ = (
        "__weakref__",
        "_fn",
        "_grad",
        "_op_name",
        "_retains_grad",
        "data",
        "name",
        "requires_grad",
    )
    __array_priority__ = 100  # numpy defers `ndarray + Tensor` to Tensor.__radd__

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        if isinstance(data, Tensor):
            data = data.data
        self.data = _to_array(data, dtype)
        self._grad = None
        self.requires_grad = bool(requires_grad)
        self.name = name
        self._fn = None
        self._op_name = None
        self._retains_grad = False

    @classmethod
    def _from_op(cls, data: np.ndarray, fn) -> Tensor:
        """Wrap an op's result without copying; ``fn`` is None when nothing is recorded."""
        t = cls.__new__(cls)
        t.data = data if isinstance(data, np.ndarray) else np.asarray(data)
        t._grad = None
        t.requires_grad = fn is not None
        t.name = None
        t._fn = fn
        t._op_name = fn.name if fn is not None else None
        t._retains_grad = False
        return t

    @property
    def grad(self):
        """d loss / d self (a numpy array of this shape), or None before a backward.

        An Embedding table's gradient may be held as its looked-up rows
        (``row_grad.py``); it becomes the dense array here, the first time it is read."""
        g = self._grad
        if type(g) is RowGrad:
            g = self._grad = g.dense()
        return g

    @grad.setter
    def grad(self, value) -> None:
        self._grad = value

    # ---- the record -------------------------------------------------------------
    @property
    def op(self) -> str | None:
        """Name of the op that made this Tensor (None for leaves and untracked results)."""
        return self._op_name

    @property
    def parents(self) -> tuple:
        """The Tensors this one was computed from, in argument order (empty once released)."""
        return self._fn.parents if self._fn is not None else ()

    @property
    def is_leaf(self) -> bool:
        return self._fn is None

    def _release(self) -> None:
        self._fn = None

    def retain_grad(self) -> Tensor:
        """Also store ``.grad`` on this intermediate result during backward."""
        self._retains_grad = True
        return self

    # ---- array facts --------------------------------------------------------------
    shape = property(lambda self: self.data.shape)
    ndim = property(lambda self: self.data.ndim)
    dtype = property(lambda self: self.data.dtype)
    size = property(lambda self: self.data.size)

    def __len__(self) -> int:
        return len(self.data)

    def numpy(self) -> np.ndarray:
        return self.data

    def __array__(self, dtype=None, copy=None):
        """``np.asarray(t)`` gives the values (no graph: numpy functions do not record)."""
        arr = self.data if dtype is None else self.data.astype(dtype, copy=False)
        return arr.copy() if copy else arr

    def item(self):
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def detach(self) -> Tensor:
        """The same values, cut off from the graph (shares memory)."""
        return Tensor(self.data)

    def zero_grad(self) -> None:
        self.grad = None

    def astype(self, dtype) -> Tensor:
        from .ops.elementwise import Cast
        return Cast.apply(self, dtype=np.dtype(dtype))

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", threshold=20, precision=4)
        extra = f", dtype={self.dtype}"
        if self._op_name:
            extra += f", op={self._op_name}"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        if self.name:
            extra += f", name={self.name!r}"
        return f"Tensor({body}{extra})"

    def __bool__(self):
        return bool(self.data)

    def __float__(self):
        return float(self.data)

    def __int__(self):
        return int(self.data)

    def __hash__(self):
        return id(self)

    # ---- backward ---------------------------------------------------------------
    def backward(self, grad=None, retain_graph: bool = False,
                 create_graph: bool = False) -> None:
        """Add d self / d leaf into ``.grad`` of every leaf that requires grad.

        ``grad`` is the upstream gradient; it may be omitted only for a scalar.
        The graph is released as the pass goes (pass ``retain_graph=True`` to
        call backward on it again).  ``create_graph=True`` records the backward
        pass too and keeps the graph; ``.grad`` still receives plain arrays, so
        use :func:`tinygrad_keras.autodiff.grad` to get gradients you can
        differentiate again.
        """
        if not self.requires_grad:
            raise RuntimeError("backward() on a Tensor that does not require grad: no input "
                               "that was used had requires_grad=True (or it ran under no_grad). "
                               + REBIND_HINT)
        if self._fn is None and self._op_name is not None:
            raise RuntimeError(f"backward() through a graph that was already released (this "
                               f"{self._op_name} result was backpropagated before); pass "
                               f"retain_graph=True to the first backward() to reuse it")
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(f"backward() without a gradient needs a scalar output; this "
                                   f"one has shape {self.shape}. Pass grad= of that shape, or "
                                   f"reduce it first (e.g. .sum()).")
            grad = np.ones(self.data.shape, self.data.dtype)
        elif isinstance(grad, Tensor) and create_graph:
            grad = grad if grad.dtype == self.dtype else grad.astype(self.dtype)
        else:
            grad = _to_array(grad.data if isinstance(grad, Tensor) else grad, self.dtype)
        if grad.shape != self.shape:
            raise ValueError(f"backward(grad): grad has shape {grad.shape}, "
                             f"the output has shape {self.shape}")
        if create_graph and not isinstance(grad, Tensor):
            grad = Tensor(grad)
        engine.backward(self, grad, retain_graph=retain_graph, create_graph=create_graph)

    # ---- helpers used by the operator methods ----------------------------------
    def _lift(self, other) -> Tensor:
        """Turn a number or array into a constant; a float Tensor imposes its dtype on it."""
        if isinstance(other, Tensor):
            return other
        if type(other) is float and self.data.dtype.kind == "f":  # the common `x * 0.5`
            return Tensor._from_op(np.array(other, dtype=self.data.dtype), None)
        arr = np.asarray(other)
        if arr.dtype.kind in "fiub" and self.data.dtype.kind == "f":
            arr = arr.astype(self.data.dtype)
        elif arr.dtype.kind == "f" and self.data.dtype.kind in "iub":
            arr = arr.astype(FLOATX)
        return Tensor(arr)


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """Shorthand for ``Tensor(data, requires_grad, dtype)``."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def is_recording() -> bool:
    return _state["enabled"]


def _install_methods() -> None:
    """Give Tensor its operators and numpy/PyTorch-style methods (called once by the
    package ``__init__`` after ``functional`` is loaded, so import order is free)."""
    from . import functional as F

    def rev(fn):
        return lambda self, other: fn(self._lift(other), self)

    ops = {
        "__add__": F.add, "__radd__": rev(F.add), "__sub__": F.sub, "__rsub__": rev(F.sub),
        "__mul__": F.mul, "__rmul__": rev(F.mul), "__truediv__": F.div,
        "__rtruediv__": rev(F.div), "__pow__": F.pow, "__rpow__": rev(F.pow),
        "__matmul__": F.matmul, "__rmatmul__": rev(F.matmul), "__neg__": F.neg,
        "__getitem__": F.getitem, "__abs__": F.abs,
        "exp": F.exp, "log": F.log, "sin": F.sin, "cos": F.cos, "sqrt": F.sqrt, "abs": F.abs, "tanh": F.tanh,
        "sigmoid": F.sigmoid, "relu": F.relu, "sum": F.sum, "mean": F.mean, "max": F.max,
        "min": F.min, "argmax": F.argmax, "argmin": F.argmin, "transpose": F.transpose,
        "matmul": F.matmul, "clip": F.clip, "maximum": F.maximum, "minimum": F.minimum,
        "broadcast_to": F.broadcast_to, "square": F.square, "reshape": F.reshape,
        "squeeze": F.squeeze, "expand_dims": F.expand_dims, "unsqueeze": F.expand_dims,
        "split": F.split, "pad": F.pad, "repeat": F.repeat, "tile": F.tile, "flip": F.flip,
        "prod": F.prod, "softmax": F.softmax, "log_softmax": F.log_softmax,
        "permute": lambda self, *axes: F.transpose(self, _axes_arg(axes)),
        "flatten": lambda self: F.reshape(self, (-1,)),
    }
    for name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
                 "__truediv__", "__rtruediv__", "__pow__", "__rpow__", "__matmul__",
                 "__rmatmul__"):
        ops[name] = _stepping_aside(ops[name])
    for name, fn in ops.items():
        setattr(Tensor, name, fn)
    # In-place operators rebind instead of mutating: `x -= m` makes a new node,
    # so Tensors that were already recorded in a graph are never corrupted.
    for name in ("add", "sub", "mul", "truediv", "pow", "matmul"):
        setattr(Tensor, f"__i{name}__", _rebinding(ops[f"__{name}__"]))
    Tensor.T = property(lambda self: F.transpose(self))
    for name, np_op in (("__lt__", np.less), ("__le__", np.less_equal), ("__gt__", np.greater),
                        ("__ge__", np.greater_equal), ("__eq__", np.equal),
                        ("__ne__", np.not_equal)):
        setattr(Tensor, name, _comparison(np_op))


def _stepping_aside(op):
    """``op``, except that it returns NotImplemented for an operand that declares
    ``_defer_tensor_operators`` (a symbolic tensor of the floor above), so Python asks
    that operand's reflected operator instead (``Tensor + KerasTensor``)."""
    def binary(self, other):
        if other.__class__ is not Tensor and getattr(other, "_defer_tensor_operators", False):
            return NotImplemented
        return op(self, other)
    binary.__name__, binary.__doc__ = getattr(op, "__name__", "binary"), op.__doc__
    return binary


def _rebinding(op):
    def inplace(self, other):
        out = op(self, other)
        if out is NotImplemented:
            return out
        if self._fn is None and self.requires_grad:  # a parameter rebound by `w -= ...`
            out.grad = RebindHint()
        return out
    inplace.__doc__ = "Rebinds the name to a new Tensor (see ``RebindHint``)."
    return inplace


def _axes_arg(axes: tuple):
    """Accept both ``t.permute(1, 0)`` and ``t.permute((1, 0))``."""
    return tuple(axes[0]) if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes


def _comparison(np_op):
    def compare(self, other):
        other = other.data if isinstance(other, Tensor) else other
        return Tensor(np_op(self.data, other))  # a mask: no gradient
    compare.__doc__ = f"Elementwise {np_op.__name__} as a boolean Tensor (no gradient)."
    return compare



# Imported last: the engine's modules use Tensor (defined above) themselves.
from . import engine
