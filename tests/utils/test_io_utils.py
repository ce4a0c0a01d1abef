"""HDF5Matrix slicing/indexing, save_array/load_array, the overwrite prompt."""
import h5py
import numpy as np
import pytest

from tinygrad_keras.utils import io_utils
from tinygrad_keras.utils.io_utils import HDF5Matrix, ask_to_proceed_with_overwrite


@pytest.fixture
def h5file(tmp_path):
    path = str(tmp_path / "data.h5")
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=np.arange(40, dtype="float32").reshape(10, 4))
    yield path
    HDF5Matrix.refs.pop(path).close()


def test_hdf5_matrix_window(h5file):
    full = np.arange(40, dtype="float32").reshape(10, 4)
    m = HDF5Matrix(h5file, "x", start=2, end=8)
    assert len(m) == 6 and m.shape == (6, 4) and m.dtype == np.float32
    np.testing.assert_array_equal(m[0], full[2])
    np.testing.assert_array_equal(m[1:3], full[3:5])
    np.testing.assert_array_equal(m[:], full[2:8])
    np.testing.assert_array_equal(m[[4, 0, 4]], full[[6, 2, 6]])
    np.testing.assert_array_equal(m[np.array([5, 1])], full[[7, 3]])
    with pytest.raises(IndexError, match="index 6 out of range for length 6"):
        m[6]


def test_hdf5_matrix_normalizer(h5file):
    m = HDF5Matrix(h5file, "x", normalizer=lambda a: a / 10)
    np.testing.assert_allclose(m[1], [0.4, 0.5, 0.6, 0.7])
    assert m.shape == (10, 4)


def test_save_and_load_array(tmp_path):
    a = np.random.RandomState(0).rand(3, 5)
    io_utils.save_array(a, str(tmp_path / "a.h5"))
    np.testing.assert_array_equal(io_utils.load_array(str(tmp_path / "a.h5")), a)


def test_overwrite_prompt(monkeypatch, capsys):
    answers = iter(["maybe", "y"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    assert ask_to_proceed_with_overwrite("w.h5") is True
    assert "[TIP] Next time specify overwrite=True!" in capsys.readouterr().out
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    assert ask_to_proceed_with_overwrite("w.h5") is False
