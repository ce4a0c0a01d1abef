"""Resuming training from files whose weights are converted on load: the optimizer state
of every converted array must go through the same conversion (flip of a Theano kernel,
legacy Conv1D transpose, Keras 2 layouts), and Nadam's schedule must be rebuilt when a
Keras 1.2.2 file lacks it.

Each file is written with h5py (``keras122_reference.write_model_file``) holding weights
and nonzero optimizer state in the file's own layout.  The expected next step is
Keras 1.2.2's, taken where the file was written: the 1.2.2 update rule (numpy, float64)
applied to the stored arrays with the gradient of the stored kernel, then moved to our
layout with the rearrangement written out in each case below.
"""
import doctest
import json

import h5py
import numpy as np
import pytest

from tinygrad_keras import optimizers
from tinygrad_keras.engine.hdf5_format import WeightFileError
from tinygrad_keras.layers import (
    LSTM,
    Convolution1D,
    Convolution2D,
    Dense,
    Flatten,
    Input,
    TimeDistributed,
)
from tinygrad_keras.models import Model, Sequential, load_model

from . import keras122_reference as R

# Hyper-parameters that float32 holds exactly, so the float64 reference uses the same values.
CONFIGS = {
    "SGD": {"lr": 0.0625, "momentum": 0.875, "decay": 0.0, "nesterov": False},
    "RMSprop": {"lr": 0.0078125, "rho": 0.875, "epsilon": 1e-8, "decay": 0.0},
    "Adagrad": {"lr": 0.03125, "epsilon": 1e-8, "decay": 0.0},
    "Adadelta": {"lr": 1.0, "rho": 0.9375, "epsilon": 1e-8, "decay": 0.0},
    "Adam": {"lr": 0.0078125, "beta_1": 0.875, "beta_2": 0.9990234375, "epsilon": 1e-8,
             "decay": 0.0},
    "Adamax": {"lr": 0.015625, "beta_1": 0.875, "beta_2": 0.9990234375, "epsilon": 1e-8,
               "decay": 0.0},
    "Nadam": {"lr": 0.015625, "beta_1": 0.875, "beta_2": 0.9990234375, "epsilon": 1e-8,
              "schedule_decay": 0.004},
}
ITERATIONS = 37


def rand(rng, *shape):
    return rng.uniform(-1, 1, shape).astype("f4")


# ---- the models and how each file stores their kernel ----------------------------------
def conv2d_case(ordering):
    """Conv2D (2 filters, 3x2) -> Flatten -> Dense(2) on (2, 5, 4) images."""
    def build():
        shape = (2, 5, 4) if ordering == "th" else (5, 4, 2)
        return Sequential([Convolution2D(2, 3, 2, dim_ordering=ordering, input_shape=shape,
                                         name="convolution2d_1"),
                           Flatten(name="flatten_1"), Dense(2, name="dense_1")])

    def grads(x, y, params):     # x is (B, C, H, W); our kernel in its ordering
        kernel, *rest = params
        oihw = kernel if ordering == "th" else kernel.transpose(3, 2, 0, 1)
        dk, *drest = R.conv2d_grads(x, oihw, *rest, y, ordering)
        return [dk if ordering == "th" else dk.transpose(2, 3, 1, 0)] + drest

    def inputs(x):
        return x if ordering == "th" else x.transpose(0, 2, 3, 1)
    return {"build": build, "grads": grads, "inputs": inputs, "filters": 2, "flat": 3 * 3 * 2,
            "kernel_shape": (2, 2, 3, 2) if ordering == "th" else (3, 2, 2, 2),
            "x_shape": (4, 2, 5, 4)}


def conv1d_case():
    """Conv1D (3 filters, length 2) -> Flatten -> Dense(2) on (6, 2) sequences."""
    def build():
        return Sequential([Convolution1D(3, 2, input_shape=(6, 2), name="convolution1d_1"),
                           Flatten(name="flatten_1"), Dense(2, name="dense_1")])

    def grads(x, y, params):
        return R.conv1d_grads(x, *params, y)
    return {"build": build, "grads": grads, "inputs": lambda x: x, "filters": 3, "flat": 5 * 3,
            "kernel_shape": (2, 1, 2, 3), "x_shape": (4, 6, 2)}


# How the file stores our kernel (``to_file``) and back (``from_file``); Theano kernels are
# true convolutions, i.e. our correlation kernels reversed along their spatial axes.
LAYOUTS = {
    "conv2d-th-theano": (lambda: conv2d_case("th"), lambda k: k[:, :, ::-1, ::-1],
                         lambda k: k[:, :, ::-1, ::-1], {}),
    "conv2d-tf-theano": (lambda: conv2d_case("tf"), lambda k: k[::-1, ::-1],
                         lambda k: k[::-1, ::-1], {}),
    "conv1d-theano": (conv1d_case, lambda k: k[::-1], lambda k: k[::-1], {}),
    # the legacy Conv1D kernel (nb_filter, input_dim, filter_length, 1), TensorFlow names
    "conv1d-legacy": (conv1d_case, lambda k: k.transpose(3, 2, 0, 1),
                      lambda k: k.transpose(2, 3, 1, 0), {"theano": False}),
    "conv1d-legacy-theano": (conv1d_case, lambda k: k[::-1].transpose(3, 2, 0, 1),
                             lambda k: k.transpose(2, 3, 1, 0)[::-1], {}),
    # Keras 2 on Theano: (rows, cols, in, out) true-convolution kernels, channels-first model
    "keras2-conv2d-th-theano": (lambda: conv2d_case("th"),
                                lambda k: k.transpose(2, 3, 1, 0)[::-1, ::-1],
                                lambda k: k[::-1, ::-1].transpose(3, 2, 0, 1),
                                {"keras2_backend": "theano"}),
}


def write_case(path, layout, kind, rng):
    """The file of ``layout`` for optimizer ``kind``; returns what the test needs to know."""
    make_case, to_file, from_file, options = LAYOUTS[layout]
    case = make_case()
    model = case["build"]()
    # our parameters in name order: kernel, its bias, the Dense W and b
    ours = [rand(rng, *case["kernel_shape"]), rand(rng, case["filters"]),
            rand(rng, case["flat"], 2), rand(rng, 2)]
    stored = [np.ascontiguousarray(to_file(ours[0]))] + ours[1:]
    iterations, slots_ours = R.random_state(kind, [a.shape for a in ours], ITERATIONS, rng)
    slots_file = {k: [np.ascontiguousarray(to_file(v[0]))] + v[1:] for k, v in slots_ours.items()}
    keras2 = "keras2_backend" in options
    names = ("kernel", "bias") if keras2 else ("W", "b")
    layers = [(model.layers[0].name, list(zip(names, stored[:2]))), ("flatten_1", []),
              ("dense_1", list(zip(names, stored[2:])))]
    R.write_model_file(path, {"class_name": "Sequential", "config": model.get_config()},
                       {"class_name": kind, "config": CONFIGS[kind]}, layers,
                       R.flat_state(iterations, slots_file), **options)
    return {**case, "to_file": to_file, "from_file": from_file, "ours": ours, "stored": stored,
            "iterations": iterations, "slots_ours": slots_ours, "slots_file": slots_file}


def expected_step(kind, case, x, y):
    """Keras 1.2.2's next step where the file was written, moved to our layout."""
    grads = case["grads"](x.astype(np.float64), y, [a.astype(np.float64) for a in case["ours"]])
    grads[0] = case["to_file"](grads[0])   # the stored kernel is ours rearranged: so is its grad
    config = CONFIGS[kind]
    schedule = None
    if kind == "Nadam":
        schedule = R.nadam_schedule(ITERATIONS, config["beta_1"], config["schedule_decay"])
    params, slots = R.keras122_step(kind, config, case["stored"], grads, case["iterations"],
                                    case["slots_file"], schedule)
    move = case["from_file"]
    return [move(params[0])] + params[1:], {k: [move(v[0])] + v[1:] for k, v in slots.items()}


# Keras 2 Adam files also hold amsgrad's ``vhats``: refused (tested below), so left out here.
CASES = [(layout, kind) for layout in LAYOUTS for kind in CONFIGS
         if not (layout.startswith("keras2") and kind == "Adam")]


@pytest.mark.parametrize(("layout", "kind"), CASES)
def test_one_more_step_continues_the_training_of_the_file(tmp_path, layout, kind):
    rng = np.random.default_rng(sum(map(ord, layout + kind)))
    path = str(tmp_path / "m.h5")
    case = write_case(path, layout, kind, rng)
    model = load_model(path)
    # the state arrived in our layout: each kernel element kept its own state
    loaded, saved = model.optimizer.get_weights(), R.flat_state(case["iterations"],
                                                               case["slots_ours"])
    assert len(loaded) == len(saved)
    for got, want in zip(loaded, saved):
        np.testing.assert_array_equal(got, want)
    x, y = rand(rng, *case["x_shape"]), rand(rng, case["x_shape"][0], 2)
    want_params, want_slots = expected_step(kind, case, x, y)
    model.train_on_batch(case["inputs"](x), y)
    params = model._collected_trainable_weights
    assert len(params) == len(want_params)
    for p, want in zip(params, want_params):
        np.testing.assert_allclose(p.data, want, rtol=2e-5, atol=1e-6, err_msg=p.name)
    for name, arrays in want_slots.items():      # our slot names are 1.2.2's
        for slot, want in zip(model.optimizer.slots[name], arrays, strict=True):
            np.testing.assert_allclose(slot.data, want, rtol=2e-5, atol=1e-6, err_msg=name)


# ---- kernels inside wrappers and nested models --------------------------------------------
def rewrite_as_theano(path, model, flips: dict) -> None:
    """Our ``model.save`` file rewritten as Keras 1.2.2 on Theano writes it: names without
    ``:0``, optimizer arrays ``param_<i>``, and the kernels named in ``flips`` (with their
    momenta: SGD's weights are ``[iterations] + moments``) stored as true convolutions."""
    order = [w.name for w in model._collected_trainable_weights]

    def rewrite(group, new_names, move):
        names = [n.decode() for n in group.attrs["weight_names"]]
        values = [group[n][()] for n in names]
        for n in names:
            del group[n]
        for i, (old, new, value) in enumerate(zip(names, new_names(names), values)):
            group.create_dataset(new, data=move(i, old, value))
        group.attrs["weight_names"] = [n.encode() for n in new_names(names)]
    with h5py.File(path, "r+") as f:
        weights = f["model_weights"]
        for lname in weights.attrs["layer_names"]:
            rewrite(weights[lname.decode()], lambda ns: [n[:-2] for n in ns],
                    lambda i, n, v: flips.get(n[:-2], lambda a: a)(v))
        rewrite(f["optimizer_weights"], lambda ns: [f"param_{i}" for i in range(len(ns))],
                lambda i, n, v: flips.get((order + [""])[i - 1] if i else "", lambda a: a)(v))


def td_conv_model():
    return Sequential([TimeDistributed(Convolution2D(2, 3, 3, name="td_conv"),
                                       input_shape=(2, 1, 5, 5), name="td"),
                       Flatten(name="flat"), Dense(2, name="out")])


def nested_conv_model():
    inner = Sequential([Convolution2D(2, 3, 2, dim_ordering="tf", input_shape=(5, 4, 1),
                                      name="nested_conv"), Flatten(name="nested_flat")],
                       name="inner")
    x = Input((5, 4, 1), name="x")
    return Model(x, Dense(2, name="out")(inner(x)))


@pytest.mark.parametrize(("build", "flips", "x_shape"), [
    (td_conv_model, {"td_conv_W": lambda k: k[:, :, ::-1, ::-1]}, (3, 2, 1, 5, 5)),
    (nested_conv_model, {"nested_conv_W": lambda k: k[::-1, ::-1]}, (3, 5, 4, 1))],
    ids=["TimeDistributed", "nested-Sequential"])
def test_kernels_inside_wrappers_and_nested_models_are_flipped_with_their_state(
        tmp_path, build, flips, x_shape):
    rng = np.random.default_rng(9)
    x, y = rand(rng, *x_shape), rand(rng, x_shape[0], 2)
    model = build()
    model.compile(optimizers.SGD(lr=0.0625, momentum=0.875), "mse")
    model.train_on_batch(x, y)
    path = str(tmp_path / "m.h5")
    model.save(path)
    rewrite_as_theano(path, model, flips)
    loaded = load_model(path)
    for a, b in zip(loaded.get_weights() + loaded.optimizer.get_weights(),
                    model.get_weights() + model.optimizer.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.train_on_batch(x, y)
    loaded.train_on_batch(x, y)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


# ---- Keras 2 fused recurrent matrices ------------------------------------------------
def keras2_lstm_file(path, rng):
    """Conv1D -> LSTM(2) -> Dense(2) saved by Keras 2 on Theano, trained with Adamax: fused
    LSTM ``kernel (3, 8)``, ``recurrent_kernel (2, 8)``, ``bias (8,)`` (gates i, f, c, o);
    the optimizer's arrays follow Keras 2's layer order of the trainable weights."""
    model = Sequential([Convolution1D(3, 2, input_shape=(5, 2), name="convolution1d_1"),
                        LSTM(2, name="lstm_1"), Dense(2, name="dense_1")])
    shapes = [(2, 2, 3), (3,), (3, 8), (2, 8), (8,), (2, 2), (2,)]
    stored = [rand(rng, *s) for s in shapes]
    iterations, slots = R.random_state("Adamax", shapes, ITERATIONS, rng)
    layers = [("conv1d_1", list(zip(("kernel", "bias"), stored[:2]))),
              ("lstm_1", list(zip(("kernel", "recurrent_kernel", "bias"), stored[2:5]))),
              ("dense_1", list(zip(("kernel", "bias"), stored[5:])))]
    R.write_model_file(path, {"class_name": "Sequential", "config": model.get_config()},
                       {"class_name": "Adamax", "config": CONFIGS["Adamax"]}, layers,
                       R.flat_state(iterations, slots), keras2_backend="theano")
    return stored, slots


def keras2_array_for(weight_name: str, stored: list) -> np.ndarray:
    """Our weight ``weight_name`` from the Keras 2 arrays (or from their optimizer state)."""
    if weight_name == "convolution1d_1_W":
        return stored[0][::-1][:, None]        # Theano kernel reversed in time, 1.2.2 4-D
    simple = {"convolution1d_1_b": 1, "dense_1_W": 5, "dense_1_b": 6}
    if weight_name in simple:
        return stored[simple[weight_name]]
    matrix, gate = weight_name.split("_")[-2:]          # lstm_1_U_f -> U, f
    block = "ifco".index(gate)                          # Keras 2 column blocks i, f, c, o
    return stored[{"W": 2, "U": 3, "b": 4}[matrix]][..., 2 * block:2 * block + 2]


def test_keras2_split_matrices_carry_their_optimizer_state(tmp_path):
    rng = np.random.default_rng(5)
    path = str(tmp_path / "k2.h5")
    stored, slots = keras2_lstm_file(path, rng)
    model = load_model(path)
    optimizer = model.optimizer
    assert float(optimizer.iterations.data) == ITERATIONS
    for k, weight in enumerate(model._collected_trainable_weights):
        np.testing.assert_array_equal(weight.data, keras2_array_for(weight.name, stored))
        for name in ("ms", "us"):
            np.testing.assert_array_equal(optimizer.slots[name][k].data,
                                          keras2_array_for(weight.name, slots[name]),
                                          err_msg=f"{name} of {weight.name}")


def test_keras2_adam_state_with_amsgrad_arrays_is_refused(tmp_path):
    """Keras 2.1.6 Adam saves ``[iterations] + ms + vs + vhats``: not 1.2.2's Adam state."""
    rng = np.random.default_rng(6)
    path = str(tmp_path / "k2.h5")
    write_case(path, "keras2-conv2d-th-theano", "Adam", rng)
    with h5py.File(path, "r+") as f:
        group = f["optimizer_weights"]
        names = [f"Variable_{i}:0" for i in range(len(group.attrs["weight_names"]) + 4)]
        for name in names[-4:]:
            group.create_dataset(name, data=np.zeros(1, "f4"))
        group.attrs["weight_names"] = [n.encode() for n in names]
    with pytest.raises(WeightFileError, match="13 optimizer weights.*Adam on this model has 9"):
        load_model(path)


# ---- what cannot follow its weight is refused -------------------------------------------
def test_state_of_a_converted_kernel_in_another_shape_is_refused(tmp_path):
    rng = np.random.default_rng(7)
    path = str(tmp_path / "m.h5")
    case = write_case(path, "conv2d-th-theano", "SGD", rng)
    with h5py.File(path, "r+") as f:   # param_1: the moment of the kernel, given axes swapped
        del f["optimizer_weights/param_1"]
        f["optimizer_weights"].create_dataset(
            "param_1", data=case["slots_file"]["moments"][0].transpose(0, 1, 3, 2))
    with pytest.raises(WeightFileError, match=r"param_1.*convolution2d_1_W.*cannot be "
                                              r"converted as that weight was \(flipped"):
        load_model(path)


class ReversedSGD(optimizers.SGD):
    """An optimizer of the user's own whose ``weights`` are in an order of its own."""

    def _weight_order(self) -> list:
        return super()._weight_order()[::-1]


def test_an_optimizer_with_its_own_weight_order_cannot_convert_state(tmp_path):
    rng = np.random.default_rng(8)
    path = str(tmp_path / "m.h5")
    write_case(path, "conv1d-theano", "SGD", rng)
    with h5py.File(path, "r+") as f:
        config = json.loads(f.attrs["training_config"])
        config["optimizer_config"]["class_name"] = "ReversedSGD"
        f.attrs["training_config"] = json.dumps(config).encode()
    with pytest.raises(WeightFileError, match="ReversedSGD's weights are not laid out"):
        load_model(path, custom_objects={"ReversedSGD": ReversedSGD})
    # where nothing was converted, its state is restored in its own order, as before
    model = conv1d_case()["build"]()
    model.compile(ReversedSGD(momentum=0.5), "mse")
    model.train_on_batch(rand(rng, 4, 6, 2), rand(rng, 4, 2))
    model.save(path)
    again = load_model(path, custom_objects={"ReversedSGD": ReversedSGD})
    for a, b in zip(again.optimizer.get_weights(), model.optimizer.get_weights()):
        np.testing.assert_array_equal(a, b)


# ---- Nadam's schedule ------------------------------------------------------------------------
def test_nadam_schedule_is_rebuilt_exactly_from_the_saved_iterations(tmp_path):
    """Our own file with its schedule removed (as 1.2.2 writes them) resumes bit for bit."""
    rng = np.random.default_rng(3)
    x, y = rand(rng, 8, 3), rand(rng, 8, 2)

    def model():
        m = Sequential([Dense(4, input_dim=3, activation="tanh"), Dense(2)])
        m.compile(optimizers.Nadam(), "mse")
        return m
    uninterrupted = model()
    for _ in range(ITERATIONS):
        uninterrupted.train_on_batch(x, y)
    path = str(tmp_path / "m.h5")
    uninterrupted.save(path)
    with h5py.File(path, "r+") as f:
        del f["optimizer_weights/extra_state"]
    resumed = load_model(path)
    assert resumed.optimizer.m_schedule.data == uninterrupted.optimizer.m_schedule.data
    np.testing.assert_allclose(float(resumed.optimizer.m_schedule.data),
                               R.nadam_schedule(ITERATIONS, 0.9, 0.004), rtol=1e-5)
    uninterrupted.train_on_batch(x, y)
    resumed.train_on_batch(x, y)
    for a, b in zip(uninterrupted.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_a_saved_iterations_that_is_not_a_step_count_is_refused(tmp_path):
    rng = np.random.default_rng(4)
    path = str(tmp_path / "m.h5")
    write_case(path, "conv1d-theano", "Nadam", rng)
    with h5py.File(path, "r+") as f:
        f["optimizer_weights/param_0"][()] = 2.5
    with pytest.raises(WeightFileError, match="not a count of steps"):
        load_model(path)


def test_the_optimizer_examples_run():
    result = doctest.testmod(optimizers)
    assert result.failed == 0 and result.attempted >= 4
