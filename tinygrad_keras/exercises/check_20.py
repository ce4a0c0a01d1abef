"""Checker of exercise 20: ``keras3_hard_sigmoid`` and ``fold_lstm_gates``.

The reference is the project's exporter itself: a Keras 1 LSTM gate computed with
Keras 1's hard sigmoid must equal the Keras 3 hard sigmoid of the folded kernel.
"""
from __future__ import annotations

import numpy as np


def _keras1_hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0.0, 1.0)


def _check_hard_sigmoid(module) -> None:
    x = np.linspace(-6.0, 6.0, 49)
    got = np.asarray(module.keras3_hard_sigmoid(x), dtype=np.float64)
    assert got.shape == x.shape, f"keras3_hard_sigmoid changed the shape: {got.shape}"
    want = np.clip(x / 6.0 + 0.5, 0.0, 1.0)
    bad = np.flatnonzero(~np.isclose(got, want, atol=1e-7))
    assert bad.size == 0, (f"keras3_hard_sigmoid({x[bad[0]]}) should be {want[bad[0]]:.4f}, "
                           f"got {got[bad[0]]:.4f}: Keras 3 uses clip(x / 6 + 0.5, 0, 1)")


def _check_fold(module) -> None:
    rng = np.random.default_rng(20)
    units, rows = 3, 5
    kernel = rng.normal(size=(rows, 4 * units))
    original = kernel.copy()
    folded = np.asarray(module.fold_lstm_gates(kernel, units), dtype=np.float64)
    assert np.array_equal(kernel, original), "fold_lstm_gates must not change its argument"
    assert folded.shape == kernel.shape, f"the folded kernel has shape {folded.shape}"
    x = rng.normal(size=(7, rows))
    names = "ifco"
    for g, name in enumerate(names):
        block = slice(g * units, (g + 1) * units)
        if name == "c":
            assert np.allclose(folded[:, block], kernel[:, block]), \
                "the cell-candidate block c (columns 2u:3u) uses tanh: leave it unchanged"
            continue
        keras1 = _keras1_hard_sigmoid(x @ kernel[:, block])
        keras3 = np.clip((x @ folded[:, block]) / 6.0 + 0.5, 0.0, 1.0)
        assert np.allclose(keras1, keras3, atol=1e-9), \
            (f"gate {name} (columns {g * units}:{(g + 1) * units}) does not match: the Keras 1 "
             f"gate clip(0.2 a + 0.5) equals the Keras 3 one at 1.2 a, so multiply by 1.2")


def check(module) -> None:
    """Raise AssertionError (or the stub's NotImplementedError) if the answer is wrong."""
    _check_hard_sigmoid(module)
    _check_fold(module)
