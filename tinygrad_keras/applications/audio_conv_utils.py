"""Audio helpers for :func:`~tinygrad_keras.applications.MusicTaggerCRNN` (Keras 1.2.2
``keras.applications.audio_conv_utils``).

:func:`preprocess_input` reads an audio file with the optional package librosa (as
1.2.2 did; without it an ImportError says how to install it).  1.2.2 called
``librosa.logamplitude``, which librosa 0.6 replaced by ``power_to_db`` (same
``10 log10(S / ref)`` with ``ref=1.0``, floored at 1e-10 and at 80 dB below the
peak); the newer name is used when the old one is gone.  1.2.2 also put the 'tf'
channel axis at ``axis=3`` of a 2-D array, which numpy now refuses: the channel
axis goes last, giving the ``(96, 1366, 1)`` the model expects.
"""
from __future__ import annotations

import importlib

import numpy as np

from .. import backend as K

TAGS = ["rock", "pop", "alternative", "indie", "electronic", "female vocalists", "dance",
        "00s", "alternative rock", "jazz", "beautiful", "metal", "chillout", "male vocalists",
        "classic rock", "soul", "indie rock", "Mellow", "electronica", "80s", "folk", "90s",
        "chill", "instrumental", "punk", "oldies", "blues", "hard rock", "ambient",
        "acoustic", "experimental", "female vocalist", "guitar", "Hip-Hop", "70s", "party",
        "country", "easy listening", "sexy", "catchy", "funk", "electro", "heavy metal",
        "Progressive rock", "60s", "rnb", "indie pop", "sad", "House", "happy"]

# mel-spectrogram parameters the tagger was trained with
SAMPLE_RATE, N_FFT, N_MELS, HOP_LENGTH, DURATION = 12000, 512, 96, 256, 29.12


def _librosa():
    try:
        return importlib.import_module("librosa")
    except ImportError:
        raise ImportError("Librosa is required to process audio files. Install it via "
                          "`pip install librosa` or visit https://librosa.org for "
                          "details.") from None


def fit_duration(src: np.ndarray, n_wanted: int) -> np.ndarray:
    """``src`` zero-padded at the end, or its centre cut out, to exactly ``n_wanted``
    samples."""
    n = src.shape[0]
    if n < n_wanted:
        return np.concatenate([src, np.zeros(n_wanted - n, dtype=src.dtype)])
    start = (n - n_wanted) // 2
    return src[start:start + n_wanted]


def preprocess_input(audio_path: str, dim_ordering: str = "default") -> np.ndarray:
    """The log-amplitude mel-spectrogram of the middle 29.12 s of ``audio_path``:
    ``(1, 96, 1366)`` ('th') or ``(96, 1366, 1)`` ('tf')."""
    if dim_ordering == "default":
        dim_ordering = K.image_dim_ordering()
    if dim_ordering not in ("th", "tf"):
        raise ValueError(f"dim_ordering must be 'default', 'th' or 'tf', got {dim_ordering!r}")
    librosa = _librosa()
    src, sr = librosa.load(audio_path, sr=SAMPLE_RATE)
    src = fit_duration(np.asarray(src), int(DURATION * sr))
    power = librosa.feature.melspectrogram(y=src, sr=sr, hop_length=HOP_LENGTH, n_fft=N_FFT,
                                           n_mels=N_MELS) ** 2
    if hasattr(librosa, "logamplitude"):
        x = librosa.logamplitude(power, ref_power=1.0)
    else:
        x = librosa.power_to_db(power, ref=1.0)
    return x[np.newaxis] if dim_ordering == "th" else x[..., np.newaxis]


def decode_predictions(preds, top_n: int = 5) -> list:
    """``[[(tag, score), ...top_n, best first], ...per sample]`` from ``(samples, 50)``
    tag scores."""
    preds = np.asarray(getattr(preds, "data", preds))
    if preds.ndim != 2 or preds.shape[1] != len(TAGS):
        raise ValueError(f"decode_predictions expects tag scores of shape (samples, "
                         f"{len(TAGS)}); got shape {preds.shape}")
    return [sorted(zip(TAGS, pred), key=lambda pair: pair[1], reverse=True)[:top_n]
            for pred in preds]
