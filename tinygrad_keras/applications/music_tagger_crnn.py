"""MusicTaggerCRNN (Choi et al., https://github.com/keunwoochoi/music-auto_tagging-keras)
as Keras 1.2.2's ``keras.applications.music_tagger_crnn`` builds it: four convolution
blocks over a mel-spectrogram, two GRUs over the remaining 15 time steps, and 50
sigmoid tag scores.  Weights ``'msd'`` (trained on the Million Song Dataset) are
cross-correlation kernels for both orderings and are loaded by layer name, as in 1.2.2.
"""
from __future__ import annotations

from .. import backend as K
from ..layers import (
    GRU,
    BatchNormalization,
    Convolution2D,
    Dense,
    MaxPooling2D,
    Permute,
    Reshape,
    ZeroPadding2D,
)
from ..layers.advanced_activations import ELU
from ..models import Model
from ._common import check_weights, load_release, model_input, model_inputs, release
from .audio_conv_utils import decode_predictions, preprocess_input

__all__ = ["MusicTaggerCRNN", "decode_predictions", "preprocess_input"]

TH_WEIGHTS = release("v0.3", "music_tagger_crnn_weights_tf_kernels_th_dim_ordering.h5")
TF_WEIGHTS = release("v0.3", "music_tagger_crnn_weights_tf_kernels_tf_dim_ordering.h5")
TH_WEIGHTS_PATH, TF_WEIGHTS_PATH = TH_WEIGHTS.origin, TF_WEIGHTS.origin
# (filters, pooling) of the four convolution blocks conv1..conv4
BLOCKS = ((64, 2), (128, 3), (128, 4), (128, 4))


def MusicTaggerCRNN(weights: str | None = "msd", input_tensor=None, include_top: bool = True,
                    classes: int = 50):
    """The music tagger in the current image dim ordering.

    Input shape: ``(None, 1, 96, 1366)`` ('th') or ``(None, 96, 1366, 1)`` ('tf'): a
    log-amplitude mel-spectrogram of 29.12 s of audio (see
    :func:`~tinygrad_keras.applications.audio_conv_utils.preprocess_input`).
    Output shape: ``(None, classes)`` sigmoid tag scores, or ``(None, 32)`` features
    without ``include_top``.
    """
    check_weights("MusicTaggerCRNN", weights, include_top, classes, pretrained="msd",
                  pretrained_classes=50)
    th = K.image_dim_ordering() == "th"
    input_shape = (1, 96, 1366) if th else (96, 1366, 1)
    melgram_input = model_input("MusicTaggerCRNN", input_tensor, input_shape)
    channel_axis, time_axis = (1, 3) if th else (3, 2)
    x = ZeroPadding2D(padding=(0, 37))(melgram_input)   # 1366 -> 1440 time frames
    x = BatchNormalization(axis=time_axis, name="bn_0_freq")(x)
    for k, (nb_filter, pool) in enumerate(BLOCKS, start=1):
        x = Convolution2D(nb_filter, 3, 3, border_mode="same", name=f"conv{k}")(x)
        x = BatchNormalization(axis=channel_axis, mode=0, name=f"bn{k}")(x)
        x = ELU()(x)
        x = MaxPooling2D(pool_size=(pool, pool), strides=(pool, pool), name=f"pool{k}")(x)
    if th:
        x = Permute((3, 1, 2))(x)                        # time steps first
    x = Reshape((15, 128))(x)
    x = GRU(32, return_sequences=True, name="gru1")(x)
    x = GRU(32, return_sequences=False, name="gru2")(x)
    if include_top:
        x = Dense(classes, activation="sigmoid", name="output")(x)
    model = Model(model_inputs(input_tensor, melgram_input), x, name="music_tagger_crnn")
    if weights is not None:
        load_release(model, TH_WEIGHTS if th else TF_WEIGHTS, by_name=True)
    return model
