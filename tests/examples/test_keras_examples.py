"""Keras 1.2.2 ``examples/`` scripts run unchanged with ``python -m tinygrad_keras``.

The scripts are not part of this repository (they are Keras' code).  Point the
tests at them with either

* ``KERAS_EXAMPLES_DIR=/path/to/keras-1.2.2/examples``, or
* ``KERAS_REPO=/path/to/a/keras/git/clone`` (read with ``git show 1.2.2:examples/...``);

otherwise these tests are skipped.  Each run gets a temporary ``HOME`` whose
``~/.keras/datasets`` holds small files in the exact 1.2.2 formats
(``tests/datasets/fake_keras_datasets.py``), so nothing is downloaded.
Scripts that hard-code full-size data or train long (``mnist_mlp.py`` reshapes
to 60000 rows; ``stateful_lstm.py`` makes 50000 one-step batches per epoch)
run only with ``TINYGRAD_KERAS_SLOW=1``.

Every script runs as Keras published it, except the documented variants below,
each an :class:`Example` with ``edits`` (literal one-line replacements made in a
temporary copy, never in the original), each with its reason:

* ``cifar10_cnn.py`` has a ``data_augmentation = True`` flag; the second run
  flips only that flag, so both the ``fit_generator`` path and the plain
  ``fit`` path are exercised.
* ``babi_rnn.py`` and ``babi_memnn.py`` tokenize with ``re.split('(\\W+)?', s)``,
  which since Python 3.7 also splits on the empty match and returns ``None``
  groups, so the unchanged scripts die in their own ``tokenize`` before any
  Keras call.  That is recorded as an expected failure (the test checks the
  exact error, so it notices if the cause changes), and a second run replaces
  the pattern by ``'(\\W+)'`` (the Python 3 meaning of the original) to
  exercise the models.
* ``mnist_net2net.py`` indexes with ``(kh - 1) / 2``, a float in Python 3: the
  same treatment (expected failure, and a run with ``//``).
* ``mnist_sklearn_wrapper.py`` imports ``GridSearchCV`` from ``sklearn.grid_search`` and
  scores with ``'log_loss'``; scikit-learn 0.20 removed both (they became
  ``sklearn.model_selection`` and ``'neg_log_loss'``), so both lines are replaced.
* ``conv_lstm.py`` makes its arrays with ``np.float``, removed in numpy 1.24: an
  expected failure, and a short run with ``float`` (1 epoch on 10 of its 1000 movies)
  and a ``keras.json`` choosing 'tf', the ordering the script was written for.
* ``image_ocr.py`` shuffles a Python 2 ``range`` in place: an expected failure, and runs
  with ``list(range(...))``.  It needs the optional ``cairocffi`` and ``editdistance``
  (skipped without them) and downloads word lists: a generated stand-in is planted
  (``tests/datasets/fake_wordlists.py``).  Its short run uses 10 minibatches per epoch,
  GRUs of 32 units and one epoch of each of its two phases.
* the four scripts on ``keras.applications`` (``conv_filter_visualization.py``,
  ``deep_dream.py``, ``neural_style_transfer.py``, ``neural_doodle.py``): planted VGG
  weight files and pictures, their command-line ``args``, and their own bugs
  (``scipy.misc.imsave``/``imread``, ``xrange``) are in ``image_examples.py``.
* ``*_short`` ids: a slow script with only its epoch/iteration count cut, so the
  default (fast) test run still goes through the script's code paths once; the
  unchanged script runs with ``TINYGRAD_KERAS_SLOW=1``.

Scripts that import matplotlib (``stateful_lstm.py``, ``variational_autoencoder.py``)
are skipped when it is not installed (it is optional); they run with
``MPLBACKEND=Agg`` so ``plt.show()`` returns at once.
"""
from __future__ import annotations

import functools
import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Callable
from typing import NamedTuple

import pytest

from tests.datasets.fake_keras_datasets import (
    datasets_dir,
    write_babi,
    write_cifar10,
    write_imdb,
    write_mnist,
    write_nietzsche,
    write_reuters,
)
from tests.datasets.fake_wordlists import write_wordlists
from tests.examples.image_examples import image_scripts

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SLOW = os.environ.get("TINYGRAD_KERAS_SLOW") == "1"


class Example(NamedTuple):
    """How to run one example script and what proves it finished."""
    script: str                      # file name under examples/ at tag 1.2.2
    writers: tuple                   # dataset writers, each called with the datasets folder
    slow: bool                       # only with TINYGRAD_KERAS_SLOW=1
    expected: str | tuple            # text(s) the script's stdout must contain
    edits: tuple = ()                # ((old, new, why), ...): replacements in a temporary copy
    fails_with: str | None = None    # the script's own bug: text its stderr must contain
    needs: tuple = ()                # optional modules the script imports
    keras_json: str | None = None    # written to ~/.keras/keras.json of the run, if given
    args: tuple = ()                 # command-line arguments of the script
    outputs: tuple = ()              # files the script must have written in its folder


def small_mnist(n_train: int, n_test: int) -> Callable:
    return functools.partial(write_mnist, n_train=n_train, n_test=n_test)


PY37_SPLIT = ("re.split('(\\W+)?', sent)", "re.split('(\\W+)', sent)",
              "Python >= 3.7 splits on the empty match of '(\\W+)?' and yields None groups")
PY3_DIVISION = ("(kh - 1) / 2, (kw - 1) / 2", "(kh - 1) // 2, (kw - 1) // 2",
                "Python 3's / gives a float, which numpy refuses as an index")
NO_AUGMENTATION = ("data_augmentation = True", "data_augmentation = False",
                   "exercise the script's plain fit() branch as well as fit_generator()")
SKLEARN_GRID_SEARCH = ("from sklearn.grid_search import GridSearchCV",
                       "from sklearn.model_selection import GridSearchCV",
                       ("scikit-learn 0.20 removed the sklearn.grid_search module (0.18 moved "
                        "GridSearchCV to sklearn.model_selection)"))
SKLEARN_LOG_LOSS = ("scoring='log_loss'", "scoring='neg_log_loss'",
                    ("scikit-learn 0.20 removed the scorer name 'log_loss' (0.18 renamed it "
                     "'neg_log_loss': scores are maximised)"))
CIFAR_SHORT = ("nb_epoch = 200", "nb_epoch = 2", "fast run: 2 of the 200 epochs")
AUGMENTED, PLAIN = "Using real-time data augmentation.", "Not using data augmentation."
PY37_ERROR = "AttributeError: 'NoneType' object has no attribute 'strip'"
NP_FLOAT = (("row, col, 1), dtype=np.float)", "row, col, 1), dtype=float)",
             "numpy >= 1.24 removed the np.float alias (it was Python's float)"),
            ("                              dtype=np.float)",
             "                              dtype=float)", "the same, second array"))
NP_FLOAT_ERROR = "module 'numpy' has no attribute 'float'"
# conv_lstm.py's ConvLSTM2D layers take channels-last movies with dim_ordering='default':
# written for 1.2.2's own default, 'tf' (this project's default without a keras.json is 'th')
TF_ORDERING = '{"image_dim_ordering": "tf", "floatx": "float32", "epsilon": 1e-07}'
CONV_LSTM_SHORT = (
    ("seq.fit(noisy_movies[:1000], shifted_movies[:1000], batch_size=10,",
     "seq.fit(noisy_movies[:10], shifted_movies[:10], batch_size=10,",
     "fast run: 10 of the 1000 training movies"),
    ("nb_epoch=300", "nb_epoch=1", "fast run: 1 of the 300 epochs"))
OCR_SHORT = (
    ("words_per_epoch = 16000", "words_per_epoch = 320",
     "fast run: 10 minibatches of 32 words per epoch (8 train, 2 validation)"),
    ("rnn_size = 512", "rnn_size = 32", "fast run: GRUs of 32 units instead of 512"),
    ("train(run_name, 0, 20, 128)", "train(run_name, 0, 1, 128)", "fast run: 1 of 20 epochs"),
    ("train(run_name, 20, 25, 512)", "train(run_name, 1, 2, 512)",
     "fast run: 1 of 5 epochs on wide images, from the weights saved after epoch 0"))
OCR_NEEDS = ("cairocffi", "editdistance", "matplotlib")
PY3_RANGE = ("    a = range(stop_ind)\n", "    a = list(range(stop_ind))\n",
             "Python 3's range cannot be shuffled in place (Python 2's range was a list)")
PY3_RANGE_ERROR = "TypeError: 'range' object does not support item assignment"

# test id -> Example.  Wall times of one run each (2-core machine shared with other jobs, one
# BLAS thread, seconds): fast ones 1-12 each; slow: mnist_mlp 198, antirectifier 263 and
# mnist_siamese_graph 74 (60000 rows hard-coded), cifar10_cnn 190 plain / 200 augmented
# (200 epochs), lstm_text_generation 170, stateful_lstm 103, mnist_irnn 39 (200 epochs of
# 784 steps), mnist_net2net with // 40, variational_autoencoder_deconv 63, lstm_benchmark 29,
# mnist_sklearn_wrapper 201 (59 s CPU: 8 grid candidates x 5 folds of a CNN, machine loaded),
# addition_rnn 1372 (199 rounds).  The whole slow set: about 15 min plus addition_rnn.
SCRIPTS = {
    "reuters_mlp": Example("reuters_mlp.py", (write_reuters,), False, "Test accuracy:"),
    "imdb_fasttext": Example("imdb_fasttext.py", (write_imdb,), False, "Epoch 5/5"),
    "imdb_cnn": Example("imdb_cnn.py", (write_imdb,), False, "Epoch 2/2"),
    "imdb_cnn_lstm": Example("imdb_cnn_lstm.py", (write_imdb,), False, "Test accuracy:"),
    "imdb_bidirectional_lstm": Example("imdb_bidirectional_lstm.py", (write_imdb,), False,
                                       "Epoch 4/4"),
    "imdb_lstm": Example("imdb_lstm.py", (write_imdb,), False, "Test accuracy:"),
    "mnist_transfer_cnn": Example("mnist_transfer_cnn.py", (small_mnist(600, 100),), False,
                                  "Test accuracy:"),
    "mnist_mlp": Example("mnist_mlp.py", (write_mnist,), True, "Test accuracy:"),
    "antirectifier": Example("antirectifier.py", (write_mnist,), True, "Epoch 40/40"),
    "mnist_siamese_graph": Example("mnist_siamese_graph.py", (write_mnist,), True,
                                   "* Accuracy on test set:"),
    "addition_rnn": Example("addition_rnn.py", (), True, "Iteration 199"),
    "mnist_cnn": Example("mnist_cnn.py", (small_mnist(128, 32),), False, "Test accuracy:"),
    "cifar10_cnn_augmented": Example("cifar10_cnn.py", (write_cifar10,), True,
                                     (AUGMENTED, "Epoch 200/200")),
    "cifar10_cnn_plain": Example(
        "cifar10_cnn.py", (write_cifar10,), True, (PLAIN, "Epoch 200/200"),
        edits=(NO_AUGMENTATION,)),
    "cifar10_cnn_augmented_short": Example("cifar10_cnn.py", (write_cifar10,), False,
                                           (AUGMENTED, "Epoch 2/2"), edits=(CIFAR_SHORT,)),
    "cifar10_cnn_plain_short": Example("cifar10_cnn.py", (write_cifar10,), False,
                                       (PLAIN, "Epoch 2/2"), edits=(NO_AUGMENTATION, CIFAR_SHORT)),
    "stateful_lstm_short": Example(
        "stateful_lstm.py", (), False, "Plotting Results",
        edits=(("epochs = 25", "epochs = 1", "fast run: 1 of the 25 epochs"),),
        needs=("matplotlib",)),
    "lstm_text_generation_short": Example(
        "lstm_text_generation.py", (write_nietzsche,), False, "----- diversity: 1.2",
        edits=(("range(1, 60)", "range(1, 2)", "fast run: 1 of the 59 iterations"),)),
    "stateful_lstm": Example("stateful_lstm.py", (), True, "Plotting Results",
                             needs=("matplotlib",)),
    "mnist_hierarchical_rnn": Example("mnist_hierarchical_rnn.py", (small_mnist(64, 32),), False,
                                      "Test accuracy:"),
    "mnist_irnn": Example("mnist_irnn.py", (small_mnist(32, 32),), True, "IRNN test accuracy:"),
    "babi_rnn": Example("babi_rnn.py", (write_babi,), False, "", fails_with=PY37_ERROR),
    "babi_rnn_py3_split": Example("babi_rnn.py", (write_babi,), False,
                                  "Test loss / test accuracy", edits=(PY37_SPLIT,)),
    "babi_memnn": Example("babi_memnn.py", (write_babi,), False, "", fails_with=PY37_ERROR),
    "babi_memnn_py3_split": Example("babi_memnn.py", (write_babi,), False, "Epoch 120/120",
                                    edits=(PY37_SPLIT,)),
    "lstm_text_generation": Example("lstm_text_generation.py", (write_nietzsche,), True,
                                    "Iteration 59"),
    "variational_autoencoder": Example("variational_autoencoder.py", (small_mnist(1000, 200),),
                                       False, "Epoch 50/50", needs=("matplotlib",)),
    "mnist_net2net": Example("mnist_net2net.py", (small_mnist(100, 20),), False, "",
                             fails_with="IndexError: only integers"),
    "mnist_net2net_py3_division": Example(
        "mnist_net2net.py", (small_mnist(600, 100),), True, "Epoch 3/3",
        edits=(PY3_DIVISION,)),
    # beyond issues 3-6, run because they were cheap to add: mnist_swwae found a MaxPool2D
    # bug (backward twice through a retained graph: K.gradients inside a Merge mode)
    "mnist_swwae": Example("mnist_swwae.py", (small_mnist(100, 50),), False, "Epoch 5/5",
                           needs=("matplotlib",)),
    "variational_autoencoder_deconv": Example("variational_autoencoder_deconv.py",
                                              (small_mnist(200, 100),), True, "Epoch 5/5",
                                              needs=("matplotlib",)),
    "lstm_benchmark": Example("lstm_benchmark.py", (write_imdb,), True, "Epoch 10/10",
                              needs=("matplotlib",)),
    # issue 13: the scikit-learn wrapper.  Both edits are scikit-learn's renames, not Keras'
    "mnist_sklearn_wrapper": Example(
        "mnist_sklearn_wrapper.py", (small_mnist(100, 50),), True,
        ("The parameters of the best model are:", "acc :"),
        edits=(SKLEARN_GRID_SEARCH, SKLEARN_LOG_LOSS), needs=("sklearn",)),
    "mnist_sklearn_wrapper_short": Example(
        "mnist_sklearn_wrapper.py", (small_mnist(100, 50),), False,
        ("The parameters of the best model are:", "acc :"),
        edits=(SKLEARN_GRID_SEARCH, SKLEARN_LOG_LOSS,
               ("[[32], [64], [32, 32], [64, 64]]", "[[32], [32, 32]]",
                "fast run: 2 of the 4 dense-layer candidates"),
               ("'nb_epoch': [3, 6]", "'nb_epoch': [1]", "fast run: 1 epoch, not 3 or 6")),
        needs=("sklearn",)),
    # issue 13: 3-D convolution, ConvLSTM2D and CTC.  conv_lstm.py dies in its own
    # generate_movies() on numpy >= 1.24 (after building and compiling its model).  Wall
    # times on the loaded 2-core machine: conv_lstm 22 s, its short run 145 s (28 s CPU),
    # image_ocr short 315-339 s (67 s CPU)
    "conv_lstm": Example("conv_lstm.py", (), False, "", fails_with=NP_FLOAT_ERROR,
                         needs=("matplotlib",)),
    "conv_lstm_np_float_short": Example("conv_lstm.py", (), False, "Epoch 1/1",
                                        edits=NP_FLOAT + CONV_LSTM_SHORT,
                                        needs=("matplotlib",), keras_json=TF_ORDERING),
    # image_ocr.py paints words with cairo and scores them with editdistance (optional
    # extras); its word lists are planted (tests/datasets/fake_wordlists.py).  Unchanged, it
    # trains one epoch (400 minibatches) and then dies in its own shuffle_mats_or_lists
    "image_ocr": Example("image_ocr.py", (write_wordlists,), True, "",
                         fails_with=PY3_RANGE_ERROR, needs=OCR_NEEDS),
    "image_ocr_py3_range_short": Example("image_ocr.py", (write_wordlists,), False,
                                         ("Mean edit distance", "Epoch 2/2"),
                                         edits=(PY3_RANGE,) + OCR_SHORT, needs=OCR_NEEDS),
    "image_ocr_py3_range": Example("image_ocr.py", (write_wordlists,), True, "Epoch 25/25",
                                   edits=(PY3_RANGE,), needs=OCR_NEEDS),
}

# issue 14: the four scripts on keras.applications (planted weights and pictures)
SCRIPTS.update(image_scripts(Example))


def script_source(name: str) -> str | None:
    folder = os.environ.get("KERAS_EXAMPLES_DIR")
    if folder and os.path.isfile(os.path.join(folder, name)):
        with open(os.path.join(folder, name)) as f:
            return f.read()
    repo = os.environ.get("KERAS_REPO")
    if repo:
        result = subprocess.run(["git", "-C", repo, "show", f"1.2.2:examples/{name}"],
                                check=False, capture_output=True, text=True)
        if result.returncode == 0:
            return result.stdout
    return None


def prepared_source(example: Example, source: str) -> str:
    """The script text to run: unchanged, or with the one documented replacement."""
    for old, new, _why in example.edits:
        assert source.count(old) == 1, f"{example.script}: expected one {old!r} to replace"
        source = source.replace(old, new)
    return source


def run_example(example: Example, source: str, home) -> subprocess.CompletedProcess:
    """Write the datasets under ``home`` and run the script there with the keras alias."""
    folder = datasets_dir(home)
    if example.keras_json is not None:
        with open(os.path.join(os.path.dirname(folder), "keras.json"), "w") as f:
            f.write(example.keras_json)
    for write in example.writers:
        write(folder)
    script = os.path.join(str(home), example.script)
    with open(script, "w") as f:
        f.write(prepared_source(example, source))
    # KERAS_HOME too: the suite's conftest points it elsewhere, and keras.json is read there
    env = dict(os.environ, HOME=str(home), KERAS_HOME=os.path.dirname(folder), MPLBACKEND="Agg",
               PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "tinygrad_keras", script, *example.args],
                          cwd=str(home),
                          check=False, capture_output=True, text=True, env=env, timeout=3 * 3600)


@pytest.mark.parametrize("test_id", sorted(SCRIPTS))
def test_example_script(test_id, tmp_path):
    example = SCRIPTS[test_id]
    if example.slow and not SLOW:
        pytest.skip(f"{example.script} trains for minutes; set TINYGRAD_KERAS_SLOW=1")
    for module in example.needs:
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{example.script} imports {module}, an optional extra not installed here")
    source = script_source(example.script)
    if source is None:
        pytest.skip("set KERAS_EXAMPLES_DIR or KERAS_REPO to run the Keras 1.2.2 examples")
    result = run_example(example, source, tmp_path)
    if example.fails_with is not None:
        # The script's own bug, not ours: it must fail, and for exactly that reason.
        assert result.returncode != 0, f"{example.script} now runs: drop its expected failure"
        assert example.fails_with in result.stderr, result.stderr[-3000:]
        return
    assert result.returncode == 0, result.stderr[-3000:]
    texts = (example.expected,) if isinstance(example.expected, str) else example.expected
    for text in texts:
        assert text in result.stdout, f"{text!r} not in:\n{result.stdout[-3000:]}"
    for name in example.outputs:
        assert os.path.isfile(os.path.join(str(tmp_path), name)), f"{name} was not written"
    # a diverged run prints "loss: nan"; generated text may contain "nan" as letters
    assert not re.search(r"\w: nan\b", result.stdout.lower()), result.stdout[-3000:]


def main(argv: list) -> int:
    """``python -m tests.examples.test_keras_examples ID [HOME]``: run one example by hand,
    print its output and wall time (for measuring; the tests are the checks)."""
    import tempfile
    import time
    example = SCRIPTS[argv[0]]
    home = argv[1] if len(argv) > 1 else tempfile.mkdtemp(prefix="keras_example_")
    start = time.perf_counter()
    result = run_example(example, script_source(example.script), home)
    print(result.stdout[-4000:], result.stderr[-4000:], sep="\n")
    print(f"{argv[0]}: exit {result.returncode}, {time.perf_counter() - start:.0f} s")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
