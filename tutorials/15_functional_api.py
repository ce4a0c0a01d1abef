# %% [markdown]
# # 15. The functional API: two inputs, two outputs, a residual block
#
# A `Sequential` model is a chain. Anything else (several inputs, several outputs, a branch
# that comes back, a layer used twice) is written with the functional API, as in Keras 1:
# `Input` gives a symbolic tensor, calling a layer on symbolic tensors gives new ones, and
# `Model(input=..., output=...)` takes the graph between them. The script is
# `tutorials/15_functional_api.py`.
#
# ## Symbolic tensors

# %%
import numpy as np

from tinygrad_keras.layers import (
    LSTM,
    Convolution2D,
    Dense,
    Embedding,
    Input,
    TimeDistributed,
    merge,
)
from tinygrad_keras.models import Model
from tinygrad_keras.optimizers import RMSprop
from tinygrad_keras.utils.visualize_util import model_to_dot, plot

np.random.seed(0)

# Input returns a symbolic tensor: a shape (batch axis None) and a history, no numbers.
headline = Input(shape=(12,), dtype="int32", name="headline")
print(headline)

# Calling a layer on it builds the layer's weights from the shape and returns another
# symbolic tensor; nothing is computed yet.
embedded = Embedding(input_dim=40, output_dim=8, input_length=12)(headline)
print("embedded:", embedded.shape)

# %% [markdown]
# A symbolic tensor (`KerasTensor`) holds a shape and its history: which layer made it, at
# which call (the *node*), and which of that call's outputs it is. Calling a layer on one
# builds the layer (its weights need only the input shape), works out the output shape and
# records a `Node`; no number is computed. The model later runs those nodes in order on real
# `Tensor`s, so training is the same autodiff as everywhere else in the project.
#
# ## A model with two inputs and two outputs

# %%
# Two inputs (a headline, 5 extra numbers) and two outputs (the main prediction and an
# auxiliary one taken straight after the LSTM, which helps the lower layers learn).
encoded = LSTM(6)(embedded)
aux_output = Dense(1, activation="sigmoid", name="aux_output")(encoded)
extra = Input(shape=(5,), name="extra")
joined = merge([encoded, extra], mode="concat")           # (None, 6) + (None, 5) -> (None, 11)
hidden = Dense(8, activation="relu")(joined)
main_output = Dense(1, activation="sigmoid", name="main_output")(hidden)

model = Model(input=[headline, extra], output=[main_output, aux_output])
model.compile(optimizer=RMSprop(lr=0.01),
              loss={"main_output": "binary_crossentropy", "aux_output": "binary_crossentropy"},
              loss_weights={"main_output": 1.0, "aux_output": 0.2}, metrics=["accuracy"])
print(model.metrics_names)

# %% [markdown]
# Naming the `Input`s and the output layers pays off: `loss`, `loss_weights` and `metrics`
# can be dicts keyed by output name, and data can be dicts keyed by input and output names.
# The total loss is `1.0 * main_output_loss + 0.2 * aux_output_loss`, and the logs carry one
# entry per output (`main_output_loss`, `aux_output_acc`, ...), the Keras 1.2.2 names.

# %%
# A toy task: the label says whether word 1 appears in the headline.
words = np.random.randint(1, 40, (200, 12))
words[:100, 3] = 1
words[100:][words[100:] == 1] = 2
labels = (words == 1).any(axis=1).astype("float32")[:, None]
numbers = np.random.random((200, 5))
history = model.fit({"headline": words, "extra": numbers},
                    {"main_output": labels, "aux_output": labels},
                    nb_epoch=10, batch_size=20, verbose=0)
for name in ("loss", "main_output_loss", "aux_output_loss", "main_output_acc"):
    values = history.history[name]
    print(f"{name:18s} first epoch {values[0]:.3f}  last {values[-1]:.3f}")
pick = [0, 150]                                                    # one with word 1, one without
main_pred, aux_pred = model.predict([words[pick], numbers[pick]])  # lists work too
print("labels", labels[pick].ravel(), "main", main_pred.ravel().round(2),
      "aux", aux_pred.ravel().round(2))

# %% [markdown]
# ## The layer graph

# %%
# The graph: layers in topological order, with what each one is connected to.
model.summary()
print([layer.name for layer in model.layers])
dot = model_to_dot(model, show_shapes=True)
with open("two_inputs.dot", "w") as f:
    f.write(dot)
print(dot.splitlines()[0], "...", len(dot.splitlines()), "lines of DOT")
try:                              # a picture when Graphviz is installed, else just the DOT file
    plot(model, to_file="two_inputs.png", show_shapes=True)
    print("drew two_inputs.png")
except (ImportError, OSError, RuntimeError) as err:
    print("no picture:", str(err).splitlines()[0])

# %% [markdown]
# `model.layers` lists the layers inputs first (a layer comes after every layer it depends
# on); the summary's last column says where each layer's input comes from, as
# `layer[node][tensor]`. `model_to_dot` writes the graph in Graphviz's DOT language (plain
# text, no dependency); `plot` renders it when the `dot` program is installed.
#
# ## A residual block

# %%
# A residual block: the block's output is its input plus what the convolutions add.
# 'same' padding keeps the shape, so x and y can be summed.
image = Input(shape=(3, 8, 8))
y = Convolution2D(3, 3, 3, border_mode="same", activation="relu")(image)
y = Convolution2D(3, 3, 3, border_mode="same")(y)
block_output = merge([image, y], mode="sum")
residual = Model(image, block_output)
branch = Model(image, y)            # the same layers (and weights), without the shortcut

pictures = np.random.random((2, 3, 8, 8)).astype("float32")
difference = residual.predict(pictures) - branch.predict(pictures)
print("residual - branch == input:", np.allclose(difference, pictures, atol=1e-6))
with open("residual.dot", "w") as f:
    f.write(model_to_dot(residual, show_shapes=True))

# %% [markdown]
# `merge([image, y], mode='sum')` adds the shortcut. The gradient of the sum reaches the
# input twice (through the shortcut and through the convolutions), and the engine adds both
# contributions. `branch` is a second model over the same layers: models share layers, so
# they share weights.
#
# ## Shared layers and models as layers

# %%
# A layer called twice shares its weights and gets one node per call.
shared = Dense(4, name="shared")
left, right = Input(shape=(3,)), Input(shape=(3,))
out_left, out_right = shared(left), shared(right)
print("nodes of shared:", len(shared.inbound_nodes),
      "| output 1 is right's:", shared.get_output_at(1) is out_right)

# A model is a layer too: call it on a new input, or on every timestep of a sequence.
encoder = Model(left, out_left)
sequence = Input(shape=(10, 3))
per_step = TimeDistributed(encoder)(sequence)
print("TimeDistributed(encoder):", per_step.shape)
steps = np.random.random((1, 10, 3)).astype("float32")
same = np.allclose(Model(sequence, per_step).predict(steps)[0, 4], encoder.predict(steps[:, 4])[0])
print("step 4 through the sequence model == through the encoder:", same)

# %% [markdown]
# One layer called on two inputs has two nodes: `get_output_at(i)` and
# `get_input_shape_at(i)` pick one (`layer.output` refuses to guess). A model called on a new
# input adds a node to the model; `TimeDistributed(model)` applies it to every timestep.
#
# ## Exercise
#
# Write `dense_residual(x, hidden_units)` in `tutorials/exercises/15_functional_api.py`: for
# a symbolic `(None, n)` tensor `x`, return `x + Dense(n)(Dense(hidden_units,
# activation='relu')(x))`, the fully connected form of the residual block above. The check
# builds a model from it, compares its predictions with numpy, and checks that one training
# step changes both Dense layers:
#
# ```bash
# python -m tinygrad_keras.exercises check 15
# ```
#
# The reference answer is in `tutorials/solutions/15_functional_api.py`; read it after your own attempt passes.
#
# ## What to read next
#
# [Tutorial 16](16_save_load.py) saves these models, loads them back and resumes their
# training.
