"""Models exported to Keras 3 predict the same there, train there, and come back.

One Keras 3 process (JAX, CPU) per module keeps the CI time small: it loads
every exported model, predicts, trains the quick-start model one epoch, saves
each model again with Keras 3, and builds Keras 3 models of its own for the
reverse direction.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from tinygrad_keras.engine.keras3_mapping import Keras3MappingError
from tinygrad_keras.models import load_model

from .keras3_runner import run_keras3
from .model_catalog import CASES, build

# uncompiled models and Keras 3's default initializers are reported, and fine here
pytestmark = [pytest.mark.filterwarnings("ignore:No training configuration"),
              pytest.mark.filterwarnings("ignore:Keras 3 initializers")]

KERAS3_SCRIPT = r"""
import json, numpy as np, keras
L = keras.layers
names = json.load(open("cases.json"))
for name in names:
    m = keras.saving.load_model(name + ".keras")
    xs = [np.load(f"{name}_x{i}.npy") for i in range(len(m.inputs))]
    out = m(xs if len(xs) > 1 else xs[0], training=False)  # eager: no compile time
    for i, o in enumerate(out if isinstance(out, (list, tuple)) else [out]):
        np.save(f"{name}_k3_y{i}.npy", np.asarray(o))
    m.save(name + "_by_keras3.keras")
m = keras.saving.load_model("quickstart_mlp.keras")
x = np.load("quickstart_mlp_x0.npy")
before = m.evaluate(x, np.eye(3)[[0, 1, 2, 0, 1, 2]], verbose=0)
hist = m.fit(x, np.eye(3)[[0, 1, 2, 0, 1, 2]], epochs=1, verbose=0)
json.dump({"loss_before": before, "loss": hist.history["loss"]}, open("fit.json", "w"))

rng = np.random.default_rng(0)
def save(name, model, xs):
    model.save(name + ".keras")
    for i, x in enumerate(xs):
        np.save(f"{name}_x{i}.npy", x)
    out = model(xs if len(xs) > 1 else xs[0], training=False)
    for i, o in enumerate(out if isinstance(out, (list, tuple)) else [out]):
        np.save(f"{name}_y{i}.npy", np.asarray(o))
seq = rng.normal(size=(3, 5, 4)).astype("float32")
save("native_rnn", keras.Sequential([keras.Input((5, 4)), L.LSTM(3, return_sequences=True),
     L.GRU(3, reset_after=False, recurrent_activation="hard_sigmoid", return_sequences=True),
     L.Bidirectional(L.SimpleRNN(2)), L.Dense(2, activation="hard_sigmoid")]), [seq])
img = rng.normal(size=(2, 6, 6, 3)).astype("float32")
save("native_cnn", keras.Sequential([keras.Input((6, 6, 3)), L.Conv2D(4, 3, padding="same"),
     L.BatchNormalization(), L.Activation("relu"), L.MaxPooling2D(), L.Flatten(),
     L.Dropout(0.2), L.Dense(3, activation="softmax")]), [img])
a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
shared = L.Dense(3, activation="tanh")
y = L.Concatenate()([shared(a), shared(b), L.Multiply()([shared(a), shared(b)])])
fn = keras.Model([a, b], [L.Dense(1)(y), L.Dense(2, activation="sigmoid")(L.Add()([shared(a), shared(b)]))])
fn.compile(optimizer="adam", loss=["mse", "binary_crossentropy"])
save("native_functional", fn, [rng.normal(size=(3, 4)).astype("float32"),
                               rng.normal(size=(3, 4)).astype("float32")])
tokens = keras.Input((6,), dtype="int32")
masked = L.GRU(2, reset_after=False)(L.LSTM(3, return_sequences=True)(
    L.Dropout(0.1)(L.Embedding(10, 3, mask_zero=True)(tokens))))
save("native_masked", keras.Model(tokens, masked),
     [np.array([[1, 2, 3, 0, 0, 0], [4, 5, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6]], dtype="int32")])
save("native_embedding", keras.Sequential([keras.Input((5,), dtype="int32"),
     L.Embedding(10, 3), L.TimeDistributed(L.Dense(2)), L.GlobalAveragePooling1D()]),
     [rng.integers(0, 10, size=(3, 5)).astype("int32")])
"""
QUICKSTART_LABELS = np.eye(3, dtype="float32")[[0, 1, 2, 0, 1, 2]]
NATIVE = ("native_rnn", "native_cnn", "native_functional", "native_embedding", "native_masked")


def _predict(model, xs):
    out = model.predict(xs if len(xs) > 1 else xs[0])
    return out if isinstance(out, list) else [out]


@pytest.fixture(scope="module")
def keras3_results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keras3")
    expected = {}
    for name in CASES:
        model, xs = build(name)
        model.save(str(folder / f"{name}.keras"))
        for i, x in enumerate(xs):
            np.save(folder / f"{name}_x{i}.npy", x)
        expected[name] = (_predict(model, xs), xs)
        if name == "quickstart_mlp":
            expected["evaluate"] = model.evaluate(xs[0], QUICKSTART_LABELS, verbose=0)
    (folder / "cases.json").write_text(json.dumps(list(CASES)))
    run_keras3(KERAS3_SCRIPT, folder)
    return folder, expected


def _close(actual, wanted):
    for a, w in zip(actual, wanted):
        np.testing.assert_allclose(a, w, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name", list(CASES))
def test_keras3_predicts_what_we_predicted(keras3_results, name):
    folder, expected = keras3_results
    wanted, _ = expected[name]
    _close([np.load(folder / f"{name}_k3_y{i}.npy") for i in range(len(wanted))], wanted)


# Keras 3 writes masks as operations when it saves a model again: the mask of an
# Embedding(mask_zero=True) is read (Keras 1 propagates the same mask), Masking's is refused.
RESAVE_REFUSED = {"recurrent_sigmoid": "NotEqual"}


@pytest.mark.parametrize("name", list(CASES))
def test_a_file_saved_again_by_keras3_comes_back_the_same(keras3_results, name):
    folder, expected = keras3_results
    wanted, xs = expected[name]
    path = str(folder / f"{name}_by_keras3.keras")
    if name in RESAVE_REFUSED:
        with pytest.raises(Keras3MappingError, match=RESAVE_REFUSED[name]):
            load_model(path)
        return
    _close(_predict(load_model(path), xs), wanted)


@pytest.mark.parametrize("name", NATIVE)
def test_models_built_in_keras3_load_here_with_the_same_predictions(keras3_results, name):
    folder, _ = keras3_results
    model = load_model(str(folder / f"{name}.keras"))
    xs = sorted(folder.glob(f"{name}_x*.npy"))
    wanted = [np.load(p) for p in sorted(folder.glob(f"{name}_y*.npy"))]
    _close(_predict(model, [np.load(p) for p in xs]), wanted)


def test_keras3_scores_and_trains_the_exported_quickstart_model(keras3_results):
    """Same loss and accuracy as here before training (the compile config maps exactly),
    then one epoch of training there."""
    folder, expected = keras3_results
    fit = json.loads((folder / "fit.json").read_text())
    np.testing.assert_allclose(fit["loss_before"], expected["evaluate"], rtol=1e-5)
    assert np.isfinite(fit["loss"][0])

