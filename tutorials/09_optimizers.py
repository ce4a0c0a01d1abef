# %% [markdown]
# # 9. Optimizers side by side
#
# After `backward()`, every trainable weight holds its gradient in `.grad`. An optimizer
# turns gradients into updates: `optimizer.update(params)` changes each parameter's `.data`
# in place, under `no_grad`, following the Keras 1.2.2 rule of that optimizer. The script
# is `tutorials/09_optimizers.py`.
#
# ## One step by hand

# %%
import matplotlib.pyplot as plt
import numpy as np

from tinygrad_keras import backend as K
from tinygrad_keras.datasets import digits
from tinygrad_keras.layers import Dense
from tinygrad_keras.models import Sequential
from tinygrad_keras.optimizers import SGD, Adadelta, Adagrad, Adam, Adamax, Nadam, RMSprop
from tinygrad_keras.utils.np_utils import to_categorical

# An optimizer only ever sees parameters whose .grad holds the gradient, and updates
# their .data in place (under no_grad).  One SGD step with momentum, by hand:
w = K.variable(np.array([1.0, -2.0]), name="w")
loss = (w * w).sum()               # gradient 2w = [2, -4]
loss.backward()
sgd = SGD(lr=0.1, momentum=0.9)
sgd.update([w])
print("after one SGD step:", w.data, "= w - 0.1 * 2w")

# %% [markdown]
# With momentum, the first step equals plain SGD (the velocity starts at zero); later
# steps add `momentum` times the previous step.
#
# ## One problem, eight optimizers
#
# The same small network (64-32-10 on the bundled digits), the same initial weights, the
# same shuffling; only the optimizer changes, each with its Keras 1.2.2 default settings:

# %%
(X, y), (X_test, y_test) = digits.load_data()
X = X.reshape(len(X), 64).astype("float32") / 16
Y = to_categorical(y, 10)

np.random.seed(0)
template = Sequential([Dense(32, input_dim=64, activation="tanh"),
                       Dense(10, activation="softmax")])
start = template.get_weights()           # every optimizer starts from these weights

# %%
optimizers = {
    "SGD": SGD(),
    "SGD momentum nesterov": SGD(lr=0.01, momentum=0.9, nesterov=True),
    "RMSprop": RMSprop(),
    "Adagrad": Adagrad(),
    "Adadelta": Adadelta(),
    "Adam": Adam(),
    "Adamax": Adamax(),
    "Nadam": Nadam(),
}
EPOCHS = 8
curves = {}
for name, optimizer in optimizers.items():
    np.random.seed(1)                     # the same shuffling for everyone
    model = Sequential([Dense(32, input_dim=64, activation="tanh"),
                        Dense(10, activation="softmax")])
    model.set_weights(start)
    model.compile(optimizer=optimizer, loss="categorical_crossentropy")
    history = model.fit(X, Y, nb_epoch=EPOCHS, batch_size=32, verbose=0)
    curves[name] = history.history["loss"]

print("\ntraining loss per epoch (digits, Dense 64-32-10, batch 32, default settings)")
print(f"{'optimizer':24s}" + "".join(f"{e:>7d}" for e in range(1, EPOCHS + 1)))
for name, losses in sorted(curves.items(), key=lambda kv: kv[1][-1]):
    print(f"{name:24s}" + "".join(f"{v:7.3f}" for v in losses))

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for name, losses in curves.items():
    ax.plot(range(1, EPOCHS + 1), losses, label=name)
ax.set(xlabel="epoch", ylabel="training loss", yscale="log",
       title="Keras 1 optimizers, default settings, same start")
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
fig.tight_layout()
plt.show()

# %% [markdown]
# | optimizer | Keras 1.2.2 rule, per parameter `p` with gradient `g` | defaults |
# |---|---|---|
# | `SGD` | `v = momentum·v − lr·g`; `p += v` (nesterov: `p += momentum·v − lr·g`) | `lr=0.01, momentum=0` |
# | `RMSprop` | `a = rho·a + (1−rho)·g²`; `p −= lr·g / (√a + ε)` | `lr=0.001, rho=0.9` |
# | `Adagrad` | `a += g²`; `p −= lr·g / (√a + ε)` | `lr=0.01` |
# | `Adadelta` | `a = rho·a + (1−rho)·g²`; `Δ = g·√(d + ε) / √(a + ε)`; `p −= lr·Δ`; `d = rho·d + (1−rho)·Δ²` | `lr=1.0, rho=0.95` |
# | `Adam` | `m`, `v` moving averages of `g`, `g²`; `p −= lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε)` | `lr=0.001, β₁=0.9, β₂=0.999` |
# | `Adamax` | `u = max(β₂·u, |g|)`; `p −= lr/(1−β₁ᵗ) · m / (u + ε)` | `lr=0.002` |
# | `Nadam` | Adam with Nesterov momentum and a momentum schedule | `lr=0.002` |
#
# All take `clipnorm` (rescale a gradient whose L2 norm exceeds it) and `clipvalue` (clip
# each element), and all but Nadam take `decay` (`lr / (1 + decay·iterations)`). The
# hyper-parameters are variables: `K.get_value(model.optimizer.lr)` reads the learning
# rate and `K.set_value` changes it between epochs, which is what the
# `LearningRateScheduler` and `ReduceLROnPlateau` callbacks do.
#
# Default settings are not tuned settings: plain SGD at `lr=0.01` is slow here, and
# Adadelta's `lr=1.0` is meant to be left alone. Which optimizer "wins" depends on the
# problem and on tuning; the point of the race is to see how differently the same
# gradients can be used.
#
# ## Exercise
#
# Write `adam_step(p, g, m, v, t)` in `tutorials/exercises/09_optimizers.py`: one Keras 1.2.2
# Adam update in plain numpy, returning the new `(p, m, v)`. The check runs three steps of
# `tinygrad_keras.optimizers.Adam` on a parameter whose gradient changes every step and
# compares:
#
# ```bash
# python -m tinygrad_keras.exercises check 9
# ```
#
# The reference answer is in `tutorials/solutions/09_optimizers.py`; read it after your own attempt passes.
