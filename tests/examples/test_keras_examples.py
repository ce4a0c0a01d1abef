"""Keras 1.2.2 ``examples/`` scripts run unchanged with ``python -m tinygrad_keras``.

The scripts are not part of this repository (they are Keras' code).  Point the
tests at them with either

* ``KERAS_EXAMPLES_DIR=/path/to/keras-1.2.2/examples``, or
* ``KERAS_REPO=/path/to/a/keras/git/clone`` (read with ``git show 1.2.2:examples/...``);

otherwise these tests are skipped.  Each run gets a temporary ``HOME`` whose
``~/.keras/datasets`` holds small files in the exact 1.2.2 formats
(``tests/datasets/fake_keras_datasets.py``), so nothing is downloaded.
Scripts that hard-code full-size data (``mnist_mlp.py`` reshapes to 60000
rows and trains 20 epochs) take minutes: they run only with
``TINYGRAD_KERAS_SLOW=1``.
"""
import functools
import os
import subprocess
import sys

import pytest

from tests.datasets.fake_keras_datasets import datasets_dir, write_imdb, write_mnist, write_reuters

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SLOW = os.environ.get("TINYGRAD_KERAS_SLOW") == "1"

# script -> (dataset writers it needs, slow?, text its output must contain)
# (seconds measured on a loaded 2-core machine: fasttext 3, cnn 10, cnn_lstm 8, reuters 7,
# transfer_cnn 50, bidirectional 37, imdb_lstm 215; mnist_mlp, antirectifier and the siamese
# graph reshape to 60000 samples, addition_rnn trains 199 rounds on 45000 questions)
SCRIPTS = {
    "reuters_mlp.py": ((write_reuters,), False, "Test accuracy:"),
    "imdb_fasttext.py": ((write_imdb,), False, "Epoch 5/5"),
    "imdb_cnn.py": ((write_imdb,), False, "Epoch 2/2"),
    "imdb_cnn_lstm.py": ((write_imdb,), False, "Test accuracy:"),
    "imdb_bidirectional_lstm.py": ((write_imdb,), True, "Epoch 4/4"),
    "imdb_lstm.py": ((write_imdb,), True, "Test accuracy:"),
    "mnist_transfer_cnn.py": ((functools.partial(write_mnist, n_train=600, n_test=100),),
                              False, "Test accuracy:"),
    "mnist_mlp.py": ((write_mnist,), True, "Test accuracy:"),
    "antirectifier.py": ((write_mnist,), True, "Epoch 40/40"),
    "mnist_siamese_graph.py": ((write_mnist,), True, "* Accuracy on test set:"),
    "addition_rnn.py": ((), True, "Iteration 199"),
}


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


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_example_script_runs_unchanged(name, tmp_path):
    writers, slow, expected = SCRIPTS[name]
    if slow and not SLOW:
        pytest.skip(f"{name} trains on full-size data for minutes; set TINYGRAD_KERAS_SLOW=1")
    source = script_source(name)
    if source is None:
        pytest.skip("set KERAS_EXAMPLES_DIR or KERAS_REPO to run the Keras 1.2.2 examples")
    folder = datasets_dir(tmp_path)
    for write in writers:
        write(folder)
    script = tmp_path / name
    script.write_text(source)
    env = dict(os.environ, HOME=str(tmp_path),
               PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, "-m", "tinygrad_keras", str(script)], cwd=tmp_path,
                            check=False, capture_output=True, text=True, env=env, timeout=3600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert expected in result.stdout
    assert "nan" not in result.stdout.split("Epoch 1/")[-1].lower()
