# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 18. Gradients of gradients
#
# A gradient is a function of the inputs like any other, so it has a gradient of its
# own: the second derivative.  Second derivatives give Hessian-vector products,
# Newton's method, and the *gradient penalty* that WGAN-GP adds to a loss.  This page
# shows why tinygrad_keras can differentiate a gradient at all, checks a
# Hessian-vector product against finite differences, runs Newton's method on a
# two-variable function, and trains a Keras 1 model with a gradient penalty.
#
# Run it: `python tutorials/18_gradients_of_gradients.py`

# %%
import inspect

import matplotlib.pyplot as plt
import numpy as np

from tinygrad_keras import Tensor
from tinygrad_keras.autodiff import grad
from tinygrad_keras.autodiff.ops.elementwise import Tanh

np.random.seed(0)

# %% [markdown]
# ## A backward built from the forward's own primitives
#
# Every primitive's `backward` computes the gradient of its inputs from the upstream
# gradient $g$ and the values the forward saw.  For $y = \tanh(x)$ the local
# derivative is $1 - y^2$, so the backward returns $g \, (1 - y^2)$:

# %%
print(inspect.getsource(Tanh.backward))

# %% [markdown]
# That line is written with `*` and `-`, which mean the same on numpy arrays and on
# Tensors.  In an ordinary `backward()` pass, `grad` and `self.output` are numpy arrays
# and the line is plain numpy.  Ask for `create_graph=True` and the engine hands the
# same line the graph's own Tensors instead: the output $y$ and a Tensor $g$.  Now the
# multiplication and the subtraction are *recorded*, like any forward computation, so
# the gradient comes back as a Tensor with a graph, and the chain rule can run through
# it again.  For $f(x) = \sum x^3$:
#
# $$\frac{\partial f}{\partial x} = 3x^2, \qquad
#   \frac{\partial}{\partial x} \sum 3x^2 = 6x, \qquad \frac{\partial}{\partial x} \sum 6x = 6.$$

# %%
x = Tensor([1.0, -2.0, 0.5], requires_grad=True, dtype=np.float64)
g, = grad((x * x * x).sum(), x, create_graph=True)
print("first derivative  3x^2:", g.tolist(), " (made by the op", g.op + ")")
h, = grad(g.sum(), x, create_graph=True)
print("second derivative 6x  :", h.tolist())
third, = grad(h.sum(), x)
print("third derivative  6   :", third.tolist())

# %% [markdown]
# `grad(outputs, inputs, create_graph=True)` is the function to use (PyTorch's
# `torch.autograd.grad`, same names).  `loss.backward()` still fills `.grad` with
# plain arrays, which is all first-order training needs, and stays as fast as
# before.  The fused LSTM/GRU cells keep an array-only backward for speed; they
# declare `first_order_only = True`, and differentiating their gradient again raises
# an error that names them instead of quietly returning zero.
#
# ## Hessian-vector products
#
# The Hessian $H$ of a function of $n$ variables is an $n \times n$ matrix: too big to
# build for a network.  But its product with a vector needs only two backward passes:
# $H v = \nabla_x \big( \nabla_x f(x) \cdot v \big)$, because $v$ does not depend on $x$.
# Check it on $f(x) = \sum \tanh(A x)^2$ against central finite differences of the
# gradient along $v$: $H v \approx (\nabla f(x + \epsilon v) - \nabla f(x - \epsilon v)) / 2\epsilon$.

# %%
A = np.random.randn(4, 3)


def f(t):
    return ((Tensor(A) @ t).tanh() ** 2).sum()


def gradient_at(point):
    t = Tensor(point, requires_grad=True)
    return grad(f(t), t)[0].data


def hessian_vector_product(fn, point, v):
    t = Tensor(point, requires_grad=True)
    g, = grad(fn(t), t, create_graph=True)  # a Tensor with a graph
    hv, = grad((g * Tensor(v)).sum(), t)     # differentiate g . v once more
    return hv.data


point, v = np.random.randn(3), np.random.randn(3)
eps = 1e-6
exact = hessian_vector_product(f, point, v)
numeric = (gradient_at(point + eps * v) - gradient_at(point - eps * v)) / (2 * eps)
print("Hv from two backward passes:", np.round(exact, 6))
print("Hv from finite differences :", np.round(numeric, 6))
print("largest difference:", float(np.abs(exact - numeric).max()))

# %% [markdown]
# ## Newton's method on two variables
#
# Gradient descent steps along $-\nabla f$ with a step size we have to choose.
# Newton's method fits a quadratic at the current point and jumps to its minimum:
#
# $$x_{k+1} = x_k - H(x_k)^{-1} \nabla f(x_k).$$
#
# With two variables the Hessian is $2 \times 2$: two Hessian-vector products, one per
# unit vector, give its two columns.  We minimise
# $f(x, y) = e^{x + 3y - 0.1} + e^{x - 3y - 0.1} + e^{-x - 0.1}$, a smooth convex function
# with its minimum at $x = -\tfrac{1}{2}\ln 2$, $y = 0$.


# %%
def smooth(t):
    x0, x1 = t[0], t[1]
    return (x0 + 3 * x1 - 0.1).exp() + (x0 - 3 * x1 - 0.1).exp() + (-x0 - 0.1).exp()


def hessian(fn, point):
    columns = [hessian_vector_product(fn, point, e) for e in np.eye(len(point))]
    return np.stack(columns, axis=1)


def newton_path(fn, start, steps):
    path = [np.asarray(start, dtype=np.float64)]
    for _ in range(steps):
        t = Tensor(path[-1], requires_grad=True)
        gradient = grad(fn(t), t)[0].data
        path.append(path[-1] - np.linalg.solve(hessian(fn, path[-1]), gradient))
    return path


def descent_path(fn, start, steps, lr=0.03):
    path = [np.asarray(start, dtype=np.float64)]
    for _ in range(steps):
        t = Tensor(path[-1], requires_grad=True)
        path.append(path[-1] - lr * grad(fn(t), t)[0].data)
    return path


minimum = np.array([-0.5 * np.log(2), 0.0])
start = np.array([1.0, 0.5])
newton, descent = newton_path(smooth, start, 6), descent_path(smooth, start, 6)
print("step | Newton distance to minimum | gradient descent (lr 0.03)")
for k, (a, b) in enumerate(zip(newton, descent)):
    print(f"{k:4d} | {np.linalg.norm(a - minimum):26.2e} | {np.linalg.norm(b - minimum):10.2e}")

# %% [markdown]
# Near the minimum Newton's method converges *quadratically*: the number of correct
# digits roughly doubles each step (steps 4 to 6 above), while gradient descent gains
# a constant factor per step.  It cannot take a bigger step either: with a learning
# rate of 0.05 it already diverges from this starting point, where the function is
# steep along $y$ and flat along $x$; Newton's step is scaled by the curvature in
# each direction.  The price is the Hessian, which is why deep learning uses it only
# through Hessian-vector products.
#
# ## A gradient penalty in Keras 1
#
# WGAN-GP keeps a critic's gradient with respect to its *input* close to norm 1 by
# adding $\lambda\,(\lVert \nabla_x D(x) \rVert - 1)^2$ to the loss.  In Keras 1 the loss
# closes over the model's `Input` and calls `K.gradients`, which returns a
# differentiable gradient, so the penalty's own gradient reaches the weights.  Here a
# small regression model learns $\sin$ on two inputs while its input-gradient norm is
# pushed towards 1; a metric that calls `K.gradients` too records the penalty every
# epoch.

# %%
import tinygrad_keras.backend as K
from tinygrad_keras.layers import Dense, Input
from tinygrad_keras.models import Model
from tinygrad_keras.optimizers import Adam

inp = Input(shape=(2,))
out = Dense(1)(Dense(16, activation="tanh")(Dense(16, activation="tanh")(inp)))
critic = Model(inp, out)


def gradient_penalty(y_true, y_pred):
    grads = K.gradients(K.sum(y_pred), [inp])[0]         # d y_pred / d input, per sample
    norm = K.sqrt(K.sum(K.square(grads), axis=1) + 1e-12)
    return K.square(norm - 1.0)


def penalised_mse(y_true, y_pred):
    return K.mean(K.square(y_pred - y_true), axis=-1) + 1.0 * gradient_penalty(y_true, y_pred)


X = np.random.uniform(-2, 2, (256, 2)).astype("float32")
Y = np.sin(X[:, :1] + X[:, 1:]).astype("float32")
critic.compile(Adam(lr=0.01), penalised_mse, metrics=[gradient_penalty])
history = critic.fit(X, Y, nb_epoch=15, batch_size=32, verbose=0)
penalty = history.history["gradient_penalty"]
print("gradient penalty, first and last epoch:", round(penalty[0], 4), round(penalty[-1], 4))

# %%
plt.figure(figsize=(5, 3))
plt.plot(range(1, len(penalty) + 1), penalty, marker="o")
plt.xlabel("epoch")
plt.ylabel("mean (|grad_x y| - 1)^2")
plt.title("The gradient penalty goes down")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Exercise
#
# Write `newton_step(f, x)` in `tutorials/exercises/18_gradients_of_gradients.py`:
# given a function `f` from a Tensor of shape `(2,)` to a scalar Tensor and a point
# `x` (a numpy array of shape `(2,)`), return the next Newton iterate
# $x - H(x)^{-1} \nabla f(x)$ as a numpy array.  Build the Hessian with
# `grad(..., create_graph=True)`.  Check your answer with
# `python -m tinygrad_keras.exercises check 18` (the checker is
# `tinygrad_keras/exercises/check_18.py`; its test is `tests/docs/test_tutorial_18.py`).
