"""Fuzz: truncated or byte-flipped ``model.save`` files never crash, never hang and never
load partly: ``load_model`` and ``load_weights`` either refuse with a ValueError naming the
file, or deliver exactly the saved weights and optimizer state."""
import pathlib

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinygrad_keras.engine.hdf5_format import WeightFileError
from tinygrad_keras.layers import Dense
from tinygrad_keras.models import Sequential, load_model
from tinygrad_keras.optimizers import Adam


def trained_model():
    np.random.seed(0)
    model = Sequential([Dense(4, input_dim=3, activation="relu"), Dense(2)])
    model.compile(Adam(lr=0.01), "mse")
    model.train_on_batch(np.random.randn(8, 3).astype("f4"), np.random.randn(8, 2).astype("f4"))
    return model


def damage(raw: bytes, data) -> bytes:
    raw = bytearray(raw)
    if data.draw(st.booleans(), label="truncate"):
        return bytes(raw[: data.draw(st.integers(0, len(raw) - 1), label="length")])
    for _ in range(data.draw(st.integers(1, 8), label="flips")):
        i = data.draw(st.integers(0, len(raw) - 1), label="offset")
        raw[i] ^= data.draw(st.integers(1, 255), label="mask")
    return bytes(raw)


def assert_same(arrays_a, arrays_b) -> None:
    assert len(arrays_a) == len(arrays_b)
    for a, b in zip(arrays_a, arrays_b):
        np.testing.assert_array_equal(a, b)


ORIGINAL = trained_model()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_save_file_fails_cleanly_or_loads_whole(tmp_path, data):
    path = tmp_path / "good.h5"
    ORIGINAL.save(str(path))
    damaged = tmp_path / "damaged.h5"
    damaged.write_bytes(damage(path.read_bytes(), data))

    try:
        loaded = load_model(str(damaged))
    except ValueError as exc:  # WeightFileError is a ValueError
        assert "damaged.h5" in str(exc)
    else:
        assert_same(loaded.get_weights(), ORIGINAL.get_weights())
        assert_same(loaded.optimizer.get_weights(), ORIGINAL.optimizer.get_weights())

    target = Sequential([Dense(4, input_dim=3, activation="relu"), Dense(2)])
    before = target.get_weights()
    try:
        target.load_weights(str(damaged))
    except (ValueError, FileNotFoundError) as exc:
        assert isinstance(exc, WeightFileError) and "damaged.h5" in str(exc)
        assert_same(target.get_weights(), before)
    else:
        assert_same(target.get_weights(), ORIGINAL.get_weights())


def test_every_single_truncation_point_of_a_small_file_is_refused(tmp_path):
    """A cheap exhaustive sweep over cut positions (every 97th byte)."""
    path = tmp_path / "good.h5"
    ORIGINAL.save(str(path))
    raw = path.read_bytes()
    cut = tmp_path / "cut.h5"
    for length in range(0, len(raw) - 1, 97):
        cut.write_bytes(raw[:length])
        try:
            load_model(str(cut))
        except ValueError:
            continue
        raise AssertionError(f"a file cut at {length} of {len(raw)} bytes was loaded")
    assert pathlib.Path(path).exists()
