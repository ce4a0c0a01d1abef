"""The layer contract (``layer_test``, Keras 1.2.2 semantics) for every
convolution, pooling and resizing layer, in both orderings where they apply."""
import numpy as np
import pytest

from tinygrad_keras.layers import convolutional as C
from tinygrad_keras.layers import pooling as P
from tinygrad_keras.utils.test_utils import layer_test


def image_shape(ordering, c=2, h=7, w=6):
    return (2, c, h, w) if ordering == "th" else (2, h, w, c)


CASES_2D = [
    (C.Convolution2D, {"nb_filter": 3, "nb_row": 3, "nb_col": 2, "border_mode": "same",
                       "subsample": (2, 2)}),
    (C.Convolution2D, {"nb_filter": 2, "nb_row": 2, "nb_col": 2, "activation": "relu",
                       "W_regularizer": "l2", "b_regularizer": "l1", "bias": True}),
    (C.AtrousConvolution2D, {"nb_filter": 2, "nb_row": 2, "nb_col": 2,
                             "atrous_rate": (2, 2)}),
    (C.SeparableConvolution2D, {"nb_filter": 3, "nb_row": 3, "nb_col": 3,
                                "depth_multiplier": 2, "border_mode": "same"}),
    (P.MaxPooling2D, {"pool_size": (3, 3), "strides": (2, 2), "border_mode": "same"}),
    (P.AveragePooling2D, {"pool_size": (2, 2), "border_mode": "valid"}),
    (P.GlobalMaxPooling2D, {}),
    (P.GlobalAveragePooling2D, {}),
    (C.ZeroPadding2D, {"padding": (1, 2)}),
    (C.Cropping2D, {"cropping": ((1, 2), (0, 1))}),
    (C.UpSampling2D, {"size": (2, 3)}),
    (C.SpatialDropout2D, {"p": 0.5}),
]


@pytest.mark.parametrize("ordering", ["th", "tf"])
@pytest.mark.parametrize("cls, kwargs", CASES_2D, ids=[c.__name__ for c, _ in CASES_2D])
def test_contract_2d(cls, kwargs, ordering):
    np.random.seed(0)
    layer_test(cls, kwargs={**kwargs, "dim_ordering": ordering}, input_shape=image_shape(ordering))


@pytest.mark.parametrize("ordering", ["th", "tf"])
def test_contract_deconvolution2d(ordering):
    out = (None, 3, 9, 8) if ordering == "th" else (None, 9, 8, 3)
    layer_test(C.Deconvolution2D, kwargs={"nb_filter": 3, "nb_row": 3, "nb_col": 3,
                                          "output_shape": out, "dim_ordering": ordering},
               input_shape=image_shape(ordering))


CASES_1D = [
    (C.Convolution1D, {"nb_filter": 3, "filter_length": 3, "border_mode": "same",
                       "subsample_length": 2}),
    (C.AtrousConvolution1D, {"nb_filter": 2, "filter_length": 2, "atrous_rate": 2}),
    (P.MaxPooling1D, {"pool_length": 3, "stride": 2, "border_mode": "same"}),
    (P.AveragePooling1D, {}),
    (P.GlobalMaxPooling1D, {}),
    (P.GlobalAveragePooling1D, {}),
    (C.ZeroPadding1D, {"padding": (1, 2)}),
    (C.Cropping1D, {"cropping": (1, 2)}),
    (C.UpSampling1D, {"length": 2}),
    (C.SpatialDropout1D, {"p": 0.5}),
]


@pytest.mark.parametrize("cls, kwargs", CASES_1D, ids=[c.__name__ for c, _ in CASES_1D])
def test_contract_1d(cls, kwargs):
    np.random.seed(0)
    layer_test(cls, kwargs=kwargs, input_shape=(2, 7, 3))


def test_zero_padding_values_as_in_1_2_2_tests():
    out = layer_test(C.ZeroPadding2D, kwargs={"padding": (2, 2), "dim_ordering": "th"},
                     input_data=np.ones((2, 2, 4, 4), dtype="float32"))
    assert np.all(out[:, :, :2] == 0) and np.all(out[:, :, -2:] == 0)
    assert np.all(out[:, :, 2:-2, 2:-2] == 1)
