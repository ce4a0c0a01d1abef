"""Exercise 17: your answer goes here (see the end of tutorials/17_debugging_gradients.py).

Replace each ``raise NotImplementedError(...)`` with your code, then check it from
the repository root:

    python -m tinygrad_keras.exercises check 17
"""
import numpy as np

from tinygrad_keras import Tensor, objectives


def kernel_grad_norms(model, x, y) -> list:
    """L2 norm of d loss / d kernel (each layer's first trainable weight), in layer order.

    The loss is the model's compiled loss, averaged over the batch; one eager forward
    (calling the model on a Tensor records the graph), one ``backward()``.  The
    weights are not changed, and their ``.grad`` is cleared afterwards.
    """
    raise NotImplementedError("one eager forward, the compiled loss, backward(); return each layer's kernel-gradient norm")
