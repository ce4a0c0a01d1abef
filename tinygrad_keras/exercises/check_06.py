"""Exercise 6: ``bce_with_logits(y_true, logits)``, right and finite for any logit."""
import numpy as np

from tinygrad_keras import Tensor, gradcheck

from ._helpers import close, require


def check(module) -> None:
    bce = module.bce_with_logits
    rng = np.random.default_rng(2)
    z = rng.normal(scale=3, size=(5, 4))
    t = (rng.random((5, 4)) > 0.5).astype(float)
    p = 1 / (1 + np.exp(-z))
    expected = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    close(bce(Tensor(t), Tensor(z)).data, expected, "bce_with_logits for moderate logits",
          rtol=1e-10)
    require(gradcheck(lambda logits: bce(Tensor(t), logits), Tensor(z + 0.01, requires_grad=True)),
            "the gradient of bce_with_logits disagrees with finite differences")
    huge = Tensor(np.array([-1e4, 1e4, -1e4, 1e4], np.float32), requires_grad=True)
    labels = Tensor(np.array([1.0, 0.0, 0.0, 1.0], np.float32))
    with np.errstate(all="ignore"):
        out = bce(labels, huge)
        out.sum().backward()
    require(np.all(np.isfinite(out.data)) and np.all(np.isfinite(huge.grad)),
            f"logits of +-1e4 must give finite losses and gradients, got {out.data} and "
            f"{huge.grad} (never take exp of a large positive number)")
    close(out.data, [1e4, 1e4, 0.0, 0.0], "the loss at logits [-1e4, 1e4, -1e4, 1e4], "
          "labels [1, 0, 0, 1]")
    close(huge.grad, [-1.0, 1.0, 0.0, 0.0], "the gradient there (it is sigmoid(z) - t)")
    require(out.dtype == np.float32, f"float32 in must give float32 out, got {out.dtype}")
