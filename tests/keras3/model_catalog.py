"""Small models covering every layer that maps to Keras 3, as in the quick-start guide and
the tutorials: ``CASES[name]() -> (model, x)``, ``x`` a list of input arrays."""
from __future__ import annotations

import numpy as np

from tinygrad_keras import backend as K
from tinygrad_keras.layers import (
    GRU,
    LSTM,
    Activation,
    AveragePooling1D,
    AveragePooling2D,
    BatchNormalization,
    Bidirectional,
    Convolution1D,
    Convolution2D,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    Input,
    Masking,
    MaxPooling1D,
    MaxPooling2D,
    Merge,
    Permute,
    RepeatVector,
    Reshape,
    SimpleRNN,
    TimeDistributed,
    UpSampling1D,
    UpSampling2D,
    ZeroPadding1D,
    ZeroPadding2D,
    merge,
)
from tinygrad_keras.models import Model, Sequential


def _rand(*shape):
    return np.random.randn(*shape).astype("float32")


def quickstart_mlp():
    m = Sequential([Dense(16, input_dim=20, init="uniform", activation="relu"), Dropout(0.5),
                    Dense(8, activation="tanh"), Dense(3, activation="softmax")])
    m.compile("sgd", "categorical_crossentropy", metrics=["accuracy"])
    x = _rand(32, 20)
    m.fit(x, np.eye(3)[np.random.randint(0, 3, 32)], nb_epoch=2, verbose=0)
    return m, [x[:6]]


def batchnorm_trained_hard_sigmoid():
    m = Sequential([Dense(8, input_dim=5), BatchNormalization(), Activation("relu"),
                    Dense(4, activation="hard_sigmoid"), Dense(1, activation="sigmoid")])
    m.compile("adam", "binary_crossentropy", metrics=["acc"])
    x = _rand(64, 5) * 3 + 1
    m.fit(x, (x[:, :1] > 1).astype("float32"), nb_epoch=3, verbose=0)
    return m, [x[:6]]


def cnn_th():
    m = Sequential([Convolution2D(4, 3, 3, border_mode="valid", input_shape=(2, 10, 10),
                                  activation="relu"),
                    Convolution2D(3, 3, 3, border_mode="same", subsample=(2, 2)),
                    ZeroPadding2D((1, 1)), UpSampling2D((2, 2)), MaxPooling2D((2, 2)),
                    AveragePooling2D((2, 2), strides=(1, 1)), Flatten(),
                    Dense(2, activation="softmax")])
    m.compile("adam", "categorical_crossentropy")
    return m, [_rand(3, 2, 10, 10)]


def cnn_tf_global():
    inp = Input(shape=(8, 8, 3))
    a = Convolution2D(4, 3, 3, dim_ordering="tf", activation="hard_sigmoid")(inp)
    b = GlobalMaxPooling2D(dim_ordering="tf")(a)
    c = GlobalAveragePooling2D(dim_ordering="tf")(a)
    return Model(inp, merge([b, c], mode="concat")), [_rand(3, 8, 8, 3)]


def conv1d_stack():
    m = Sequential([ZeroPadding1D(1, input_shape=(12, 3)), Convolution1D(4, 3),
                    MaxPooling1D(2), UpSampling1D(2), AveragePooling1D(2),
                    Convolution1D(2, 2, subsample_length=2, border_mode="same"),
                    GlobalAveragePooling1D()])
    return m, [_rand(3, 12, 3)]


def recurrent_defaults():
    """Keras 1's defaults: hard_sigmoid gates, LSTM and GRU, 'cpu' and 'gpu' layouts."""
    m = Sequential([LSTM(5, input_shape=(6, 4), return_sequences=True),
                    GRU(4, return_sequences=True), LSTM(3, consume_less="gpu",
                                                        return_sequences=True),
                    GRU(3, consume_less="gpu", return_sequences=True, go_backwards=True),
                    SimpleRNN(3, activation="hard_sigmoid"), Dense(2)])
    m.compile("adamax", "mse")
    x = _rand(4, 6, 4) * 2
    return m, [x]


def recurrent_sigmoid():
    m = Sequential([Masking(0.0, input_shape=(5, 3)),
                    GRU(4, inner_activation="sigmoid", activation="hard_sigmoid",
                        return_sequences=True),
                    LSTM(3, inner_activation="sigmoid", activation="relu")])
    x = _rand(3, 5, 3)
    x[0, 3:] = 0.0  # masked steps: both versions repeat the previous output
    return m, [x]


def embedding_lstm():
    m = Sequential([Embedding(20, 6, input_length=7, mask_zero=True), LSTM(4), Dense(1)])
    m.compile("adadelta", "mse")
    x = np.random.randint(0, 20, (5, 7)).astype("float32")
    x[0, 4:] = 0
    return m, [x]


def stateful_lstm():
    """The quick-start guide's stacked stateful LSTM (a fixed batch size)."""
    m = Sequential([LSTM(4, return_sequences=True, stateful=True, batch_input_shape=(4, 5, 3)),
                    LSTM(3, stateful=True), Dense(2, activation="softmax")])
    m.compile("sgd", "categorical_crossentropy")
    return m, [_rand(4, 5, 3)]


def caption_language_branch():
    """The language branch of the quick-start guide's captioning model."""
    m = Sequential([Embedding(30, 8, input_length=6), GRU(8, return_sequences=True),
                    TimeDistributed(Dense(5)), LSTM(4), RepeatVector(2),
                    GRU(3, return_sequences=True)])
    return m, [np.random.randint(0, 30, (3, 6)).astype("float32")]


def wrappers():
    m = Sequential([TimeDistributed(Dense(5, activation="hard_sigmoid"), input_shape=(4, 3)),
                    Bidirectional(LSTM(3, return_sequences=True), merge_mode="sum"),
                    Bidirectional(GRU(2)), RepeatVector(3), Permute((2, 1)), Reshape((6, 2)),
                    SimpleRNN(2)])
    return m, [_rand(3, 4, 3)]


def two_branch_merge():
    """The quick-start guide's Merge of two Sequential branches."""
    left = Sequential([Dense(8, input_dim=5)])
    right = Sequential([Dense(8, input_dim=4)])
    m = Sequential([Merge([left, right], mode="concat"), Dense(6, activation="relu"),
                    Dense(3, activation="softmax")])
    m.compile("sgd", "categorical_crossentropy", metrics=["accuracy"])
    return m, [_rand(4, 5), _rand(4, 4)]


def functional_shared_multi():
    """Several inputs and outputs, a shared layer, every merge mode, a nested model."""
    a, b = Input(shape=(6,), name="in_a"), Input(shape=(6,), name="in_b")
    shared = Dense(4, activation="tanh", name="shared")
    sa, sb = shared(a), shared(b)
    inner_in = Input(shape=(4,))
    inner = Model(inner_in, Dense(4, activation="softplus")(inner_in), name="inner")
    ia, ib = inner(sa), inner(sb)
    mixed = [merge([ia, ib], mode=mode) for mode in ("sum", "mul", "ave", "max")]
    dot = merge([sa, sb], mode="dot", dot_axes=1)
    main = Dense(1, activation="sigmoid", name="main_output")(
        merge(mixed + [dot], mode="concat"))
    aux = Dense(2, activation="softsign", name="aux_output")(Activation("elu")(sa))
    model = Model(input=[a, b], output=[main, aux])
    model.compile("sgd", loss=["binary_crossentropy", "mse"], loss_weights=[1.0, 0.2],
                  metrics=["accuracy"])
    return model, [_rand(5, 6), _rand(5, 6)]


CASES = {f.__name__: f for f in (quickstart_mlp, batchnorm_trained_hard_sigmoid, cnn_th,
                                  cnn_tf_global, conv1d_stack, recurrent_defaults,
                                  recurrent_sigmoid, embedding_lstm, stateful_lstm,
                                  caption_language_branch, wrappers,
                                  two_branch_merge, functional_shared_multi)}


def build(name: str):
    np.random.seed(sum(map(ord, name)))
    K.set_learning_phase(0)
    return CASES[name]()
