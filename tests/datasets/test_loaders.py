"""Dataset loaders on small files in the Keras 1.2.2 formats, in a temporary HOME (no network)."""
import gzip
import os
import pickle
import urllib.error

import numpy as np
import pytest

from tests.datasets import fake_keras_datasets as fake
from tinygrad_keras import backend as K
from tinygrad_keras.datasets import cifar10, cifar100, digits, imdb, mnist, reuters
from tinygrad_keras.utils import data_utils


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise urllib.error.URLError("network disabled in tests")
    monkeypatch.setattr(data_utils.urllib.request, "urlopen", refuse)


@pytest.fixture
def cache(tmp_path, monkeypatch, no_network):
    """An empty ``~/.keras/datasets`` in a temporary HOME."""
    monkeypatch.setenv("HOME", str(tmp_path))
    return fake.datasets_dir(tmp_path)


@pytest.fixture
def tf_ordering():
    K.set_image_dim_ordering("tf")
    yield
    K.set_image_dim_ordering("th")


# ---- bundled digits ----------------------------------------------------------------------
def test_digits_split_shapes_and_ranges():
    state = np.random.get_state()[1].copy()
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # global RNG untouched
    assert x_train.shape == (1440, 8, 8) and x_test.shape == (357, 8, 8)
    assert y_train.shape == (1440,) and y_test.shape == (357,)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert x_train.max() == 16 and x_train.min() == 0 and set(np.unique(y_test)) == set(range(10))
    images, labels = digits.load_images()
    assert images.shape == (1797, 8, 8)
    np.testing.assert_array_equal(np.bincount(np.concatenate([y_train, y_test])), np.bincount(labels))
    (x2, _), _ = digits.load_data()
    np.testing.assert_array_equal(x2, x_train)  # the split is fixed


def test_digits_labels_match_images():
    # Nearest class mean in pixel space: only works if images and labels are aligned.
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    a, b = x_train.reshape(-1, 64).astype(float), x_test.reshape(-1, 64).astype(float)
    means = np.stack([a[y_train == c].mean(axis=0) for c in range(10)])
    predicted = np.argmin(((b[:, None, :] - means[None]) ** 2).sum(-1), axis=1)
    assert np.mean(predicted == y_test) > 0.85


# ---- mnist, cifar ----------------------------------------------------------------------
def test_mnist(cache):
    fake.write_mnist(cache, n_train=50, n_test=20)
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (50, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (50,) and x_test.shape == (20, 28, 28) and y_test.shape == (20,)


def test_missing_file_offline_says_where_to_put_it(cache):
    with pytest.raises(data_utils.DownloadError,
                       match="mnist.pkl.gz by other means and put it at .*datasets.mnist.pkl.gz"):
        mnist.load_data()


def test_cifar10_th_and_tf(cache, tf_ordering):
    fake.write_cifar10(cache, n_per_batch=4, n_test=3)
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    assert x_train.shape == (20, 32, 32, 3) and x_test.shape == (3, 32, 32, 3)
    assert y_train.shape == (20, 1) and y_test.shape == (3, 1) and y_train.dtype == np.uint8
    K.set_image_dim_ordering("th")
    (x_th, _), _ = cifar10.load_data()
    assert x_th.shape == (20, 3, 32, 32)
    np.testing.assert_array_equal(x_th.transpose(0, 2, 3, 1), x_train)


def test_cifar10_uses_extracted_folder_or_archive(cache):
    fake.write_cifar10(cache, n_per_batch=2, n_test=2)
    import shutil
    shutil.rmtree(os.path.join(cache, "cifar-10-batches-py"))  # only the .tar.gz is left
    (x_train, _), _ = cifar10.load_data()
    assert x_train.shape == (10, 3, 32, 32)


def test_cifar100_label_modes(cache):
    fake.write_cifar100(cache, n_train=6, n_test=4)
    (_, fine), _ = cifar100.load_data()
    (x, coarse), (x_test, _) = cifar100.load_data(label_mode="coarse")
    assert x.shape == (6, 3, 32, 32) and x_test.shape == (4, 3, 32, 32) and fine.shape == (6, 1)
    np.testing.assert_array_equal(coarse, fine // 5)
    with pytest.raises(ValueError, match="label_mode"):
        cifar100.load_data(label_mode="medium")


# ---- imdb, reuters -------------------------------------------------------------------
def write_imdb(cache, x_train, y_train, x_test, y_test):
    with open(os.path.join(cache, "imdb_full.pkl"), "wb") as f:
        pickle.dump(((x_train, y_train), (x_test, y_test)), f, protocol=2)


def load_imdb(**kwargs):
    with pytest.warns(UserWarning, match="MD5"):  # hand-made files are not the real ones
        return imdb.load_data(**kwargs)


def test_imdb_shuffle_offsets_and_start_char(cache):
    # review i of class c holds the words [i + 1, c + 1], so we can follow each one
    x_train = [[i + 1, c + 1] for i, c in enumerate([0, 1, 0, 1, 1])]
    y_train = [0, 1, 0, 1, 1]
    write_imdb(cache, x_train, y_train, [[7, 1]], [0])
    (xt, yt), (xs, ys) = load_imdb()
    assert xt.dtype == object and xt.shape == (5,) and isinstance(xt[0], list)
    order = list(range(5))
    np.random.seed(113)
    np.random.shuffle(order)  # the permutation Keras 1.2.2 applied
    assert [x[1] - 3 for x in xt] == [order[k] + 1 for k in range(5)]
    assert all(x[0] == 1 and x[2] - 4 == y for x, y in zip(xt, yt))
    # nb_words defaults to the largest index (10) and indices >= nb_words become oov,
    # so the largest word itself is cut: a 1.2.2 quirk kept on purpose
    assert xs.tolist() == [[1, 2, 4]] and ys.tolist() == [0]


def test_imdb_vocabulary_cut_and_maxlen(cache):
    x_train = [[1, 2, 3, 50], [4, 5], [1, 1, 1, 1, 1, 1]]
    write_imdb(cache, x_train, [0, 1, 0], [[60, 2]], [1])
    (xt, _), (xs, _) = load_imdb(nb_words=10, skip_top=4, seed=1)
    for x in list(xt) + list(xs):
        assert x[0] == 2  # the start mark 1 < skip_top becomes oov
        assert all(w == 2 or 4 <= w < 10 for w in x)
    (xt, _), (xs, _) = load_imdb(maxlen=5, oov_char=None, start_char=None, index_from=0)
    # the length-6 review is dropped; 1.2.2 splits at the old train size (3), so the test
    # review moves into train; nb_words defaults to 60 so the word 60 itself is dropped
    assert sorted(map(sorted, xt)) == [[1, 2, 3, 50], [2], [4, 5]] and len(xs) == 0
    (xt, _), _ = load_imdb(nb_words=5, oov_char=None, start_char=None, index_from=0)
    assert sorted(map(sorted, xt)) == [[1, 1, 1, 1, 1, 1], [1, 2, 3], [4]]  # out-of-range dropped
    with pytest.raises(ValueError, match="Increase maxlen"):
        load_imdb(maxlen=1)


def test_imdb_word_index_latin1(cache):
    with open(os.path.join(cache, "imdb_word_index.pkl"), "wb") as f:
        pickle.dump({"caf\xe9": 1, "the": 2}, f, protocol=2)
    with pytest.warns(UserWarning, match="MD5"):
        assert imdb.get_word_index() == {"caf\xe9": 1, "the": 2}


def test_reuters_split_and_lists(cache):
    fake.write_reuters(cache, n=50, nb_classes=5)
    (xt, yt), (xs, ys) = reuters.load_data(nb_words=100, test_split=0.2)
    assert isinstance(xt, list) and len(xt) == 40 and len(xs) == 10 and len(yt) == 40
    assert all(x[0] == 1 and max(x) < 100 for x in xt + xs)
    assert set(yt + ys) == set(range(5))
    assert len(reuters.get_word_index()) == 500


def test_fake_home_fills_every_loader(tmp_path, monkeypatch, no_network):
    folder = fake.use_fake_keras_home(tmp_path, monkeypatch)
    assert folder == os.path.join(str(tmp_path), ".keras", "datasets")
    assert os.path.exists(os.path.join(folder, "cifar-10-batches-py.tar.gz"))
    (x_train, y_train), (x_test, _) = mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    band_rows = (x_train[:100] == 255).all(axis=2)  # the label can be read off the image
    assert all(band_rows[i, 2 * y_train[i]] for i in range(100))
    assert cifar10.load_data()[0][0].shape == (100, 3, 32, 32)
    assert cifar100.load_data()[1][0].shape == (20, 3, 32, 32)
    assert len(reuters.load_data()[0][0]) == 240
    with pytest.warns(UserWarning):
        assert len(imdb.load_data(nb_words=20000)[0][0]) == 100


class Exploit:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_a_malicious_dataset_file_runs_no_code(cache, tmp_path):
    marker = str(tmp_path / "pwned")
    with gzip.open(os.path.join(cache, "mnist.pkl.gz"), "wb") as f:
        pickle.dump(((np.zeros((1, 28, 28), "uint8"), [Exploit(marker)]), None), f, protocol=2)
    # pickle names open by its __module__: io.open up to Python 3.12, _io.open from 3.13
    with pytest.raises(pickle.UnpicklingError, match=r"refusing to load _?io\.open"):
        mnist.load_data()
    assert not os.path.exists(marker)
