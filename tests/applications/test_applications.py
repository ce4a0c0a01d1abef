"""keras.applications: architectures, input checks, and loading planted release files.

Nothing here touches the network: ``HOME`` points at a temporary folder whose
``~/.keras/models`` holds stand-in files (``fake_releases``), and any download
attempt fails the test.
"""
from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
from scipy.signal import convolve2d

from tests.applications.fake_releases import (
    models_dir,
    release_arrays,
    write_class_index,
    write_release,
)
from tinygrad_keras import backend as K
from tinygrad_keras.applications import (
    VGG16,
    VGG19,
    InceptionV3,
    MusicTaggerCRNN,
    ResNet50,
    Xception,
    imagenet_utils,
)
from tinygrad_keras.engine.hdf5_format import WeightFileError
from tinygrad_keras.layers import Input
from tinygrad_keras.utils import data_utils


@pytest.fixture(autouse=True)
def offline_home(tmp_path, monkeypatch):
    """An empty HOME, no downloads, the class index cache reset, 'th' ordering restored."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KERAS_HOME", raising=False)      # the cache is ~/.keras/models

    def no_download(origin, fpath, md5_hash=None, timeout=60):
        raise AssertionError(f"test tried to download {origin}")
    monkeypatch.setattr(data_utils, "download", no_download)
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    ordering = K.image_dim_ordering()
    yield tmp_path
    K.set_image_dim_ordering(ordering)


def kernels(model) -> dict:
    return {layer.name: layer.get_weights() for layer in model.layers if layer.weights}


# ---- architectures ------------------------------------------------------------------------
@pytest.mark.parametrize("ordering", ["th", "tf"])
def test_vgg16_vgg19_match_keras_1_2_2(ordering):
    K.set_image_dim_ordering(ordering)
    vgg16 = VGG16(weights=None, include_top=False, input_shape=None)
    vgg19 = VGG19(weights=None, include_top=False)
    names16 = [layer.name for layer in vgg16.layers]
    assert names16[1:4] == ["block1_conv1", "block1_conv2", "block1_pool"]
    assert names16[-1] == "block5_pool" and len(names16) == 19
    assert sum(w.size for w in vgg16.get_weights()) == 14714688
    assert sum(w.size for w in vgg19.get_weights()) == 20024384
    assert "block5_conv4" in [layer.name for layer in vgg19.layers]
    assert vgg16.name == "vgg16" and vgg19.name == "vgg19"
    expected = (None, 512, None, None) if ordering == "th" else (None, None, None, 512)
    assert vgg16.output_shape == expected


def test_resnet50_inception_xception_parameter_counts():
    resnet = ResNet50(weights=None)              # Keras 1.2.2: 25,636,712
    assert resnet.output_shape == (None, 1000)
    assert sum(w.size for w in resnet.get_weights()) == 25636712
    assert resnet.get_layer("res5c_branch2c").W.shape == (2048, 512, 1, 1)
    inception = InceptionV3(weights=None, include_top=False)
    assert inception.get_layer("mixed10").output_shape == (None, 2048, None, None)
    # Keras 2's 21,802,784 plus 1.2.2's conv biases and BN gammas, minus the 160-wide
    # (not 192) first convolution of mixed7's double 7x7 branch: 21,769,472
    assert sum(w.size for w in inception.get_weights()) == 21769472
    with pytest.warns(UserWarning, match="only available for the 'tf'"):
        xception = Xception(weights=None)
    assert K.image_dim_ordering() == "th"        # restored after building with 'tf'
    assert xception.input_shape == (None, 299, 299, 3)
    assert sum(w.size for w in xception.get_weights()) == 22910480


@pytest.mark.parametrize("ordering", ["th", "tf"])
def test_music_tagger_shapes(ordering):
    K.set_image_dim_ordering(ordering)
    model = MusicTaggerCRNN(weights=None)
    assert model.output_shape == (None, 50)
    assert model.input_shape == ((None, 1, 96, 1366) if ordering == "th" else
                                 (None, 96, 1366, 1))
    assert sum(w.size for w in model.get_weights()) == 400562
    assert MusicTaggerCRNN(weights=None, include_top=False).output_shape == (None, 32)


def test_small_forward_pass_and_input_tensor():
    inp = Input(shape=(3, 48, 48))
    model = VGG16(weights=None, include_top=False, input_tensor=inp)
    assert model.inputs[0] is inp
    out = model.predict(np.random.rand(2, 3, 48, 48).astype("float32"))
    assert out.shape == (2, 512, 1, 1) and np.all(out >= 0)


# ---- argument checks ------------------------------------------------------------------------
@pytest.mark.parametrize("build, kwargs, message", [
    (VGG16, {"input_shape": (3, 200, 200)}, "include_top=True"),
    (VGG16, {"include_top": False, "input_shape": (3, 40, 60)}, "at least 48x48"),
    (VGG16, {"include_top": False, "input_shape": (1, 64, 64)}, "3 channels"),
    (VGG16, {"include_top": False, "input_shape": (64, 64)}, "three integers"),
    (ResNet50, {"include_top": False, "input_shape": (3, 150, 224)}, "at least 197x197"),
    (InceptionV3, {"include_top": False, "input_shape": (3, 100, 150)}, "at least 139x139"),
    (VGG16, {"weights": "places"}, "`weights` argument"),
    (VGG16, {"weights": "imagenet", "classes": 10}, "`classes` should be 1000"),
    (MusicTaggerCRNN, {"weights": "imagenet"}, "`weights` argument"),
    (VGG16, {"include_top": False, "input_tensor": np.zeros((1, 3, 64, 64))}, "Keras tensor"),
])
def test_bad_arguments_are_refused(build, kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        build(**({"weights": None} | kwargs))


def test_tf_ordering_input_shape_checks():
    K.set_image_dim_ordering("tf")
    with pytest.raises(ValueError, match="3 channels"):
        VGG16(weights=None, include_top=False, input_shape=(3, 64, 64))
    assert VGG16(weights=None, include_top=False,
                 input_shape=(64, 48, 3)).output_shape == (None, 2, 1, 512)


# ---- loading planted weight files ----------------------------------------------------------
def test_th_kernel_file_is_flipped_once_and_computes_a_true_convolution(offline_home):
    template = VGG16(weights=None, include_top=False, input_shape=(3, 48, 48))
    path = os.path.join(models_dir(offline_home), "vgg16_weights_th_dim_ordering_th_kernels_notop.h5")
    arrays = write_release(template, path, theano_names=True)   # Theano-style names
    model = VGG16(weights="imagenet", include_top=False, input_shape=(3, 48, 48))
    kernel = model.get_layer("block1_conv1").get_weights()[0]
    np.testing.assert_array_equal(kernel, arrays["block1_conv1"][0][:, :, ::-1, ::-1])
    np.testing.assert_array_equal(model.get_layer("block5_conv3").get_weights()[1],
                                  arrays["block5_conv3"][1])
    # the layer computes what Theano computed with the file's kernel: a true convolution
    image = np.random.rand(1, 3, 48, 48).astype("float32")
    first = K.function([model.input], [model.get_layer("block1_conv1").output])([image])[0]
    w, b = arrays["block1_conv1"]
    pre = sum(convolve2d(image[0, c], w[5, c], mode="same") for c in range(3)) + b[5]
    np.testing.assert_allclose(first[0, 5], np.maximum(pre, 0), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("theano_names", [False, True])
def test_tf_kernel_file_is_loaded_as_it_is(offline_home, theano_names):
    K.set_image_dim_ordering("tf")
    template = VGG16(weights=None, include_top=False, input_shape=(48, 48, 3))
    path = os.path.join(models_dir(offline_home), "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5")
    arrays = write_release(template, path, theano_names=theano_names)
    model = VGG16(weights="imagenet", include_top=False, input_shape=(48, 48, 3))
    for name, values in kernels(model).items():
        for got, want in zip(values, arrays[name]):
            np.testing.assert_array_equal(got, want)


def test_resnet50_file_with_md5_mismatch_warns_and_loads(offline_home):
    template = ResNet50(weights=None, include_top=False)
    path = os.path.join(models_dir(offline_home),
                        "resnet50_weights_th_dim_ordering_th_kernels_notop.h5")
    arrays = write_release(template, path)
    with pytest.warns(UserWarning, match="does not match the expected MD5"):
        model = ResNet50(weights="imagenet", include_top=False)
    bn = model.get_layer("bn4f_branch2c").get_weights()
    for got, want in zip(bn, arrays["bn4f_branch2c"]):                   # not kernels: as is
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(model.get_layer("conv1").get_weights()[0],
                                  arrays["conv1"][0][:, :, ::-1, ::-1])


def test_inception_and_xception_load_tf_files(offline_home):
    K.set_image_dim_ordering("tf")
    folder = models_dir(offline_home)
    template = InceptionV3(weights=None, include_top=False)
    arrays = write_release(template, os.path.join(
        folder, "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"))
    with pytest.warns(UserWarning, match="MD5"):
        model = InceptionV3(weights="imagenet", include_top=False)
    # positional loading: every array lands in the same place as in the template
    want = [a for layer in template.layers for a in arrays[layer.name]]
    for got, expected in zip(model.get_weights(), want, strict=True):
        np.testing.assert_array_equal(got, expected)
    template = Xception(weights=None, include_top=False)
    arrays = write_release(template, os.path.join(
        folder, "xception_weights_tf_dim_ordering_tf_kernels_notop.h5"))
    model = Xception(weights="imagenet", include_top=False)
    sep = model.get_layer("block14_sepconv2").get_weights()
    for got, want in zip(sep, arrays["block14_sepconv2"]):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("ordering", ["th", "tf"])
def test_music_tagger_loads_by_name_without_flipping(offline_home, ordering):
    K.set_image_dim_ordering(ordering)
    template = MusicTaggerCRNN(weights=None)
    fname = f"music_tagger_crnn_weights_tf_kernels_{ordering}_dim_ordering.h5"
    arrays = write_release(template, os.path.join(models_dir(offline_home), fname),
                           theano_names=True)
    model = MusicTaggerCRNN()
    for name in ("conv1", "bn_0_freq", "gru2", "output"):
        for got, want in zip(model.get_layer(name).get_weights(), arrays[name]):
            np.testing.assert_array_equal(got, want)


def test_a_damaged_file_changes_nothing(offline_home):
    template = VGG16(weights=None, include_top=False)
    arrays = release_arrays(template)
    arrays["block5_conv3"][0] = arrays["block5_conv3"][0][:, :, :1, :1]   # wrong shape, last
    write_release(template, os.path.join(models_dir(offline_home),
                  "vgg16_weights_th_dim_ordering_th_kernels_notop.h5"), arrays=arrays)
    with pytest.raises(WeightFileError, match="block5_conv3"):
        VGG16(include_top=False)
    # the same model object, built first, keeps its weights when loading fails
    from tinygrad_keras.applications._common import load_release
    from tinygrad_keras.applications.vgg16 import TH_WEIGHTS_NO_TOP
    before = template.get_weights()
    with pytest.raises(WeightFileError):
        load_release(template, TH_WEIGHTS_NO_TOP)
    for got, want in zip(template.get_weights(), before):
        np.testing.assert_array_equal(got, want)


def test_a_file_whose_layer_names_disagree_is_refused(offline_home):
    template = VGG16(weights=None, include_top=False)
    write_release(template, os.path.join(models_dir(offline_home),
                  "vgg16_weights_th_dim_ordering_th_kernels_notop.h5"),
                  rename={"block3_conv1": "block3_conv2", "block3_conv2": "block3_conv1"})
    with pytest.raises(WeightFileError, match="'block3_conv1' would receive"):
        VGG16(include_top=False)


# ---- imagenet_utils ---------------------------------------------------------------------------
def test_decode_predictions_with_a_planted_class_index(offline_home):
    write_class_index(models_dir(offline_home))
    preds = np.zeros((2, 1000), dtype="float32")
    preds[0, [7, 3, 999]] = [0.5, 0.3, 0.2]
    preds[1, 42] = 1.0
    decoded = imagenet_utils.decode_predictions(preds, top=3)
    assert decoded[0] == [("n00000007", "class_7", 0.5), ("n00000003", "class_3", 0.3),
                          ("n00000999", "class_999", pytest.approx(0.2))]
    assert decoded[1][0] == ("n00000042", "class_42", 1.0)
    with pytest.raises(ValueError, match=r"\(samples, 1000\)"):
        imagenet_utils.decode_predictions(np.zeros((2, 10)))


def test_a_wrong_class_index_file_is_refused(offline_home):
    with open(os.path.join(models_dir(offline_home), "imagenet_class_index.json"), "w") as f:
        f.write('{"0": ["n0", "tench"]}')
    with pytest.raises(ValueError, match="not the ImageNet class index"):
        imagenet_utils.decode_predictions(np.zeros((1, 1000)))


@pytest.mark.parametrize("ordering, shape, axis", [("th", (1, 3, 2, 2), 1),
                                                   ("tf", (1, 2, 2, 3), 3)])
def test_preprocess_input_bgr_minus_mean(ordering, shape, axis):
    x = np.zeros(shape, dtype="uint8")
    np.moveaxis(x, axis, -1)[...] = [10, 20, 30]                # R, G, B
    out = imagenet_utils.preprocess_input(x, dim_ordering=ordering)
    assert out.dtype == np.float32 and x[0].flat[0] in (10, 0)  # input untouched
    np.testing.assert_allclose(np.moveaxis(out, axis, -1)[0, 0, 0],
                               [30 - 103.939, 20 - 116.779, 10 - 123.68], rtol=1e-6)
    with pytest.raises(ValueError, match="RGB images"):
        imagenet_utils.preprocess_input(np.zeros((3, 4, 4)), dim_ordering=ordering)


def test_alias_imports():
    import importlib

    from tinygrad_keras._alias import install_keras_alias
    install_keras_alias()
    for name in ("vgg16", "vgg19", "resnet50", "inception_v3", "xception",
                 "music_tagger_crnn", "imagenet_utils", "audio_conv_utils"):
        module = importlib.import_module(f"keras.applications.{name}")
        assert module is importlib.import_module(f"tinygrad_keras.applications.{name}")
    from keras.applications import VGG16 as aliased
    assert aliased is VGG16
    from keras.applications.vgg16 import TF_WEIGHTS_PATH
    assert TF_WEIGHTS_PATH.endswith("v0.1/vgg16_weights_tf_dim_ordering_tf_kernels.h5")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert callable(importlib.import_module("keras.applications.resnet50").conv_block)


def test_docstring_examples_run():
    import doctest
    import importlib
    for name in ("vgg16", "vgg19"):
        result = doctest.testmod(importlib.import_module(f"tinygrad_keras.applications.{name}"))
        assert result.attempted >= 2 and result.failed == 0



def test_th_file_on_th_and_its_tf_twin_on_tf_compute_the_same(offline_home):
    """The same trained network, released once as a 'th' file (true-convolution kernels
    (F, C, kh, kw)) and once as a 'tf' file (correlation kernels (kh, kw, C, F)), gives the
    same features in both orderings."""
    folder = models_dir(offline_home)
    th_model = VGG16(weights=None, include_top=False, input_shape=(3, 48, 48))
    arrays = write_release(th_model, os.path.join(
        folder, "vgg16_weights_th_dim_ordering_th_kernels_notop.h5"))
    K.set_image_dim_ordering("tf")
    tf_model = VGG16(weights=None, include_top=False, input_shape=(48, 48, 3))
    twin = {name: ([values[0].transpose(2, 3, 1, 0)[::-1, ::-1], values[1]] if values else [])
            for name, values in arrays.items()}
    write_release(tf_model, os.path.join(folder, "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"),
                  arrays=twin)
    tf_model = VGG16(include_top=False, input_shape=(48, 48, 3))
    K.set_image_dim_ordering("th")
    th_model = VGG16(include_top=False, input_shape=(3, 48, 48))
    images = np.random.rand(2, 3, 48, 48).astype("float32") * 100
    th_out = th_model.predict(images)
    tf_out = tf_model.predict(images.transpose(0, 2, 3, 1))
    assert np.abs(th_out).max() > 0
    np.testing.assert_allclose(tf_out.transpose(0, 3, 1, 2), th_out, rtol=1e-4, atol=1e-4)


@pytest.mark.skipif(os.environ.get("TINYGRAD_KERAS_SLOW") != "1",
                    reason="full-size ResNet50 at 224x224 in both orderings; set "
                           "TINYGRAD_KERAS_SLOW=1")
def test_full_resnet50_th_file_and_tf_twin_classify_alike(offline_home):
    """include_top=True, 224x224: the planted 'th' release and its 'tf' twin give the same
    class probabilities (the top sits after a 1x1 average pool, so Flatten's order agrees)."""
    folder = models_dir(offline_home)
    template = ResNet50(weights=None)
    arrays = write_release(template, os.path.join(
        folder, "resnet50_weights_th_dim_ordering_th_kernels.h5"))
    twin = {name: ([values[0].transpose(2, 3, 1, 0)[::-1, ::-1]] + values[1:]
                   if values and values[0].ndim == 4 else values)
            for name, values in arrays.items()}
    K.set_image_dim_ordering("tf")
    write_release(ResNet50(weights=None), os.path.join(
        folder, "resnet50_weights_tf_dim_ordering_tf_kernels.h5"), arrays=twin)
    with pytest.warns(UserWarning, match="MD5"):
        tf_model = ResNet50()
    K.set_image_dim_ordering("th")
    with pytest.warns(UserWarning, match="MD5"):
        th_model = ResNet50()
    images = imagenet_utils.preprocess_input(
        np.random.rand(1, 3, 224, 224).astype("float32") * 255, dim_ordering="th")
    th_probs = th_model.predict(images)
    tf_probs = tf_model.predict(images.transpose(0, 2, 3, 1))
    assert th_probs.shape == (1, 1000)
    np.testing.assert_allclose(tf_probs, th_probs, rtol=1e-3, atol=1e-6)


def test_music_tagger_file_missing_a_layer_is_refused(offline_home):
    template = MusicTaggerCRNN(weights=None, include_top=False)   # no 'output' layer
    path = os.path.join(models_dir(offline_home),
                        "music_tagger_crnn_weights_tf_kernels_th_dim_ordering.h5")
    write_release(template, path)
    with pytest.raises(WeightFileError, match=r"no weights for layer\(s\) \['output'\]"):
        MusicTaggerCRNN()
    assert MusicTaggerCRNN(include_top=False).output_shape == (None, 32)  # the top is optional
