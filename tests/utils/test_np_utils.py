"""np_utils against hand-computed values (Keras 1.2.2 semantics)."""
import numpy as np
import pytest

from tinygrad_keras import backend as K
from tinygrad_keras.utils import np_utils


def test_to_categorical_is_float64_one_hot():
    out = np_utils.to_categorical(np.array([[2], [0], [1]]))
    assert out.dtype == np.float64 and out.shape == (3, 3)
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert np_utils.to_categorical([1], 4).tolist() == [[0, 1, 0, 0]]


def test_to_categorical_rejects_labels_outside_classes():
    with pytest.raises(ValueError, match=r"\[0, 2\).*from 0 to 3"):
        np_utils.to_categorical([0, 3], 2)


def test_normalize_leaves_zero_rows():
    a = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(np_utils.normalize(a), [[0.6, 0.8], [0.0, 0.0]])
    np.testing.assert_allclose(np_utils.normalize(a, axis=0, order=1), [[1.0, 1.0], [0.0, 0.0]])


def test_logloss_helpers():
    p, y = np.array([0.9, 0.2]), np.array([1, 0])
    expected = -(np.log(0.9) + np.log(0.8)) / 2
    assert np_utils.binary_logloss(p, y) == pytest.approx(expected)
    assert np.isfinite(np_utils.binary_logloss(np.array([0.0, 1.0]), np.array([1, 0])))
    probs = np.array([[0.7, 0.3], [0.4, 0.6]])
    # labels are 1-based in 1.2.2: label 1 -> column 0
    assert np_utils.multiclass_logloss(probs, [1, 2]) == pytest.approx(-(np.log(0.7) + np.log(0.6)) / 2)


def test_accuracy_and_class_conversion():
    assert np_utils.accuracy([1, 2, 3], [1, 0, 3]) == pytest.approx(2 / 3)
    np.testing.assert_array_equal(np_utils.probas_to_classes(np.array([[0.1, 0.9], [0.8, 0.2]])), [1, 0])
    np.testing.assert_array_equal(np_utils.probas_to_classes(np.array([[0.7], [0.2]])), [1, 0])
    np.testing.assert_array_equal(np_utils.probas_to_classes(np.array([0.51, 0.5])), [1, 0])
    np.testing.assert_array_equal(np_utils.categorical_probas_to_classes(np.eye(3)[[2, 0]]), [2, 0])


def test_convert_kernel_flips_spatial_axes_only():
    k = np.arange(2 * 3 * 2 * 2).reshape(2, 3, 2, 2)
    th = np_utils.convert_kernel(k, "th")
    np.testing.assert_array_equal(th, k[:, :, ::-1, ::-1])
    tf = np_utils.convert_kernel(k, "tf")
    np.testing.assert_array_equal(tf, k[::-1, ::-1, :, :])
    np.testing.assert_array_equal(np_utils.convert_kernel(th, "th"), k)  # its own inverse
    assert K.image_dim_ordering() == "th"
    np.testing.assert_array_equal(np_utils.convert_kernel(k), th)
    k5 = np.arange(32).reshape(2, 2, 2, 2, 2)
    np.testing.assert_array_equal(np_utils.convert_kernel(k5, "th"), k5[:, :, ::-1, ::-1, ::-1])


def test_convert_kernel_errors():
    with pytest.raises(ValueError, match=r"4D or 5D kernel, got shape \(3, 3\)"):
        np_utils.convert_kernel(np.ones((3, 3)), "th")
    with pytest.raises(ValueError, match="'th' or 'tf'"):
        np_utils.convert_kernel(np.ones((1, 1, 3, 3)), "nchw")


@pytest.mark.parametrize("n,f,mode,s,expected", [
    (28, 3, "valid", 1, 26), (28, 3, "same", 1, 28), (28, 3, "full", 1, 30),
    (28, 3, "valid", 2, 13), (7, 2, "same", 2, 4), (10, 3, "valid", 1, 8), (None, 3, "same", 1, None),
])
def test_conv_output_length(n, f, mode, s, expected):
    assert np_utils.conv_output_length(n, f, mode, s) == expected


def test_conv_output_length_dilation_and_bad_mode():
    assert np_utils.conv_output_length(10, 3, "valid", 1, dilation=2) == 6
    with pytest.raises(ValueError, match="border_mode must be one of"):
        np_utils.conv_output_length(10, 3, "half", 1)


def test_conv_input_length_inverts_output_length():
    assert np_utils.conv_input_length(26, 3, "valid", 1) == 28
    assert np_utils.conv_input_length(28, 3, "same", 1) == 28
    assert np_utils.conv_input_length(30, 3, "full", 1) == 28
    assert np_utils.conv_input_length(13, 4, "valid", 2) == 28
    assert np_utils.conv_input_length(None, 3, "valid", 1) is None
