"""keras.applications.audio_conv_utils: mel-spectrogram preparation (with a stand-in for
the optional librosa, which is not installed here) and tag decoding."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from tinygrad_keras.applications import audio_conv_utils as A


class FakeLibrosa:
    """Stands in for librosa (not installed here): records what it is asked for."""

    def __init__(self, n_samples: int):
        self.n_samples = n_samples
        self.feature = self
        self.seen = {}

    def load(self, path, sr):
        return np.arange(self.n_samples, dtype="float32"), sr

    def melspectrogram(self, y, sr, hop_length, n_fft, n_mels):
        self.seen.update(y=y, sr=sr, hop_length=hop_length, n_fft=n_fft, n_mels=n_mels)
        return np.full((n_mels, 1 + len(y) // hop_length), 10.0, dtype="float32")

    def power_to_db(self, s, ref):
        return 10 * np.log10(s / ref)


@pytest.mark.parametrize("n_samples", [1000, 400000])
def test_audio_preprocess_input_trims_pads_and_orders(monkeypatch, n_samples):
    fake = FakeLibrosa(n_samples)
    monkeypatch.setitem(sys.modules, "librosa", fake)
    th = A.preprocess_input("song.mp3", dim_ordering="th")
    tf = A.preprocess_input("song.mp3", dim_ordering="tf")
    assert th.shape == (1, 96, 1366) and tf.shape == (96, 1366, 1)
    np.testing.assert_allclose(th[0, 0, 0], 20.0)               # 10 log10(10 ** 2)
    y = fake.seen["y"]
    assert len(y) == 349440 and fake.seen["n_mels"] == 96       # 29.12 s at 12 kHz
    if n_samples < len(y):
        assert y[n_samples - 1] == n_samples - 1 and y[-1] == 0  # zero padded at the end
    else:
        start = (n_samples - 349440) // 2                        # the centre is kept
        assert y[0] == start and y[-1] == start + 349439


def test_audio_without_librosa_and_decoding(monkeypatch):
    monkeypatch.setitem(sys.modules, "librosa", None)
    with pytest.raises(ImportError, match="pip install librosa"):
        A.preprocess_input("song.mp3")
    preds = np.linspace(0, 1, 50)[None]
    top = A.decode_predictions(preds, top_n=2)
    assert top == [[("happy", 1.0), ("House", pytest.approx(49 / 49 - 1 / 49))]]
    with pytest.raises(ValueError, match=r"\(samples, 50\)"):
        A.decode_predictions(np.zeros((1, 10)))
