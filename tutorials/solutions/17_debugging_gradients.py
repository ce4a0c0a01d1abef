"""Exercise 17 (reference answer): each layer's kernel-gradient norm, by hand.

Checked by: python -m tinygrad_keras.exercises check 17 --solution
"""
import numpy as np

from tinygrad_keras import Tensor, objectives


def kernel_grad_norms(model, x, y) -> list:
    """L2 norm of d loss / d kernel (each layer's first trainable weight), in layer order.

    The loss is the model's compiled loss, averaged over the batch; one eager forward
    (calling the model on a Tensor records the graph), one ``backward()``.  The
    weights are not changed, and their ``.grad`` is cleared afterwards.
    """
    for w in model.trainable_weights:
        w.grad = None
    out = model(Tensor(np.asarray(x, dtype="float32")))
    loss = objectives.get(model.loss)(Tensor(np.asarray(y, dtype="float32")), out).mean()
    loss.backward()
    norms = [float(np.linalg.norm(layer.trainable_weights[0].grad))
             for layer in model.layers if layer.trainable_weights]
    for w in model.trainable_weights:
        w.grad = None
    return norms
