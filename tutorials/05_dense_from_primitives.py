# %% [markdown]
# # 5. A Dense layer from primitives
#
# A Keras `Dense` layer is `activation(x @ W + b)`: one matrix product, one broadcast
# addition, one elementwise function. This tutorial builds it three times: by hand on
# Tensors with a hand-written training loop, as a Keras 1 custom layer, and as the
# built-in `Dense`, and checks that all three compute the same thing. The script is
# `tutorials/05_dense_from_primitives.py`.
#
# ## A problem that needs a hidden layer

# %%
import numpy as np

from tinygrad_keras import Tensor
from tinygrad_keras import backend as K
from tinygrad_keras.engine import Layer
from tinygrad_keras.layers import Activation, Dense
from tinygrad_keras.models import Sequential

np.random.seed(0)

# Two interleaved half-moons: not linearly separable, so a hidden layer is needed.
def moons(n: int) -> tuple:
    t = np.random.uniform(0, np.pi, n)
    upper = np.random.rand(n) < 0.5
    x = np.where(upper, np.cos(t), 1 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    X = np.stack([x, y], axis=1) + np.random.normal(0, 0.1, (n, 2))
    return X.astype("float32"), upper.astype("float32").reshape(n, 1)


X, Y = moons(400)
print("data:", X.shape, Y.shape)

# %% [markdown]
# ## By hand: weights, forward, loss, backward, update

# %%
# A Dense layer is activation(x @ W + b).  Weights are Tensors that require grad.
def glorot(n_in: int, n_out: int) -> Tensor:
    limit = np.sqrt(6.0 / (n_in + n_out))
    return K.variable(np.random.uniform(-limit, limit, (n_in, n_out)))


W1, b1 = glorot(2, 16), K.variable(np.zeros(16))
W2, b2 = glorot(16, 1), K.variable(np.zeros(1))
params = [W1, b1, W2, b2]


def forward(x: Tensor) -> Tensor:
    hidden = (x @ W1 + b1).tanh()            # (None, 2) -> (None, 16)
    return (hidden @ W2 + b2).sigmoid()      # (None, 16) -> (None, 1)


def bce(y_true: Tensor, y_pred: Tensor) -> Tensor:
    p = y_pred.clip(1e-7, 1 - 1e-7)          # keep log() finite
    return -(y_true * p.log() + (1 - y_true) * (1 - p).log()).mean()


x, y = Tensor(X), Tensor(Y)
for step in range(301):
    loss = bce(y, forward(x))
    for p in params:
        p.zero_grad()
    loss.backward()
    for p in params:
        p.data -= 0.5 * p.grad               # numpy on the array inside p: nothing recorded
    if step % 100 == 0:
        print(f"step {step:3d}  loss {float(loss.data):.4f}")
accuracy = float(((forward(x).data > 0.5) == (Y > 0.5)).mean())
print(f"by hand: training accuracy {accuracy:.3f}")

# %% [markdown]
# Everything a training loop does is here:
#
# - **weights** are Tensors with `requires_grad=True` (`K.variable` makes them);
# - **forward**: `x @ W1 + b1` has shape `(None, 16)`; the bias `(16,)` broadcasts over the
#   batch, and tutorial 3 explains why its gradient is a sum over the batch;
# - **loss**: binary crossentropy, with `clip` so that `log` never sees 0 (tutorial 6);
# - **backward**, after clearing the gradients of the previous step (they accumulate);
# - **update**: `p.data` is the numpy array inside the Tensor `p`, so `p.data -= ...` is
#   plain numpy arithmetic, which the engine never sees: nothing is recorded and `p` stays
#   the same Tensor, the one `forward` uses in the next step. (Writing `p = p - 0.5 * p.grad`
#   instead would be a Tensor operation: it makes a *new* Tensor and rebinds the name `p`
#   to it, while `W1` still holds the old one. The same goes for `W1 -= ...` on a Tensor:
#   `-=` rebinds. Update `.data`.)
#
# ## The two gradients of a matrix product
#
# The backward pass above went through `x @ W1`. Where do its two gradients come from?
# Write $Y = XW$ with $X$ of shape $N \times D$ (a batch of $N$ rows), $W$ of shape
# $D \times M$, and let $G = \partial L / \partial Y$ be the upstream gradient, $N \times M$
# like $Y$. Each output element is a sum of products,
#
# $$Y_{nm} = \sum_{d} X_{nd} W_{dm} .$$
#
# $W_{dm}$ appears in every row $n$ of column $m$, multiplied by $X_{nd}$; $X_{nd}$ appears
# in every column $m$ of row $n$, multiplied by $W_{dm}$. The chain rule sums over those
# uses:
#
# $$\frac{\partial L}{\partial W_{dm}} = \sum_n G_{nm} X_{nd}
#   \quad\Longrightarrow\quad \frac{\partial L}{\partial W} = X^{\top} G
#   \qquad (D \times M),$$
#
# $$\frac{\partial L}{\partial X_{nd}} = \sum_m G_{nm} W_{dm}
#   \quad\Longrightarrow\quad \frac{\partial L}{\partial X} = G\, W^{\top}
#   \qquad (N \times D).$$
#
# The shapes are a good memory aid: the gradient of a weight has the weight's shape, and
# there is only one way to multiply $X$ (or $W$) with $G$ to get it. The bias $b$ of
# $XW + b$ is broadcast over the $N$ rows, so its gradient is $G$ summed over the rows
# (tutorial 3). These are the lines `MatMul.backward` computes; checked here on the
# trained network's first layer:

# %%
h = x @ W1
h.retain_grad()
for p in params:
    p.zero_grad()
out = (h + b1).tanh() @ W2 + b2
bce(y, out.sigmoid()).backward()
G = h.grad                                    # dL/dY for Y = x @ W1, shape (400, 16)
print("dL/dW1 == x^T G:", np.allclose(W1.grad, X.T @ G, atol=1e-6))
print("dL/db1 == G summed over the batch:", np.allclose(b1.grad, G.sum(axis=0), atol=1e-6))
print("dL/dx  == G W1^T has the shape of x:", (G @ W1.data.T).shape == X.shape)

# %% [markdown]
# ## The same as a Keras 1 custom layer

# %%
class MyDense(Layer):
    """``x @ W + b`` as a Keras 1 layer.

    Input shape ``(None, input_dim)``, output shape ``(None, output_dim)``;
    weights ``[W (input_dim, output_dim), b (output_dim,)]``.
    """

    def __init__(self, output_dim, **kwargs):
        self.output_dim = output_dim
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.W = self.add_weight((input_shape[-1], self.output_dim), "glorot_uniform",
                                 name=f"{self.name}_W")
        self.b = self.add_weight((self.output_dim,), "zero", name=f"{self.name}_b")

    def call(self, x, mask=None):
        return x @ self.W + self.b

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], self.output_dim)

    def get_config(self):
        return dict(super().get_config(), output_dim=self.output_dim)


model = Sequential([MyDense(16, input_shape=(2,)), Activation("tanh"),
                    MyDense(1), Activation("sigmoid")])
model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
model.set_weights([p.data for p in params])   # start from the hand-trained weights
print("Sequential of MyDense, same weights: accuracy",
      round(model.evaluate(X, Y, verbose=0)[1], 3))

# %% [markdown]
# A custom layer is written exactly as in Keras 1.2.2: `__init__` stores its settings and
# passes the rest (`input_shape`, `name`, ...) to `Layer`; `build(input_shape)` creates
# the weights with `add_weight`; `call(x)` is the forward pass on Tensors; and
# `get_output_shape_for` tells the model the output shape without running anything. No
# gradient code: the engine differentiates whatever `call` composes.
#
# ## The built-in Dense

# %%
builtin = Sequential([Dense(16, input_dim=2, activation="tanh"),
                      Dense(1, activation="sigmoid")])
builtin.set_weights(model.get_weights())
same = np.allclose(builtin.predict(X), model.predict(X), atol=1e-6)
print("built-in Dense gives the same predictions:", same)
print("weights:", [(w.name, w.shape) for w in builtin.layers[0].trainable_weights])

# %% [markdown]
# `Dense` is the same computation plus options (`init`, `activation`, regularizers,
# constraints, `bias=False`). Its weights are named `<layer>_W` and `<layer>_b`, in that
# order, as in Keras 1.2.2, so `get_weights`/`set_weights` and weight files line up.
#
# One difference shows in its graph: the built-in `Dense` records `x @ W + b` as a single
# op, `Linear` (in `autodiff/ops/fused.py`), not as `MatMul` then `Add`, and a relu
# activation (or a classifier's softmax) goes into the same op. The reason is speed: in a
# small network each recorded op costs more bookkeeping than arithmetic. Its backward is
# the three lines above ($G W^{\top}$, $X^{\top} G$, $G$ summed over the rows), and a test
# checks that it gives the numbers of the `MatMul`, `Add`, `Relu` (or `Softmax`) composite
# to the last bit.

# %%
hidden = builtin.layers[0](Tensor(X[:4].astype("float32")))
print("built-in Dense records:", hidden.op, "<-", hidden.parents[0].op)

# %% [markdown]
#
# ## Exercise
#
# Write `ScaleShift` in `tutorials/exercises/05_dense_from_primitives.py`: a layer with a
# learnable per-feature gain `gamma` (initialised to ones) and offset `beta` (zeros),
# computing `gamma * x + beta` for inputs of any rank. The check runs the Keras layer
# contract (`layer_test`: shapes, weights round trip, config round trip, first layer of a
# Sequential), checks the forward pass with given weights, and checks that it learns:
#
# ```bash
# python -m tinygrad_keras.exercises check 5
# ```
#
# The reference answer is in `tutorials/solutions/05_dense_from_primitives.py`; read it after your own attempt passes.
