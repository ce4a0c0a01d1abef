"""Small dataset files in the exact Keras 1.2.2 cache formats, for tests and example runs.

Usage (e.g. to run a Keras 1 example script offline)::

    from tests.datasets.fake_keras_datasets import use_fake_keras_home
    use_fake_keras_home(tmp_path, monkeypatch)      # HOME -> tmp_path, all files written
    (X_train, y_train), (X_test, y_test) = mnist.load_data()   # reads the small file

or ``write_all(folder)`` to fill any ``.keras/datasets`` folder.  Files are
pickled with protocol 2 (what Python 2 era Keras files use) and carry a
learnable signal: the label can be read off the data, so a short training run
shows falling loss.  Sizes are small on purpose; each writer takes size keywords.
"""
from __future__ import annotations

import gzip
import io
import os
import pickle
import tarfile

import numpy as np

PROTOCOL = 2


def datasets_dir(home) -> str:
    """``<home>/.keras/datasets`` (created)."""
    path = os.path.join(str(home), ".keras", "datasets")
    os.makedirs(path, exist_ok=True)
    return path


def _dump(obj, path: str, compress: bool = False, protocol: int = PROTOCOL) -> str:
    with (gzip.open(path, "wb", compresslevel=1) if compress else open(path, "wb")) as f:
        pickle.dump(obj, f, protocol=protocol)
    return path


def _digit_images(rng, labels: np.ndarray, size: int) -> np.ndarray:
    """uint8 ``(n, size, size)``: mostly black like MNIST, a bright band at a label-dependent
    row, plus sparse noise (tiled from a small random pool, so full-size files stay fast)."""
    pool = rng.randint(0, 256, size=(256, size, size)) * (rng.rand(256, size, size) < 0.05)
    images = pool.astype("uint8")[np.arange(len(labels)) % 256]
    band = max(1, size // 10)
    rows = np.arange(size)[None, :, None]
    start = (np.asarray(labels, dtype=int) * band)[:, None, None]
    return np.where((rows >= start) & (rows < start + band), np.uint8(255), images)


def write_mnist(folder, n_train: int = 60000, n_test: int = 10000, seed: int = 0) -> str:
    """``mnist.pkl.gz``: gzipped pickle of ``((x_train, y_train), (x_test, y_test))``, uint8.

    Full size by default because Keras 1 examples hard-code it (``mnist_mlp.py``
    does ``X_train.reshape(60000, 784)``); about 2 s to write, 10 MB.  Written with
    pickle protocol 4 (protocol 2 stores 47 MB of pixels as a latin-1 string, five
    times slower); the loader reads either.
    """
    rng = np.random.RandomState(seed)
    y_train = rng.randint(0, 10, n_train).astype("uint8")
    y_test = rng.randint(0, 10, n_test).astype("uint8")
    data = ((_digit_images(rng, y_train, 28), y_train), (_digit_images(rng, y_test, 28), y_test))
    return _dump(data, os.path.join(str(folder), "mnist.pkl.gz"), compress=True, protocol=4)


def _cifar_images(rng, labels, nb_classes: int) -> np.ndarray:
    """uint8 ``(n, 3072)`` rows (3x32x32 channels-first) whose red level encodes the label."""
    images = rng.randint(0, 40, size=(len(labels), 3, 32, 32)).astype("uint8")
    images[:, 0] += (np.asarray(labels, dtype=int) * (200 // nb_classes)).astype("uint8")[:, None, None]
    return images.reshape(len(labels), 3072)


def _tar_folder(folder: str, name: str) -> None:
    # Keras 1.2.2 looks for <name>.tar.gz beside the extracted folder.
    with tarfile.open(os.path.join(folder, name + ".tar.gz"), "w:gz") as archive:
        archive.add(os.path.join(folder, name), arcname=name)


def write_cifar10(folder, n_per_batch: int = 20, n_test: int = 20, seed: int = 0) -> str:
    """``cifar-10-batches-py/`` (``data_batch_1..5``, ``test_batch``) and its ``.tar.gz``."""
    rng = np.random.RandomState(seed)
    out = os.path.join(str(folder), "cifar-10-batches-py")
    os.makedirs(out, exist_ok=True)
    names = ["data_batch_%d" % i for i in range(1, 6)] + ["test_batch"]
    for name in names:
        n = n_test if name == "test_batch" else n_per_batch
        labels = [int(v) for v in rng.randint(0, 10, n)]
        batch = {b"batch_label": name.encode(), b"labels": labels,
                 b"data": _cifar_images(rng, labels, 10),
                 b"filenames": [b"img_%d.png" % i for i in range(n)]}
        _dump(batch, os.path.join(out, name))
    _tar_folder(str(folder), "cifar-10-batches-py")
    return out


def write_cifar100(folder, n_train: int = 50, n_test: int = 20, seed: int = 0) -> str:
    """``cifar-100-python/`` (``train``, ``test`` with fine and coarse labels) and its ``.tar.gz``."""
    rng = np.random.RandomState(seed)
    out = os.path.join(str(folder), "cifar-100-python")
    os.makedirs(out, exist_ok=True)
    for name, n in (("train", n_train), ("test", n_test)):
        fine = [int(v) for v in rng.randint(0, 100, n)]
        batch = {b"batch_label": name.encode(), b"fine_labels": fine,
                 b"coarse_labels": [f // 5 for f in fine],
                 b"data": _cifar_images(rng, fine, 100),
                 b"filenames": [b"img_%d.png" % i for i in range(n)]}
        _dump(batch, os.path.join(out, name))
    _tar_folder(str(folder), "cifar-100-python")
    return out


def _word_lists(rng, labels, vocab: int, min_len: int, max_len: int, nb_classes: int) -> list:
    """Reviews as lists of 1-based word ranks; words near ``label`` mark the class."""
    docs = []
    for label in labels:
        n = rng.randint(min_len, max_len + 1)
        words = rng.zipf(1.3, size=n)
        words = [int(min(w, vocab)) for w in words]
        marker = 10 + int(label) * 3  # a few class-specific frequent words
        docs.append([marker if rng.rand() < 0.2 else w for w in words])
    return docs


def _word_index(vocab: int) -> dict:
    return {"word%d" % i: i for i in range(1, vocab + 1)}


def write_imdb(folder, n_train: int = 100, n_test: int = 100, vocab: int = 500,
               min_len: int = 5, max_len: int = 120, seed: int = 0) -> str:
    """``imdb_full.pkl`` (``((x_train, labels_train), (x_test, labels_test))`` lists) and
    ``imdb_word_index.pkl`` (``{word: rank}``).  (Their MD5 differs from the real files, so
    the loader warns that it uses the local copy.)"""
    rng = np.random.RandomState(seed)
    y_train = [int(v) for v in rng.randint(0, 2, n_train)]
    y_test = [int(v) for v in rng.randint(0, 2, n_test)]
    data = ((_word_lists(rng, y_train, vocab, min_len, max_len, 2), y_train),
            (_word_lists(rng, y_test, vocab, min_len, max_len, 2), y_test))
    _dump(_word_index(vocab), os.path.join(str(folder), "imdb_word_index.pkl"))
    return _dump(data, os.path.join(str(folder), "imdb_full.pkl"))


def write_reuters(folder, n: int = 300, nb_classes: int = 46, vocab: int = 500,
                  min_len: int = 5, max_len: int = 80, seed: int = 0) -> str:
    """``reuters.pkl`` (``(xs, labels)`` lists) and ``reuters_word_index.pkl``."""
    rng = np.random.RandomState(seed)
    labels = [int(v) for v in rng.randint(0, nb_classes, n)]
    labels[:nb_classes] = list(range(nb_classes))  # every topic occurs at least once
    xs = _word_lists(rng, labels, vocab, min_len, max_len, nb_classes)
    _dump(_word_index(vocab), os.path.join(str(folder), "reuters_word_index.pkl"))
    return _dump((xs, labels), os.path.join(str(folder), "reuters.pkl"))


_BABI_PEOPLE = ("Mary", "John", "Sandra", "Daniel")
_BABI_PLACES = ("kitchen", "garden", "office", "bedroom", "hallway", "bathroom")
_BABI_VERBS = ("moved to", "went to", "travelled to", "journeyed to")
_BABI_OBJECTS = ("apple", "football", "milk")


def _babi_story_qa1(rng, n_questions: int) -> list:
    """One bAbI story of task 1: numbered lines, questions as ``Q?\tanswer\tsupport``."""
    lines, where = [], {}
    for _ in range(n_questions):
        for _ in range(2):
            who, place = rng.choice(_BABI_PEOPLE), rng.choice(_BABI_PLACES)
            where[who] = (place, len(lines) + 1)
            lines.append(f"{who} {rng.choice(_BABI_VERBS)} the {place}.")
        who = rng.choice(sorted(where))
        place, support = where[who]
        lines.append(f"Where is {who}? \t{place}\t{support}")
    return [f"{i + 1} {line}" for i, line in enumerate(lines)]


def _babi_story_qa2(rng, n_questions: int) -> list:
    """One bAbI story of task 2: a person carries an object; ask where the object is."""
    lines, where = [], {}
    for _ in range(n_questions):
        who, obj = rng.choice(_BABI_PEOPLE), rng.choice(_BABI_OBJECTS)
        place = rng.choice(_BABI_PLACES)
        lines.append(f"{who} got the {obj} there.")
        lines.append(f"{who} {rng.choice(_BABI_VERBS)} the {place}.")
        where[obj] = (place, len(lines) - 1, len(lines))
        obj = rng.choice(sorted(where))
        place, got, went = where[obj]
        lines.append(f"Where is the {obj}? \t{place}\t{got} {went}")
    return [f"{i + 1} {line}" for i, line in enumerate(lines)]


def write_babi(folder, n_stories: int = 20, n_questions: int = 3, seed: int = 0) -> str:
    """``babi-tasks-v1-2.tar.gz``: the bAbI archive layout ``tasks_1-20_v1-2/{en,en-10k}/``
    with ``qa1_single-supporting-fact_{train,test}.txt`` and ``qa2_two-supporting-facts_...``
    (what ``babi_rnn.py`` and ``babi_memnn.py`` open).  Lines are ``<id> <sentence>``;
    question lines are ``<id> <question>\t<answer>\t<supporting ids>``, ids restart at 1
    for each story, as in the real files.  The answer follows from the story."""
    rng = np.random.RandomState(seed)
    path = os.path.join(str(folder), "babi-tasks-v1-2.tar.gz")
    tasks = (("qa1_single-supporting-fact", _babi_story_qa1),
             ("qa2_two-supporting-facts", _babi_story_qa2))
    with tarfile.open(path, "w:gz") as archive:
        for subset in ("en", "en-10k"):
            for task, story in tasks:
                for split in ("train", "test"):
                    lines = []
                    for _ in range(n_stories):
                        lines += story(rng, n_questions)
                    data = ("\n".join(lines) + "\n").encode("utf-8")
                    info = tarfile.TarInfo(f"tasks_1-20_v1-2/{subset}/{task}_{split}.txt")
                    info.size = len(data)
                    archive.addfile(info, io.BytesIO(data))
    return path


def write_nietzsche(folder, n_chars: int = 2000, seed: int = 0) -> str:
    """``nietzsche.txt`` (plain text that ``lstm_text_generation.py`` reads): sentences
    drawn from a small vocabulary, so characters follow each other predictably."""
    rng = np.random.RandomState(seed)
    words = ("the", "will", "to", "power", "is", "truth", "and", "of", "man", "what",
             "good", "evil", "beyond", "free", "spirit", "philosopher")
    text = ""
    while len(text) < n_chars:
        sentence = " ".join(rng.choice(words, size=rng.randint(4, 10)))
        text += sentence[0].upper() + sentence[1:] + ". "
    path = os.path.join(str(folder), "nietzsche.txt")
    with open(path, "w") as f:
        f.write(text[:n_chars])
    return path


def write_all(folder) -> str:
    """Write every dataset above (default sizes) into ``folder``; returns ``folder``."""
    for writer in (write_mnist, write_cifar10, write_cifar100, write_imdb, write_reuters,
                   write_babi, write_nietzsche):
        writer(folder)
    return str(folder)


def use_fake_keras_home(tmp_path, monkeypatch) -> str:
    """Point ``HOME`` at ``tmp_path`` and fill ``~/.keras/datasets`` there; returns that folder."""
    monkeypatch.setenv("HOME", str(tmp_path))
    return write_all(datasets_dir(tmp_path))
