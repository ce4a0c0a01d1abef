"""Tutorial 17: debugging gradients with the inspection tools.

A deep sigmoid network barely learns; the same network with relu does.  We find out
why by looking inside: the graph of the loss, the trace of one training step, norms
recorded every epoch, and where the time goes.

Run it:  python tutorials/17_debugging_gradients.py   (writes .dot files; .svg with Graphviz)
"""
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

# --8<-- [start:data]
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
# --8<-- [end:data]

# --8<-- [start:graph]
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
# --8<-- [end:graph]

# --8<-- [start:trace]
# One training step, traced: forward statistics and gradient norms per layer.
# Nothing is updated; the weights' .grad are left as they were.
trace = sigmoid_net.explain_step(X[:64], Y[:64])
print(trace)
# --8<-- [end:trace]

# --8<-- [start:compare]
# The same numbers as data: how much smaller is the first layer's weight gradient
# than the last hidden layer's?
for name, model in (("sigmoid", sigmoid_net), ("relu", relu_net)):
    rows = model.explain_step(X[:64], Y[:64]).layers
    first, last = rows[0].weights[0].grad_norm, rows[-2].weights[0].grad_norm
    print(f"{name:8s} |grad W| first {first:.2e}  last hidden {last:.2e}  ratio {first / last:.1e}")
# --8<-- [end:compare]

# --8<-- [start:callbacks]
# Norms every epoch, in History: watch the first and last hidden layers train.
model = deep_mlp("sigmoid")
history = model.fit(X, Y, batch_size=64, nb_epoch=3, verbose=0,
                    callbacks=[WeightNormLogger(), GradientNormLogger()])
first, last = model.layers[0].W.name, model.layers[-2].W.name
print(history_table(history, ["loss", f"{first}_grad_norm", f"{last}_grad_norm"]))
# plot_history(history, "curves.png") draws these curves when matplotlib is installed
# --8<-- [end:callbacks]

# --8<-- [start:profile]
# Where does the time of one step go?  Every op, forward and backward, timed.
with profile_ops() as prof:
    relu_net.train_on_batch(X[:64], Y[:64])
print(prof.summary(top=6))
# --8<-- [end:profile]
