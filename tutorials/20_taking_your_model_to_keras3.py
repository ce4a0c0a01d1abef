# %% [markdown]
# # Taking your model to Keras 3
#
# This library speaks the Keras 1 API so that you can read every line of it.
# Keras 3 is the Keras of today: the same ideas (layers, `compile`, `fit`),
# run by JAX, TensorFlow or PyTorch, on GPUs and TPUs.  A model you built and
# trained here moves there in one call, keeps its predictions and keeps
# training; and a Keras 3 model comes back here to be taken apart.
#
# **This page needs Keras 3** with a backend, e.g. `pip install "keras>=3" "jax[cpu]"`
# (the project's `keras3` extra).  Without it the page cannot run; its test is
# skipped.
#
# `model.save(path)` decides by the extension, as Keras 3 does: `.h5` writes
# the Keras 1.2.2 HDF5 file of tutorial 16, `.keras` writes a Keras 3 archive.

# %%
import io
import json
import os
import zipfile

os.environ.setdefault("KERAS_BACKEND", "jax")  # Keras 3 reads this when it is imported

import h5py
import numpy as np

from tinygrad_keras.engine.keras3_mapping import Keras3MappingError
from tinygrad_keras.layers import Dense
from tinygrad_keras.models import Sequential, load_model
from tinygrad_keras.optimizers import Adam

np.random.seed(0)

# %% [markdown]
# ## The quick-start model, trained here
#
# The quick-start guide's first model: 100 features in, 10 classes out,
# compiled with `rmsprop` as in the guide.

# %%
x = np.random.random((300, 100)).astype("float32")
labels = (x[:, :10].argmax(axis=1))            # a learnable rule: which of the first ten is largest
y = np.eye(10, dtype="float32")[labels]

model = Sequential([Dense(32, activation="relu", input_dim=100),
                    Dense(10, activation="softmax")])
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x, y, nb_epoch=10, batch_size=32, verbose=0)
print(f"after 10 epochs here: loss {history.history['loss'][-1]:.3f}, "
      f"accuracy {history.history['acc'][-1]:.2f}")

# %% [markdown]
# ## Exact, or refused
#
# The export never changes what the model computes.  Where Keras 3 computes
# something else under the same name, it refuses and says why.  RMSprop is such
# a case: Keras 1 divides the step by $\sqrt{a} + \epsilon$, Keras 3 by
# $\sqrt{a + \epsilon}$, so training would continue differently.

# %%
try:
    model.save("quickstart.keras")
except Keras3MappingError as err:
    print("refused:", err)

# %% [markdown]
# Adam updates identically in both versions.  Compiling again keeps the
# weights (only the optimizer starts afresh), so we switch to Adam, train two
# more epochs here, and export.

# %%
model.compile(optimizer=Adam(lr=0.002), loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(x, y, nb_epoch=2, batch_size=32, verbose=0)
model.save("quickstart.keras")
ours = model.predict(x[:5])
print("saved quickstart.keras:", os.path.getsize("quickstart.keras"), "bytes")

# %% [markdown]
# ## What is inside
#
# A `.keras` file is a zip archive: `config.json` (the layers under their Keras 3
# names: `output_dim` became `units`, `init` became `kernel_initializer`, plus the
# compile configuration), `metadata.json`, and `model.weights.h5`, where each
# layer's arrays sit in a group named after its Keras 3 class.

# %%
with zipfile.ZipFile("quickstart.keras") as archive:
    print("members:", archive.namelist())
    config = json.loads(archive.read("config.json"))
    weights = archive.read("model.weights.h5")
for layer in config["config"]["layers"]:
    print(f"  {layer['class_name']:<11} {layer['name']:<16}",
          {k: v for k, v in layer["config"].items() if k in ("units", "activation")})
print("compile_config:", config["compile_config"]["optimizer"]["class_name"],
      config["compile_config"]["loss"], config["compile_config"]["metrics"])
with h5py.File(io.BytesIO(weights), "r") as f:
    f.visititems(lambda name, obj: print("  ", name, getattr(obj, "shape", "")))

# %% [markdown]
# Most layers map one to one.  Two need care, and the exporter handles them:
#
# * **LSTM and GRU** keep one `W`, `U`, `b` per gate in Keras 1 (gates listed
#   i, c, f, o); Keras 3 joins them into one kernel with the gates in the order
#   i, f, c, o, and Keras 1's GRU is Keras 3's `GRU(reset_after=False)`.
# * **hard_sigmoid**, the default gate activation of Keras 1's LSTM and GRU, is
#   $\mathrm{clip}(0.2x + 0.5, 0, 1)$ in Keras 1 but
#   $\mathrm{clip}(x/6 + 0.5, 0, 1)$ in Keras 3.  Since
#   $0.2x = (1.2x)/6$, the Keras 1 gate equals the Keras 3 gate applied to
#   $1.2x$: the exporter multiplies the gate columns of the kernels and bias by
#   1.2, and the model predicts exactly what it did here.  The function is the
#   same, the parametrisation is not: a gradient step of plain SGD on a column
#   scaled by 1.2 moves the original weight by $1/1.44$ of the step Keras 1
#   would take, so further training of those gate weights takes slightly
#   different steps.

# %% [markdown]
# ## In Keras 3: the same predictions, one more epoch
#
# This cell imports the real Keras 3 (here with the JAX backend).

# %%
import keras  # Keras 3, imported after its backend was chosen

k3_model = keras.saving.load_model("quickstart.keras")
theirs = np.asarray(k3_model(x[:5], training=False))
print("Keras", keras.__version__, "on", keras.backend.backend())
print("largest difference in predictions:", float(np.abs(theirs - ours).max()))
k3_history = k3_model.fit(x, y, epochs=1, batch_size=32, verbose=0)
print(f"one more epoch in Keras 3: loss {k3_history.history['loss'][-1]:.3f}")

# %% [markdown]
# Keras 3 prints a warning that it skipped the optimizer's variables: the export
# carries the optimizer's settings, not its moment estimates, so Adam starts
# them afresh there.
#
# ## What Keras 3 adds
#
# * **Backends**: the same model runs on JAX, TensorFlow or PyTorch; set
#   `KERAS_BACKEND` before importing `keras`.
# * **Accelerators**: on a machine with a GPU or TPU the backend uses it, with
#   no change to the model code; `jit_compile` turns the training step into one
#   compiled program.
# * **Distribution**: `keras.distribution` spreads training over several
#   devices, by splitting the batch (`DataParallel`) or the weights
#   (`ModelParallel`).
#
# ## And back again
#
# A Keras 3 model whose layers have a Keras 1 equivalent with the same
# mathematics loads here with `load_model`; any other layer is refused by name,
# and no code is run from the file.

# %%
k3_model.save("trained_in_keras3.keras")
back = load_model("trained_in_keras3.keras")
print("back here:", type(back).__name__, [type(la).__name__ for la in back.layers])
print("same predictions as Keras 3:",
      np.allclose(back.predict(x[:5]), np.asarray(k3_model(x[:5], training=False)),
                  rtol=1e-5, atol=1e-6))

# %% [markdown]
# ## Exercise
#
# Write the two pieces of the hard-sigmoid conversion, in
# `tutorials/exercises/20_taking_your_model_to_keras3.py`:
#
# 1. `keras3_hard_sigmoid(x)`: Keras 3's hard sigmoid, $\mathrm{clip}(x/6 + 0.5, 0, 1)$,
#    on a numpy array.
# 2. `fold_lstm_gates(kernel, units)`: given a fused LSTM kernel in Keras 3's gate
#    order i, f, c, o (shape `(rows, 4 * units)`), return a copy in which the
#    columns of the three gates that use the hard sigmoid are multiplied by 1.2,
#    and the cell-candidate columns are left alone.
#
# Check your answer with `python -m tinygrad_keras.exercises check 20`.
