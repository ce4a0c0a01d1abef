# %% [markdown]
# # 16. Saving, loading and resuming; what is inside the HDF5 file
#
# A trained model is worth keeping. Keras 1 keeps it in an HDF5 file, and tinygrad_keras
# writes the same layout, so files go both ways between the two. The script is
# `tutorials/16_save_load.py`.
#
# | call | what is stored | read back with |
# |---|---|---|
# | `model.save(path)` | architecture, weights, compile arguments, optimizer state | `load_model(path)` |
# | `model.save_weights(path)` | weights only | `model.load_weights(path, by_name=False)` |
# | `model.to_json()` / `to_yaml()` | architecture only (a string) | `model_from_json` / `model_from_yaml` |
#
# ## Train, then save everything

# %%
import json
import os

import h5py
import numpy as np

from tinygrad_keras.callbacks import ModelCheckpoint
from tinygrad_keras.layers import Dense, Input, Lambda, merge
from tinygrad_keras.models import Model, Sequential, load_model, model_from_json
from tinygrad_keras.optimizers import Adam

np.random.seed(0)

x = np.random.randn(64, 4).astype("float32")
y = (x[:, :1] * x[:, 1:2] > 0).astype("float32")        # a small XOR-like task


def make_model() -> Sequential:
    model = Sequential([Dense(8, input_dim=4, activation="tanh", name="hidden"),
                        Dense(1, activation="sigmoid", name="out")])
    model.compile(optimizer=Adam(lr=0.02), loss="binary_crossentropy", metrics=["accuracy"])
    return model


model = make_model()
history = model.fit(x, y, nb_epoch=30, batch_size=16, verbose=0)
print(f"loss after 30 epochs: {history.history['loss'][-1]:.3f}")
model.save("xor.h5")                 # architecture + weights + compile arguments + Adam's state
print("saved xor.h5,", os.path.getsize("xor.h5"), "bytes")

# %% [markdown]
# ## Inside the file

# %%
# An HDF5 file is a tree of groups (folders) and datasets (arrays), each with attributes.
def show(name, obj):
    depth = name.count("/")
    if isinstance(obj, h5py.Dataset):
        print("  " * depth + f"{name.split('/')[-1]}: {obj.dtype} {obj.shape}")
    else:
        print("  " * depth + f"{name.split('/')[-1]}/  attrs: {sorted(obj.attrs)}")


with h5py.File("xor.h5", "r") as f:
    print("root attrs:", sorted(f.attrs))
    print("keras_version:", f.attrs["keras_version"])
    f.visititems(show)
    layer_names = [n.decode() for n in f["model_weights"].attrs["layer_names"]]
    print("model_weights/layer_names:", layer_names)
    print("hidden's weight_names:", [n.decode() for n in
                                     f["model_weights/hidden"].attrs["weight_names"]])
    model_config = json.loads(f.attrs["model_config"].decode())
    training_config = json.loads(f.attrs["training_config"].decode())
print("model_config:", model_config["class_name"],
      [entry["class_name"] for entry in model_config["config"]])
print("training_config:", training_config["optimizer_config"], training_config["loss"])

# %% [markdown]
# The root holds three attributes of Keras 1.2.2 — `keras_version`, `model_config` (the
# JSON of `{'class_name', 'config'}`) and `training_config` (optimizer config, loss, metrics,
# loss weights, sample-weight mode) — and two groups:
#
# * `model_weights`: attribute `layer_names` (every layer, in order, also those without
#   weights), then one group per layer with attribute `weight_names` and one dataset per
#   weight. Names end in `:0`, as TensorFlow named them: our kernels are cross-correlation
#   kernels, like TensorFlow's. A Keras 1.2.2 file written on Theano has names without `:0`
#   and flipped kernels; loading flips them back.
# * `optimizer_weights`: Adam's state, in Keras 1.2.2 order: the iteration count, then the
#   first moments of every weight, then the second moments.
#
# Three additions that Keras 1.2.2 ignores: each dataset carries a `sha256` attribute and
# the root a `config_sha256`, so a bit flipped on disk or in a copy makes loading fail
# instead of giving wrong numbers; and `optimizer_weights/extra_state` keeps the state that
# 1.2.2 left out of the optimizer's weights (the update count that time decay needs in
# RMSprop, Adagrad and Adadelta, and Nadam's momentum schedule), so that resuming is exact for
# every optimizer.
#
# ## Resume training

# %%
# Training continues exactly where it stopped: same weights, same Adam moments and
# iteration count, so the next steps give the same losses as an uninterrupted run.
uninterrupted = [model.train_on_batch(x, y)[0] for _ in range(3)]
resumed_model = load_model("xor.h5")
resumed = [resumed_model.train_on_batch(x, y)[0] for _ in range(3)]
print("uninterrupted:", np.round(uninterrupted, 6))
print("resumed:      ", np.round(resumed, 6))
print("identical:", uninterrupted == resumed)

# %% [markdown]
# `load_model` rebuilds the layers from `model_config` (same names, so the trainable weights
# sort the same way), loads the weights, compiles with `training_config`, and gives the
# optimizer its saved moments and iteration count. Adam's bias correction depends on that
# count, so without it the first steps after loading would be too large.
#
# ## Weights only

# %%
# Weights only: the 1.2.2 save_weights layout (the model_weights group above, at the root).
model.save_weights("xor_weights.h5")
twin = make_model()
twin.load_weights("xor_weights.h5")          # matched by position among layers with weights
print("same predictions:", np.allclose(twin.predict(x), model.predict(x)))

# by_name: load only the layers whose names match, e.g. reuse 'hidden' under a new head
new_head = Sequential([Dense(8, input_dim=4, activation="tanh", name="hidden"),
                       Dense(3, activation="softmax", name="new_out")])
new_head.load_weights("xor_weights.h5", by_name=True)
print("hidden reused:", np.array_equal(new_head.layers[0].get_weights()[0],
                                       model.layers[0].get_weights()[0]))

# %% [markdown]
# By default, weights go to layers by position, counting only layers that have weights, so
# adding or removing an `Activation` or `Dropout` does not matter. With `by_name=True`, each
# layer of the file goes to the model's layers of the same name, and others are skipped: the
# way to reuse part of a trained model.
#
# ## Architecture only

# %%
# The architecture alone, as JSON (to_yaml works too when PyYAML is installed).
architecture = model.to_json()
fresh = model_from_json(architecture)        # new, randomly initialised weights
fresh.load_weights("xor_weights.h5")
print("JSON + weights == model:", np.allclose(fresh.predict(x), model.predict(x)))

# %% [markdown]
# ## Loading is safe

# %%
# No code is stored in a file.  A Lambda keeps only its function's name; loading needs
# the function itself, given in custom_objects.
def double(t):
    return t * 2


inp = Input(shape=(4,))
lam_model = Model(inp, merge([Lambda(double)(inp), Dense(4)(inp)], mode="sum"))
lam_model.compile("sgd", "mse")
lam_model.save("lambda.h5")
try:
    load_model("lambda.h5")
except ValueError as err:
    print("without custom_objects:", err)
lam_back = load_model("lambda.h5", custom_objects={"double": double})
print("with custom_objects:", np.allclose(lam_back.predict(x), lam_model.predict(x)))

# A damaged file is refused, and the model keeps every weight it had.
with open("xor_weights.h5", "rb") as f:
    raw = bytearray(f.read())
raw[len(raw) // 2] ^= 0xFF                    # one flipped byte
with open("damaged.h5", "wb") as f:
    f.write(bytes(raw))
before = twin.get_weights()
try:
    twin.load_weights("damaged.h5")
    print("the flipped byte was in unused space; the weights loaded whole")
except ValueError as err:
    print("refused:", str(err)[:100], "...")
print("weights unchanged:", all(np.array_equal(a, b) for a, b in zip(before, twin.get_weights())))

# %% [markdown]
# * **No code is run from a file.** Configs are JSON, layer classes are looked up by name,
#   and functions (a `Lambda`'s, a callable `Merge` mode, your own loss) come only from
#   `custom_objects`. A file cannot make Python run anything.
# * **All or nothing.** Every array is read and checked against the model (count, shapes,
#   checksum) before any weight changes. A wrong architecture, a truncated or corrupted file
#   raises a `ValueError` naming the file, the layer and the mismatch, and the model is as
#   it was.
# * **No half-written files.** Saving writes a temporary file in the same folder and renames
#   it over the target only when it is complete. A crash or a full disk leaves the old file.
#
# ## Checkpoints during training

# %%
# ModelCheckpoint saves during fit; the file name can use the epoch and any logged value.
checkpoint = ModelCheckpoint("ckpt.{epoch:02d}-{val_loss:.3f}.h5", monitor="val_loss",
                             save_best_only=True)
model.fit(x, y, nb_epoch=4, batch_size=16, validation_split=0.25, verbose=0,
          callbacks=[checkpoint])
print("checkpoints:", sorted(f for f in os.listdir(".") if f.startswith("ckpt.")))

# %% [markdown]
# `ModelCheckpoint` calls `model.save` (or `save_weights` with `save_weights_only=True`) at
# the end of an epoch. The file name is formatted with the 0-based `epoch` and the epoch's
# logs, and with `save_best_only=True` only a strictly better `monitor` value is saved.
#
# ## Exercise
#
# `load_weights(path, by_name=True)` refuses a file whose same-named layer has other shapes.
# Write `load_matching_weights(filepath, model)` in `tutorials/exercises/16_save_load.py`
# with `h5py` and the layout above: copy each layer of the file into the model's layer of
# the same name when every array has the expected shape, skip the others, and return the
# names of the layers loaded. It should read both `save_weights` and `save` files.
#
# ```bash
# python -m tinygrad_keras.exercises check 16
# ```
#
# The reference answer is in `tutorials/solutions/16_save_load.py`; read it after your own attempt passes.
