# %% [markdown]
# # 17. Debugging gradients: seeing inside a model
#
# A network that does not learn rarely says why. This page takes a deep network of
# sigmoid layers that stays at chance level, and finds the reason with four tools:
# the graph of the loss, the trace of one training step, norms recorded every epoch,
# and an op profiler. The script is `tutorials/17_debugging_gradients.py`.
#
# ## The symptom
#
# Nine `Dense` layers on the bundled 8×8 digits, trained the same way; only the
# activation differs:

# %%
import matplotlib.pyplot as plt
import numpy as np

from tinygrad_keras.autodiff.profiler import profile_ops
from tinygrad_keras.autodiff.viz import graphviz_available, render_dot
from tinygrad_keras.callbacks import GradientNormLogger, WeightNormLogger
from tinygrad_keras.datasets import digits
from tinygrad_keras.engine.inspection import model_graph_dot
from tinygrad_keras.layers import Dense
from tinygrad_keras.models import Sequential
from tinygrad_keras.optimizers import SGD
from tinygrad_keras.utils.np_utils import to_categorical
from tinygrad_keras.utils.plotting import history_table
from tinygrad_keras.utils.visualize_util import plot

(X, y), _ = digits.load_data()
X = X.reshape(len(X), 64).astype("float32") / 16
Y = to_categorical(y, 10)


def deep_mlp(activation: str, depth: int = 8, seed: int = 0) -> Sequential:
    """``depth`` Dense layers of 32 units, then a softmax over the 10 digits."""
    np.random.seed(seed)
    model = Sequential([Dense(32, input_dim=64, activation=activation)])
    for _ in range(depth - 1):
        model.add(Dense(32, activation=activation))
    model.add(Dense(10, activation="softmax"))
    model.compile(SGD(lr=0.1), "categorical_crossentropy", metrics=["accuracy"])
    return model


sigmoid_net, relu_net = deep_mlp("sigmoid"), deep_mlp("relu")
for name, model in (("sigmoid", sigmoid_net), ("relu", relu_net)):
    history = model.fit(X, Y, batch_size=64, nb_epoch=10, verbose=0)
    print(f"{name:8s} accuracy after 10 epochs: {history.history['acc'][-1]:.2f}")

# %% [markdown]
# The sigmoid network stays near 10% (chance for ten classes) while the relu one learns.
#
# ## The graph of a loss, one box per layer
#
# `model_graph_dot(model, x, y)` runs one batch and writes Graphviz DOT text of every
# recorded Tensor from the inputs to the loss. A layer's ops (and its weights, filled
# yellow) sit in a box with the layer's name; the loss and its constants are in the box
# `loss`; a recurrent layer gets one box per time step as well. `visualize_util.plot` is
# the Keras 1 picture of the layers themselves.

# %%
# What does one loss look like?  A small model, drawn with a box per layer.
np.random.seed(0)
small = Sequential([Dense(4, input_dim=64, activation="sigmoid"),
                    Dense(10, activation="softmax")])
small.compile("sgd", "categorical_crossentropy")
dot = model_graph_dot(small, X[:2], Y[:2])
render_dot(dot, "loss_graph.dot")
print("loss graph:", dot.count(" -> "), "edges;",
      "boxes:", [line.split('"')[1] for line in dot.splitlines() if "subgraph" in line])
plot(small, to_file="layers.dot", show_shapes=True)     # the Keras 1 layer picture
if graphviz_available():
    render_dot(dot, "loss_graph.svg")

# %% [markdown]
# `.dot` files need nothing installed; for `.svg`/`.png` the Graphviz `dot` program must
# be there (`apt-get install graphviz`, `brew install graphviz`), and without it you get
# exactly that advice. The DOT text can also be pasted into any online Graphviz viewer.
#
# How does the recording work? While `model_graph_dot` runs, each layer of the model gets
# a `run` attribute on the instance that calls the class's `run` and notes the Tensors it
# returned. Walking back from those outputs to the layer's inputs gives the layer's ops.
# The attributes are removed afterwards: training never pays for it.
#
# ## One step, traced
#
# `model.explain_step(x, y)` does the forward and backward pass of one batch and reports,
# per layer, the statistics of its output and the norms of the gradients (of the output,
# and of each weight). It does not update anything, and it leaves every weight's `.grad`
# as it was.

# %%
# One training step, traced: forward statistics and gradient norms per layer.
# Nothing is updated; the weights' .grad are left as they were.
trace = sigmoid_net.explain_step(X[:64], Y[:64])
print(trace)

# %% [markdown]
# Read the `|grad out|` column from the bottom up: it is the norm of the gradient arriving at
# each layer's output, and each sigmoid layer passes on about a quarter of it. The
# derivative of the sigmoid is $\sigma'(a) = \sigma(a)(1 - \sigma(a)) \le 1/4$, with the
# maximum at $a = 0$, and the outputs here sit around 0.5, where it is close to that
# maximum. By the chain rule, going back through one layer multiplies the gradient by
# $\mathrm{diag}(\sigma')\,W^\top$; with weights of moderate size, the $\sigma'$ factor wins.
# The `|grad w|` column shrinks too, but less regularly, because a weight's gradient is
# $x^\top G$ (tutorial 5): it also depends on the layer's input $x$. After eight layers the
# first layer gets a gradient ten thousand times smaller than the last hidden one: it does
# not move, so the layers above it learn from noise.
#
# The same numbers are data (`trace.layers`, `trace.weight_grad_norms()`,
# `trace.to_dict()`), so the factors can be computed rather than read off:

# %%
def per_layer_factors(model) -> tuple:
    """For each hidden layer: how much smaller |grad out| and |grad W| are than one layer up."""
    rows = model.explain_step(X[:64], Y[:64]).layers
    grad_out = np.array([row.output_grad_norm for row in rows])
    grad_w = np.array([row.weights[0].grad_norm for row in rows])
    return grad_out[1:-1] / grad_out[:-2], grad_w[1:-1] / grad_w[:-2], grad_out, grad_w


norms = {}
for name, model in (("sigmoid", sigmoid_net), ("relu", relu_net)):
    out_factor, w_factor, grad_out, grad_w = per_layer_factors(model)
    norms[name] = (grad_out, grad_w)
    print(f"{name:8s} one layer down divides |grad out| by {out_factor.min():.1f} to "
          f"{out_factor.max():.1f}, |grad W| by {w_factor.min():.1f} to {w_factor.max():.1f}")
    print(f"{'':8s} first layer's |grad W| / last hidden layer's: {grad_w[0] / grad_w[-2]:.1e}")

# %% [markdown]
# So the clean factor of four is in `|grad out|`; in `|grad W|` the factor per layer
# varies around it. With relu the derivative is 1 wherever a unit is active, and the
# factor per layer stays close to 1 in both columns; over the eight layers it does not
# compound into vanishing (here the first layer's weight gradient even comes out a little
# *larger* than the last hidden one's). The same table as a picture, the norms of every
# layer on a log scale:

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
layers = np.arange(1, len(norms["sigmoid"][0]) + 1)
for ax, (column, label) in zip(axes, ((0, "|grad out|"), (1, "|grad W| (kernel)"))):
    for name, marker in (("sigmoid", "o"), ("relu", "s")):
        ax.semilogy(layers, norms[name][column], marker=marker, label=name)
    ax.set(xlabel="layer (1 = first, 9 = softmax output)", title=label, xticks=layers)
    ax.grid(True, which="major", alpha=0.3)
axes[0].set_ylabel("norm (log scale)")
axes[0].legend(loc="lower right")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Norms over training
#
# `WeightNormLogger` and `GradientNormLogger` add one entry per weight to the epoch logs,
# so they land in `History` (`dense_1_W_norm`, `dense_1_W_grad_norm`: the gradient norm
# averaged over the epoch's batches). `plot_history(history, "curves.png")` writes loss,
# metric and norm curves (training and validation side by side) to a file when matplotlib
# is installed, and prints the same numbers as a table when it is not.

# %%
# Norms every epoch, in History: watch the first and last hidden layers train.
model = deep_mlp("sigmoid")
history = model.fit(X, Y, batch_size=64, nb_epoch=3, verbose=0,
                    callbacks=[WeightNormLogger(), GradientNormLogger()])
first, last = model.layers[0].W.name, model.layers[-2].W.name
print(history_table(history, ["loss", f"{first}_grad_norm", f"{last}_grad_norm"]))

# %% [markdown]
# ## Where the time goes
#
# `profile_ops()` times every op, forward and backward, while its block runs, and
# `summary()` is the table: count, total milliseconds, mean microseconds, share of the
# time. `profile_ops(verbose=True)` prints each op as it runs. To profile a whole script
# without changing it, set `TINYGRAD_KERAS_DEBUG=1` (summary at exit) or `=2` (every op
# too). Outside a profiling block `Function.apply` is the plain one, so the profiler
# costs nothing when it is off.

# %%
# Where does the time of one step go?  Every op, forward and backward, timed.
with profile_ops() as prof:
    relu_net.train_on_batch(X[:64], Y[:64])
print(prof.summary(top=6))

# %% [markdown]
# ```python
# from tinygrad_keras import Tensor
# from tinygrad_keras.autodiff.profiler import profile_ops
#
# x = Tensor([[1.0, 2.0]], requires_grad=True)
# with profile_ops(verbose=True) as prof:
#     (x @ x.transpose()).sum().backward()
# print(prof.counts())
# ```
#
# ## Exercise
#
# Write `kernel_grad_norms(model, x, y)` in `tutorials/exercises/17_debugging_gradients.py`:
# the L2 norm of the gradient of each layer's kernel (its first trainable weight), in
# layer order, computed yourself: call the model on a `Tensor` (that records the graph),
# apply the compiled loss (`objectives.get(model.loss)`), average over the batch,
# `backward()`, read `.grad`. Leave the weights unchanged and the gradients cleared. The
# check compares your numbers with `explain_step` on sigmoid and relu networks:
#
# ```bash
# python -m tinygrad_keras.exercises check 17
# ```
#
# The reference answer is in `tutorials/solutions/17_debugging_gradients.py`; read it after your own attempt passes.
