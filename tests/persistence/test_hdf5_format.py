"""The 1.2.2 HDF5 weight layout: round trips, matching rules, and failure safety."""
import os
import pathlib

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinygrad_keras import backend as K
from tinygrad_keras.engine import hdf5_format as H
from tinygrad_keras.engine.topology import Layer


class Affine(Layer):
    """A tiny layer with two weights, built without the initializer registry."""

    def __init__(self, n_in, n_out, **kwargs):
        super().__init__(**kwargs)
        self.trainable_weights = [
            K.variable(np.random.randn(n_in, n_out), name=f"{self.name}_W"),
            K.variable(np.random.randn(n_out), name=f"{self.name}_b"),
        ]
        self.built = True


class NoWeights(Layer):
    pass


def make_layers(prefix=""):
    return [Affine(3, 4, name=prefix + "a"), NoWeights(name=prefix + "act"),
            Affine(4, 2, name=prefix + "b")]


def values(layers):
    return [w.copy() for layer in layers for w in layer.get_weights()]


def test_layout_is_keras_1_2_2(tmp_path):
    layers = make_layers()
    path = str(tmp_path / "w.h5")
    H.save_weights(path, layers)
    with h5py.File(path, "r") as f:
        assert [n.decode() for n in f.attrs["layer_names"]] == ["a", "act", "b"]
        assert [n.decode() for n in f["a"].attrs["weight_names"]] == ["a_W:0", "a_b:0"]
        assert len(f["act"].attrs["weight_names"]) == 0
        assert f["a"]["a_W:0"].dtype == np.float32 and f["a"]["a_W:0"].shape == (3, 4)
        assert "keras_version" not in f.attrs


def test_round_trip_topological_ignores_names_and_weightless_layers(tmp_path):
    src, dst = make_layers(), [Affine(3, 4, name="x"), Affine(4, 2, name="y")]
    path = str(tmp_path / "w.h5")
    H.save_weights(path, src)
    H.load_weights(path, dst)
    for a, b in zip(values(src), values(dst)):
        np.testing.assert_array_equal(a, b)


def test_by_name_loads_matching_layers_only(tmp_path):
    src = make_layers()
    path = str(tmp_path / "w.h5")
    H.save_weights(path, src)
    other = Affine(3, 4, name="unrelated")
    before = other.get_weights()
    dst = [Affine(4, 2, name="b"), other]
    H.load_weights(path, dst, by_name=True)
    np.testing.assert_array_equal(dst[0].get_weights()[0], src[2].get_weights()[0])
    np.testing.assert_array_equal(other.get_weights()[0], before[0])


def test_count_mismatch_names_both_counts_and_changes_nothing(tmp_path):
    path = str(tmp_path / "w.h5")
    H.save_weights(path, make_layers())
    dst = [Affine(3, 4), Affine(4, 2), Affine(2, 2)]
    before = values(dst)
    with pytest.raises(ValueError, match="containing 2 layers into a model with 3 layers"):
        H.load_weights(path, dst)
    for a, b in zip(before, values(dst)):
        np.testing.assert_array_equal(a, b)


def test_shape_mismatch_in_a_later_layer_changes_no_weight(tmp_path):
    path = str(tmp_path / "w.h5")
    H.save_weights(path, make_layers())
    dst = [Affine(3, 4, name="p"), Affine(4, 5, name="q")]
    before = values(dst)
    with pytest.raises(ValueError, match="expects"):
        H.load_weights(path, dst)
    for a, b in zip(before, values(dst)):
        np.testing.assert_array_equal(a, b)


def test_not_hdf5_and_missing_file(tmp_path):
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"this is not an hdf5 file")
    with pytest.raises(ValueError, match="bad.h5"):
        H.load_weights(str(bad), make_layers())
    with pytest.raises(FileNotFoundError):
        H.load_weights(str(tmp_path / "nope.h5"), make_layers())


def test_failed_save_keeps_the_old_file(tmp_path):
    path = str(tmp_path / "w.h5")
    layers = make_layers()
    H.save_weights(path, layers)
    good = pathlib.Path(path).read_bytes()

    def explode(f):
        f.create_group("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        H.atomic_write(path, explode)
    assert pathlib.Path(path).read_bytes() == good
    assert [p for p in os.listdir(tmp_path) if p.startswith(".tmp-")] == []


def test_keras_2_split_attributes_are_read(tmp_path):
    path = str(tmp_path / "k2.h5")
    with h5py.File(path, "w") as f:
        f.attrs["layer_names0"] = [b"a"]
        f.attrs["layer_names1"] = [b"b"]
        f.attrs["keras_version"] = b"2.2.4"
        f.attrs["backend"] = b"tensorflow"
        for name, shapes in (("a", ((3, 4), (4,))), ("b", ((4, 2), (2,)))):
            g = f.create_group(name)
            wn = [f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()]
            g.attrs["weight_names"] = wn
            for n, s in zip(wn, shapes):
                g.create_dataset(n.decode(), data=np.full(s, 0.5, np.float32))
    dst = [Affine(3, 4), Affine(4, 2)]
    H.load_weights(path, dst)
    assert all((w == 0.5).all() for w in values(dst))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_files_fail_cleanly_or_load_whole(tmp_path, data):
    """Truncations and byte flips never crash, never hang, never load half a model."""
    path = str(tmp_path / "w.h5")
    H.save_weights(path, make_layers())
    raw = bytearray(pathlib.Path(path).read_bytes())
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    else:
        for _ in range(data.draw(st.integers(1, 8))):
            i = data.draw(st.integers(0, len(raw) - 1))
            raw[i] ^= data.draw(st.integers(1, 255))
    damaged = str(tmp_path / "damaged.h5")
    pathlib.Path(damaged).write_bytes(bytes(raw))
    dst = make_layers("d")
    before = values(dst)
    try:
        H.load_weights(damaged, dst)
    except (ValueError, OSError, KeyError):
        for a, b in zip(before, values(dst)):
            np.testing.assert_array_equal(a, b)
    else:
        with h5py.File(damaged, "r") as f:  # loaded: every layer holds the file's values
            np.testing.assert_array_equal(dst[0].get_weights()[0], np.array(f["a"]["a_W:0"]))


def test_saved_files_get_ordinary_permissions(tmp_path):
    path = str(tmp_path / "w.h5")
    H.save_weights(path, make_layers())
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask
    os.chmod(path, 0o640)
    H.save_weights(path, make_layers())  # replacing a file keeps its permissions
    assert os.stat(path).st_mode & 0o777 == 0o640
