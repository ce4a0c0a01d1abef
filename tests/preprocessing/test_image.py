"""ImageDataGenerator: transforms, standardization, fit statistics, flow batches."""
import numpy as np
import pytest

from tinygrad_keras.preprocessing import image as I


def images(ordering="th", n=8, c=3, h=6, w=5, seed=0):
    x = np.random.default_rng(seed).uniform(0, 1, (n, c, h, w)).astype("float32")
    return x if ordering == "th" else x.transpose(0, 2, 3, 1)


def test_identity_generator_changes_nothing():
    x = images()
    gen = I.ImageDataGenerator(dim_ordering="th")
    np.testing.assert_array_equal(gen.random_transform(x[0]), x[0])
    np.testing.assert_array_equal(gen.standardize(x[0]), x[0])


@pytest.mark.parametrize("ordering", ["th", "tf"])
def test_flips(ordering):
    x = images(ordering)[0]
    col, row = (2, 1) if ordering == "th" else (1, 0)
    gen = I.ImageDataGenerator(horizontal_flip=True, vertical_flip=True, dim_ordering=ordering)
    seen = set()
    np.random.seed(0)
    for _ in range(40):
        y = gen.random_transform(x)
        flips = (np.array_equal(y, np.flip(x, col)) or np.array_equal(y, np.flip(np.flip(x, col),
                 row)), np.array_equal(y, np.flip(x, row)) or np.array_equal(y, x))
        assert any(flips)
        seen.add(y.tobytes())
    assert len(seen) == 4  # all four flip combinations occur


def test_rotation_by_180_degrees_about_the_1_2_2_centre():
    # 1.2.2 centres at size/2 + 0.5 (3.0 for 5 cells), so r -> 6 - r, clipped ('nearest')
    x = np.arange(25, dtype="float32").reshape(1, 5, 5)
    m = I.transform_matrix_offset_center(I._rotation(180.0), 5, 5)
    out = I.apply_transform(x, m, 0)
    np.testing.assert_array_equal(out[:, 2:, 2:], x[:, 4:1:-1, 4:1:-1])
    np.testing.assert_array_equal(out[:, 0], out[:, 2])


def test_shift_moves_rows():
    x = np.arange(20, dtype="float32").reshape(1, 4, 5)
    m = np.array([[1, 0, 1], [0, 1, 0], [0, 0, 1]])  # output row r reads input row r+1
    out = I.apply_transform(x, m, 0, fill_mode="constant", cval=-1)
    np.testing.assert_array_equal(out[0, :3], x[0, 1:])
    assert np.all(out[0, 3] == -1)


def test_random_transforms_keep_shape_and_use_given_axes():
    np.random.seed(0)
    x = images("tf")[0]
    gen = I.ImageDataGenerator(rotation_range=30, width_shift_range=0.2, height_shift_range=0.2,
                               shear_range=0.3, zoom_range=0.2, channel_shift_range=0.1,
                               dim_ordering="tf")
    y = gen.random_transform(x)
    assert y.shape == x.shape and not np.array_equal(y, x)
    assert y.min() >= x.min() - 1e-6 and y.max() <= x.max() + 1e-6  # nearest: no new values
    for fn in (I.random_rotation, I.random_shear):
        assert fn(x, 20, row_axis=0, col_axis=1, channel_axis=2).shape == x.shape
    assert I.random_shift(x, 0.1, 0.1, 0, 1, 2).shape == x.shape
    assert I.random_zoom(x, (0.8, 1.2), 0, 1, 2).shape == x.shape
    with pytest.raises(ValueError, match="zoom_range"):
        I.ImageDataGenerator(zoom_range=(0.5, 1.0, 2.0))


def test_featurewise_statistics_and_standardize():
    x = images("th", n=20) * 4 + 2
    gen = I.ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True,
                               dim_ordering="th")
    gen.fit(x)
    assert gen.mean.shape == (3, 1, 1) and gen.std.shape == (3, 1, 1)
    out = np.stack([gen.standardize(img) for img in x])
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), 1, atol=1e-4)


def test_samplewise_follows_1_2_2_channel_axis():
    x = images("tf")[0]
    gen = I.ImageDataGenerator(samplewise_center=True, samplewise_std_normalization=True,
                               dim_ordering="tf")
    out = gen.standardize(x)
    np.testing.assert_allclose(out.mean(axis=2), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=2), 1, atol=1e-3)


def test_zca_whitening_decorrelates():
    rng = np.random.default_rng(1)
    base = rng.standard_normal((200, 1, 2, 2)).astype("float32")
    x = base + base[:, :, :1, :1]  # correlated pixels
    gen = I.ImageDataGenerator(zca_whitening=True, dim_ordering="th")
    gen.fit(x)
    flat = np.stack([gen.standardize(img) for img in x]).reshape(200, -1)
    np.testing.assert_allclose(flat.T @ flat / 200, np.eye(4), atol=1e-2)


def test_unfitted_featurewise_warns():
    gen = I.ImageDataGenerator(featurewise_center=True, dim_ordering="th")
    with pytest.warns(UserWarning, match="fit"):
        gen.standardize(images()[0])


def test_rescale_and_preprocessing_function():
    gen = I.ImageDataGenerator(rescale=0.5, preprocessing_function=lambda a: a + 1,
                               dim_ordering="th")
    x = images()[0]
    np.testing.assert_allclose(gen.standardize(x), (x + 1) * 0.5)


def test_flow_batches_cover_the_data_each_pass():
    x, y = images(n=10), np.arange(10)
    it = I.ImageDataGenerator(dim_ordering="th").flow(x, y, batch_size=4, shuffle=True, seed=3)
    sizes, labels = [], []
    for _ in range(3):
        bx, by = next(it)
        sizes.append(len(bx))
        labels.extend(by.tolist())
        np.testing.assert_array_equal(bx, x[by])
    assert sizes == [4, 4, 2] and sorted(labels) == list(range(10))
    again = I.ImageDataGenerator(dim_ordering="th").flow(x, y, batch_size=4, seed=3)
    assert next(again)[1].tolist() == labels[:4]  # the seed makes batches reproducible


def test_flow_without_labels_and_bad_shapes():
    it = I.ImageDataGenerator(dim_ordering="tf").flow(images("tf"), batch_size=5, shuffle=False)
    assert next(it).shape == (5, 6, 5, 3)
    with pytest.raises(ValueError, match="same length"):
        I.ImageDataGenerator(dim_ordering="th").flow(images(), np.arange(3))
    with pytest.raises(ValueError, match="channels"):
        I.ImageDataGenerator(dim_ordering="tf").flow(images("th"))


def test_fit_with_augmentation_rounds():
    gen = I.ImageDataGenerator(featurewise_center=True, horizontal_flip=True, dim_ordering="th")
    gen.fit(images(n=4), augment=True, rounds=3, seed=0)
    assert gen.mean.shape == (3, 1, 1)


def test_pil_helpers_name_the_missing_dependency(monkeypatch):
    monkeypatch.setattr(I, "pil_image", None)
    with pytest.raises(ImportError, match="Pillow"):
        I.array_to_img(images()[0])
    with pytest.raises(ImportError, match="Pillow"):
        I.load_img("nothing.png")


def test_img_to_array_orderings():
    gray = np.zeros((4, 5))
    assert I.img_to_array(gray, "th").shape == (1, 4, 5)
    assert I.img_to_array(np.zeros((4, 5, 3)), "th").shape == (3, 4, 5)
    assert I.img_to_array(gray, "tf").shape == (4, 5, 1)


def test_flow_from_directory_finds_classes_and_needs_pillow_to_read(tmp_path, monkeypatch):
    for label, names in (("cats", ["a.png", "b.jpg", "notes.txt"]), ("dogs", ["c.jpeg"])):
        (tmp_path / label).mkdir()
        for name in names:
            (tmp_path / label / name).write_bytes(b"")
    it = I.ImageDataGenerator(dim_ordering="th").flow_from_directory(
        str(tmp_path), target_size=(4, 5), batch_size=2, class_mode="binary")
    assert it.class_indices == {"cats": 0, "dogs": 1} and it.nb_sample == 3
    assert it.classes.tolist() == [0, 0, 1] and it.image_shape == (3, 4, 5)
    monkeypatch.setattr(I, "pil_image", None)
    with pytest.raises(ImportError, match="Pillow"):
        next(it)
    with pytest.raises(ValueError, match="class_mode"):
        I.ImageDataGenerator(dim_ordering="th").flow_from_directory(str(tmp_path),
                                                                    class_mode="onehot")


@pytest.mark.parametrize("first", ["tinygrad_keras.preprocessing._image_generator",
                                   "tinygrad_keras.preprocessing.image"])
def test_either_image_module_can_be_imported_first(first):
    """Regression: importing _image_generator first used to be a circular-import error."""
    import os
    import subprocess
    import sys
    code = (f"import {first}\n"
            "from tinygrad_keras.preprocessing.image import ImageDataGenerator, load_img\n"
            "from tinygrad_keras.preprocessing import _image_generator as g\n"
            "assert ImageDataGenerator is g.ImageDataGenerator\n")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": root}, check=False)
    assert result.returncode == 0, result.stderr
