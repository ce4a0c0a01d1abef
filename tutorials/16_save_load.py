"""Tutorial 16: saving, loading and resuming; what is inside the HDF5 file.

Run it:  python tutorials/16_save_load.py   (writes a few .h5 files in the current folder)
"""
import json
import os

import h5py
import numpy as np

from tinygrad_keras.callbacks import ModelCheckpoint
from tinygrad_keras.layers import Dense, Input, Lambda, merge
from tinygrad_keras.models import Model, Sequential, load_model, model_from_json
from tinygrad_keras.optimizers import Adam

np.random.seed(0)

# --8<-- [start:train_and_save]
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
# --8<-- [end:train_and_save]

# --8<-- [start:walk]
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
# --8<-- [end:walk]

# --8<-- [start:resume]
# Training continues exactly where it stopped: same weights, same Adam moments and
# iteration count, so the next steps give the same losses as an uninterrupted run.
uninterrupted = [model.train_on_batch(x, y)[0] for _ in range(3)]
resumed_model = load_model("xor.h5")
resumed = [resumed_model.train_on_batch(x, y)[0] for _ in range(3)]
print("uninterrupted:", np.round(uninterrupted, 6))
print("resumed:      ", np.round(resumed, 6))
print("identical:", uninterrupted == resumed)
# --8<-- [end:resume]

# --8<-- [start:weights_only]
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
# --8<-- [end:weights_only]

# --8<-- [start:json]
# The architecture alone, as JSON (to_yaml works too when PyYAML is installed).
architecture = model.to_json()
fresh = model_from_json(architecture)        # new, randomly initialised weights
fresh.load_weights("xor_weights.h5")
print("JSON + weights == model:", np.allclose(fresh.predict(x), model.predict(x)))
# --8<-- [end:json]

# --8<-- [start:safety]
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
# --8<-- [end:safety]

# --8<-- [start:checkpoint]
# ModelCheckpoint saves during fit; the file name can use the epoch and any logged value.
checkpoint = ModelCheckpoint("ckpt.{epoch:02d}-{val_loss:.3f}.h5", monitor="val_loss",
                             save_best_only=True)
model.fit(x, y, nb_epoch=4, batch_size=16, validation_split=0.25, verbose=0,
          callbacks=[checkpoint])
print("checkpoints:", sorted(f for f in os.listdir(".") if f.startswith("ckpt.")))
# --8<-- [end:checkpoint]
