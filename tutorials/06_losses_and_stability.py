"""Tutorial 6: losses and numerical stability.

Run it:  python tutorials/06_losses_and_stability.py
"""
import numpy as np

from tinygrad_keras import Tensor, objectives
from tinygrad_keras import backend as K
from tinygrad_keras.autodiff import functional as F

np.seterr(all="ignore")  # we *want* to see the naive formulas produce inf and nan

# --8<-- [start:per_sample]
# A Keras loss maps (y_true, y_pred) to one value per sample: it reduces the last axis
# only.  The training loop then averages over the batch.
y_true = Tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
y_pred = Tensor([[0.1, 0.8, 0.1], [0.3, 0.4, 0.3]])
for name in ("mse", "mae", "categorical_crossentropy", "kld", "cosine_proximity"):
    loss = objectives.get(name)(y_true, y_pred)
    print(f"{name:25s} shape {loss.shape}  values {np.round(loss.data, 4)}")
# --8<-- [end:per_sample]

# --8<-- [start:naive_softmax]
# The textbook softmax overflows: exp(10000) is inf, and inf / inf is nan.
logits = Tensor([[1e4, 0.0, -1e4]])
naive = logits.exp() / logits.exp().sum(axis=-1, keepdims=True)
print("naive softmax:", naive.data)
# Shifting by the row maximum changes nothing mathematically (the factor exp(-max)
# cancels) but keeps every exponent <= 0:
print("shifted softmax:", F.softmax(logits, axis=-1).data)
# --8<-- [end:naive_softmax]

# --8<-- [start:log_of_zero]
# Crossentropy needs log(p).  A probability that underflowed to 0 gives -inf, and
# 0 * -inf gives nan.  Keras 1 clips p to [eps, 1 - eps] (eps = K.epsilon() = 1e-7):
target = Tensor([[0.0, 0.0, 1.0]])
p = F.softmax(logits, axis=-1)
print("naive   -sum(t log p):", float((-(target * p.log()).sum()).data))
print("clipped (Keras 1 loss):", float(objectives.categorical_crossentropy(target, p).data[0]),
      "= -log(1e-7)")
# From logits, log-softmax computes log p = z - max - log(sum(exp(z - max))) directly:
# no exp that underflows, no log of 0, and the exact value.
print("from logits:           ", float(K.categorical_crossentropy(logits, target,
                                                                   from_logits=True).data[0]))
# --8<-- [end:log_of_zero]

# --8<-- [start:gradients]
# Clipping keeps the value finite but flattens it: where p is clipped, its gradient is 0,
# so a confidently wrong prediction stops learning.  The log-softmax route keeps the
# gradient softmax(z) - t, whatever the size of z.
z = Tensor([[30.0, 0.0, -30.0]], requires_grad=True)
objectives.categorical_crossentropy(target, F.softmax(z, axis=-1)).sum().backward()
print("grad through clipped probabilities:", np.round(z.grad, 4))
z.zero_grad()
K.categorical_crossentropy(z, target, from_logits=True).sum().backward()
print("grad through log-softmax:          ", np.round(z.grad, 4))
# --8<-- [end:gradients]

# --8<-- [start:sigmoid]
# Binary crossentropy on logits: labels all 1, logits from very wrong to very right.
x = Tensor(np.array([-1e4, 0.0, 1e4], dtype=np.float32))
ones = Tensor(np.ones(3, dtype=np.float32))
print("naive -log(1 / (1 + exp(-x))):", (-(1 / (1 + (-x).exp())).log()).data)
print("clipped sigmoid (Keras 1 loss):", K.binary_crossentropy(x.sigmoid(), ones).data)
print("from logits:                   ", K.binary_crossentropy(x, ones, from_logits=True).data)
# --8<-- [end:sigmoid]

# Exercise (see the docs page): write bce_with_logits in tutorials/solutions/06_losses_and_stability.py, then check it with
#   python -m pytest tests/docs/test_exercises.py -k tutorial06
