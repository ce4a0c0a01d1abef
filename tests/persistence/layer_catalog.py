"""One small instance of every layer type, for save/load round trips.

``catalog(ordering)`` gives ``(name, make_layer, input_shape, int_input)``;
``make_layer(**kwargs)`` builds a fresh layer so that a test can make two
identical models.  Image layers get ``dim_ordering=ordering``.
"""
from tinygrad_keras import layers as L


def _image_shape(ordering: str, channels: int, rows: int, cols: int) -> tuple:
    return (channels, rows, cols) if ordering == "th" else (rows, cols, channels)


def _seq_entries() -> list:
    return [
        ("Dense", lambda **k: L.Dense(3, **k), (4,), False),
        ("Activation", lambda **k: L.Activation("tanh", **k), (4,), False),
        ("ActivityRegularization", lambda **k: L.ActivityRegularization(l1=0.1, **k), (4,),
         False),
        ("Dropout", lambda **k: L.Dropout(0.3, **k), (4,), False),
        ("Flatten", lambda **k: L.Flatten(**k), (2, 3), False),
        ("Reshape", lambda **k: L.Reshape((3, 2), **k), (6,), False),
        ("Permute", lambda **k: L.Permute((2, 1), **k), (2, 3), False),
        ("RepeatVector", lambda **k: L.RepeatVector(2, **k), (3,), False),
        ("Masking", lambda **k: L.Masking(0.0, **k), (3, 2), False),
        ("Highway", lambda **k: L.Highway(activation="relu", **k), (4,), False),
        ("MaxoutDense", lambda **k: L.MaxoutDense(3, nb_feature=2, **k), (4,), False),
        ("TimeDistributedDense", lambda **k: L.TimeDistributedDense(3, **k), (2, 4), False),
        ("Embedding", lambda **k: L.Embedding(7, 3, input_length=5, **k), (5,), True),
        ("SimpleRNN", lambda **k: L.SimpleRNN(3, return_sequences=True, **k), (4, 2), False),
        ("GRU", lambda **k: L.GRU(3, **k), (4, 2), False),
        ("GRU_gpu", lambda **k: L.GRU(3, consume_less="gpu", **k), (4, 2), False),
        ("LSTM", lambda **k: L.LSTM(3, **k), (4, 2), False),
        ("LSTM_gpu", lambda **k: L.LSTM(3, consume_less="gpu", **k), (4, 2), False),
        ("TimeDistributed", lambda **k: L.TimeDistributed(L.Dense(3), **k), (2, 4), False),
        ("Bidirectional", lambda **k: L.Bidirectional(L.LSTM(2), **k), (4, 2), False),
        ("BatchNormalization", lambda **k: L.BatchNormalization(**k), (4,), False),
        ("BatchNormalization_mode2", lambda **k: L.BatchNormalization(mode=2, **k), (4,), False),
        ("GaussianNoise", lambda **k: L.GaussianNoise(0.1, **k), (4,), False),
        ("GaussianDropout", lambda **k: L.GaussianDropout(0.1, **k), (4,), False),
        ("LeakyReLU", lambda **k: L.LeakyReLU(0.2, **k), (4,), False),
        ("PReLU", lambda **k: L.PReLU(**k), (4,), False),
        ("ELU", lambda **k: L.ELU(**k), (4,), False),
        ("ParametricSoftplus", lambda **k: L.ParametricSoftplus(**k), (4,), False),
        ("ThresholdedReLU", lambda **k: L.ThresholdedReLU(0.5, **k), (4,), False),
        ("SReLU", lambda **k: L.SReLU(**k), (4,), False),
        ("Convolution1D", lambda **k: L.Convolution1D(3, 2, **k), (5, 2), False),
        ("AtrousConvolution1D", lambda **k: L.AtrousConvolution1D(3, 2, atrous_rate=2, **k),
         (6, 2), False),
        ("MaxPooling1D", lambda **k: L.MaxPooling1D(2, **k), (4, 2), False),
        ("AveragePooling1D", lambda **k: L.AveragePooling1D(2, **k), (4, 2), False),
        ("GlobalMaxPooling1D", lambda **k: L.GlobalMaxPooling1D(**k), (4, 2), False),
        ("GlobalAveragePooling1D", lambda **k: L.GlobalAveragePooling1D(**k), (4, 2), False),
        ("ZeroPadding1D", lambda **k: L.ZeroPadding1D(1, **k), (4, 2), False),
        ("UpSampling1D", lambda **k: L.UpSampling1D(2, **k), (4, 2), False),
        ("Cropping1D", lambda **k: L.Cropping1D((1, 1), **k), (4, 2), False),
        ("SpatialDropout1D", lambda **k: L.SpatialDropout1D(0.2, **k), (4, 2), False),
        ("LocallyConnected1D", lambda **k: L.LocallyConnected1D(3, 2, subsample_length=2, **k),
         (5, 2), False),
    ]


def _image_entries(o: str) -> list:
    def img(c=2, r=5, col=5):
        return _image_shape(o, c, r, col)
    deconv_out = (None,) + _image_shape(o, 3, 7, 7)
    return [
        ("Convolution2D", lambda **k: L.Convolution2D(3, 3, 2, dim_ordering=o, **k), img(),
         False),
        ("AtrousConvolution2D", lambda **k: L.AtrousConvolution2D(
            3, 2, 2, atrous_rate=(2, 2), dim_ordering=o, **k), img(), False),
        ("SeparableConvolution2D", lambda **k: L.SeparableConvolution2D(
            3, 2, 2, depth_multiplier=2, dim_ordering=o, **k), img(), False),
        ("Deconvolution2D", lambda **k: L.Deconvolution2D(3, 3, 3, deconv_out, dim_ordering=o,
                                                          **k), img(), False),
        ("MaxPooling2D", lambda **k: L.MaxPooling2D((2, 2), dim_ordering=o, **k), img(4, 4, 4),
         False),
        ("AveragePooling2D", lambda **k: L.AveragePooling2D((2, 2), dim_ordering=o, **k),
         img(4, 4, 4), False),
        ("GlobalMaxPooling2D", lambda **k: L.GlobalMaxPooling2D(dim_ordering=o, **k), img(),
         False),
        ("GlobalAveragePooling2D", lambda **k: L.GlobalAveragePooling2D(dim_ordering=o, **k),
         img(), False),
        ("ZeroPadding2D", lambda **k: L.ZeroPadding2D((1, 1), dim_ordering=o, **k), img(),
         False),
        ("UpSampling2D", lambda **k: L.UpSampling2D((2, 2), dim_ordering=o, **k), img(), False),
        ("Cropping2D", lambda **k: L.Cropping2D(((1, 0), (0, 1)), dim_ordering=o, **k), img(),
         False),
        ("SpatialDropout2D", lambda **k: L.SpatialDropout2D(0.2, dim_ordering=o, **k), img(),
         False),
        ("BatchNormalization_image", lambda **k: L.BatchNormalization(
            axis=1 if o == "th" else -1, **k), img(), False),
    ]


def _volume_entries(o: str) -> list:
    def vol(c=2, d=4, r=4, col=3):
        return (c, d, r, col) if o == "th" else (d, r, col, c)
    seq = (3, 2, 5, 4) if o == "th" else (3, 5, 4, 2)   # (time, image) for ConvLSTM2D
    return [
        ("LocallyConnected2D", lambda **k: L.LocallyConnected2D(3, 2, 2, dim_ordering=o, **k),
         _image_shape(o, 2, 4, 5), False),
        ("ConvLSTM2D", lambda **k: L.ConvLSTM2D(3, 2, 2, border_mode="same", dim_ordering=o,
                                                return_sequences=True, **k), seq, False),
        ("Convolution3D", lambda **k: L.Convolution3D(3, 2, 2, 2, dim_ordering=o, **k), vol(),
         False),
        ("MaxPooling3D", lambda **k: L.MaxPooling3D(dim_ordering=o, **k), vol(), False),
        ("AveragePooling3D", lambda **k: L.AveragePooling3D(border_mode="same", dim_ordering=o,
                                                            **k), vol(), False),
        ("GlobalMaxPooling3D", lambda **k: L.GlobalMaxPooling3D(dim_ordering=o, **k), vol(),
         False),
        ("GlobalAveragePooling3D", lambda **k: L.GlobalAveragePooling3D(dim_ordering=o, **k),
         vol(), False),
        ("UpSampling3D", lambda **k: L.UpSampling3D((2, 1, 2), dim_ordering=o, **k), vol(),
         False),
        ("ZeroPadding3D", lambda **k: L.ZeroPadding3D((1, 0, 2), dim_ordering=o, **k), vol(),
         False),
        ("Cropping3D", lambda **k: L.Cropping3D(((1, 0), (0, 1), (1, 1)), dim_ordering=o, **k),
         vol(), False),
        ("SpatialDropout3D", lambda **k: L.SpatialDropout3D(0.2, dim_ordering=o, **k), vol(),
         False),
    ]


def catalog(ordering: str) -> list:
    return _seq_entries() + _image_entries(ordering) + _volume_entries(ordering)
