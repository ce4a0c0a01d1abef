# %% [markdown]
# # 6. Losses and numerical stability
#
# A loss turns predictions into one number to minimise. The formulas are short; the
# difficulty is that `exp` overflows, `log(0)` is `-inf`, and `0 * inf` is `nan`, and one
# `nan` in one batch ruins every weight it touches. This tutorial shows each failure and
# the rewrite that avoids it. The script is `tutorials/06_losses_and_stability.py`.
#
# ## One value per sample

# %%
import numpy as np

from tinygrad_keras import Tensor, objectives
from tinygrad_keras import backend as K
from tinygrad_keras.autodiff import functional as F

np.seterr(all="ignore")  # we *want* to see the naive formulas produce inf and nan

# A Keras loss maps (y_true, y_pred) to one value per sample: it reduces the last axis
# only.  The training loop then averages over the batch.
y_true = Tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
y_pred = Tensor([[0.1, 0.8, 0.1], [0.3, 0.4, 0.3]])
for name in ("mse", "mae", "categorical_crossentropy", "kld", "cosine_proximity"):
    loss = objectives.get(name)(y_true, y_pred)
    print(f"{name:25s} shape {loss.shape}  values {np.round(loss.data, 4)}")

# %% [markdown]
# Every Keras loss (`tinygrad_keras.objectives`, names as in Keras 1: `mse`, `mae`, `mape`,
# `msle`, `squared_hinge`, `hinge`, `binary_crossentropy`, `categorical_crossentropy`,
# `sparse_categorical_crossentropy`, `kld`, `poisson`, `cosine_proximity`) reduces the last
# axis only and returns shape `(None,)`; `fit` averages over the batch (with sample
# weights, if given) and adds the regularization penalties.
#
# ## Softmax: shift before you exponentiate

# %%
# The textbook softmax overflows: exp(10000) is inf, and inf / inf is nan.
logits = Tensor([[1e4, 0.0, -1e4]])
naive = logits.exp() / logits.exp().sum(axis=-1, keepdims=True)
print("naive softmax:", naive.data)
# Shifting by the row maximum changes nothing mathematically (the factor exp(-max)
# cancels) but keeps every exponent <= 0:
print("shifted softmax:", F.softmax(logits, axis=-1).data)

# %% [markdown]
# `softmax(z) = softmax(z - c)` for any constant `c`; with `c = max(z)` the largest
# exponent is `exp(0) = 1`, and nothing overflows. `F.softmax` and `F.log_softmax` are
# primitives that do this.
#
# ## Crossentropy: never take log of 0

# %%
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

# %% [markdown]
# Keras 1 models end in `Activation('softmax')` and the loss sees probabilities, so the
# loss clips them to `[1e-7, 1 - 1e-7]`: the value is capped at `-log(1e-7) ≈ 16.1`. Given
# the logits instead, `log_softmax` computes the exact value, 20000 here, without ever
# forming the tiny probability.
#
# ## Clipping flattens the gradient

# %%
# Clipping keeps the value finite but flattens it: where p is clipped, its gradient is 0,
# so a confidently wrong prediction stops learning.  The log-softmax route keeps the
# gradient softmax(z) - t, whatever the size of z.
z = Tensor([[30.0, 0.0, -30.0]], requires_grad=True)
objectives.categorical_crossentropy(target, F.softmax(z, axis=-1)).sum().backward()
print("grad through clipped probabilities:", np.round(z.grad, 4))
z.zero_grad()
K.categorical_crossentropy(z, target, from_logits=True).sum().backward()
print("grad through log-softmax:          ", np.round(z.grad, 4))

# %% [markdown]
# (The library records that renormalise-clip-log-sum as one op, `CategoricalCrossentropy`
# in `autodiff/ops/fused.py`, to save per-op bookkeeping; in training, with the default
# sample weights, the mean over the batch goes into it too. A test checks it gives the
# numbers of those separate steps to the last bit, clipped gradients included.)
#
# Where a probability was clipped, the loss no longer depends on it, so its gradient is
# zero: a badly wrong, saturated prediction stops learning. The log-softmax route keeps
# the textbook gradient `softmax(z) - t`. (This is one reason frameworks after Keras 1
# fuse softmax into the loss.)
#
# ### Why the gradient is p − y
#
# With logits $z$ (one row, $K$ classes), probabilities $p_k = e^{z_k} / \sum_j e^{z_j}$
# and a one-hot target $y$ (or any $y$ with $\sum_k y_k = 1$), the crossentropy is
#
# $$L = -\sum_k y_k \log p_k = -\sum_k y_k z_k + \log \sum_j e^{z_j} ,$$
#
# because $\log p_k = z_k - \log \sum_j e^{z_j}$ and the $y_k$ add up to 1. The first term
# is linear in $z$; the derivative of the log-sum-exp is the softmax itself:
#
# $$\frac{\partial L}{\partial z_i} = -y_i + \frac{e^{z_i}}{\sum_j e^{z_j}} = p_i - y_i .$$
#
# Going through softmax and log separately, the chain rule multiplies the softmax Jacobian
# $\partial p_k / \partial z_i = p_k(\delta_{ki} - p_i)$ by $-y_k / p_k$, and the $p_k$
# cancel to give the same $p - y$. That cancellation is exact in algebra but not in
# floating point: when $p_k$ underflowed to 0, $-y_k / p_k$ is infinite. Computing
# $\log p$ with log-softmax keeps the gradient $p - y$, bounded by 1 in every entry.
#
# ## Sigmoid and binary crossentropy

# %%
# Binary crossentropy on logits: labels all 1, logits from very wrong to very right.
x = Tensor(np.array([-1e4, 0.0, 1e4], dtype=np.float32))
ones = Tensor(np.ones(3, dtype=np.float32))
print("naive -log(1 / (1 + exp(-x))):", (-(1 / (1 + (-x).exp())).log()).data)
print("clipped sigmoid (Keras 1 loss):", K.binary_crossentropy(x.sigmoid(), ones).data)
print("from logits:                   ", K.binary_crossentropy(x, ones, from_logits=True).data)

# %% [markdown]
# `sigmoid` here is computed as `(1 + tanh(x/2)) / 2`, which never overflows. The stable
# binary crossentropy on logits uses the identity
# `-log sigmoid(z) = max(-z, 0) + log(1 + exp(-|z|))`.
#
# The project's rule (decision 4 in the spec): **losses never produce NaN or inf for finite
# inputs**, and where the Keras 1.2.2 formula is finite the value agrees with it.
#
# ## Exercise
#
# Write `bce_with_logits(y_true, logits)` in `tutorials/exercises/06_losses_and_stability.py`
# from Tensor operations only (no new primitive, no numpy on the values): elementwise binary
# crossentropy of `sigmoid(logits)`, finite for logits of ±1e4 in float32, with the gradient
# `sigmoid(z) - t` there. The check compares it with the naive formula on moderate values,
# runs gradcheck, and tries the extremes:
#
# ```bash
# python -m tinygrad_keras.exercises check 6
# ```
#
# The reference answer is in `tutorials/solutions/06_losses_and_stability.py`; read it after your own attempt passes.
