"""Build the wheel, install it outside the repository, and use it (CI step).

Usage: ``python .ci/wheel_smoke.py`` from the repository root, with numpy, scipy and
h5py importable.  The wheel is installed with ``--no-deps`` into a temporary folder and
imported from a temporary working directory, so nothing of the checkout is on the path:
the bundled data (``datasets/data``) must have come with the wheel.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ("tinygrad_keras/datasets/data/digits.npz", "tinygrad_keras/datasets/data/README.md")

SMOKE = """
import os, sys
import numpy as np
import tinygrad_keras
assert tinygrad_keras.__file__.startswith(sys.argv[1]), tinygrad_keras.__file__
from tinygrad_keras.datasets import digits
(x, y), (x_test, y_test) = digits.load_data()
assert x.ndim == 3 and len(x) == len(y) and len(x_test) > 0, (x.shape, y.shape)
tinygrad_keras.install_keras_alias()
from keras.models import Sequential
from keras.layers import Dense, Flatten
from keras.utils.np_utils import to_categorical
np.random.seed(0)
model = Sequential([Flatten(input_shape=x.shape[1:]), Dense(10, activation='softmax')])
model.compile('adam', 'categorical_crossentropy', metrics=['accuracy'])
history = model.fit(x / 16.0, to_categorical(y, 10), nb_epoch=3, verbose=0)
accuracy = model.evaluate(x_test / 16.0, to_categorical(y_test, 10), verbose=0)[1]
print('wheel smoke test: digits accuracy after 3 epochs %.3f' % accuracy)
assert accuracy > 0.5, accuracy
"""


def run(*cmd: str, **kwargs) -> None:
    shown = (arg if len(arg) < 80 else "<" + arg.strip().splitlines()[0] + " ...>" for arg in cmd)
    print("+", " ".join(shown), flush=True)
    subprocess.run(cmd, check=True, **kwargs)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="wheel_smoke_") as tmp:
        dist, site, work = (os.path.join(tmp, d) for d in ("dist", "site", "work"))
        os.makedirs(work)
        run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, str(ROOT))
        wheels = list(Path(dist).glob("tinygrad_keras-*.whl"))
        assert len(wheels) == 1, wheels
        names = set(zipfile.ZipFile(wheels[0]).namelist())
        missing = [f for f in BUNDLED if f not in names]
        assert not missing, f"the wheel lacks its bundled data: {missing}"
        assert not any(n.startswith("tests/") for n in names), "the wheel ships the tests"
        run(sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", site,
            str(wheels[0]))
        env = {**os.environ, "PYTHONPATH": site, "KERAS_HOME": work}
        run(sys.executable, "-c", SMOKE, site, cwd=work, env=env)


if __name__ == "__main__":
    main()
