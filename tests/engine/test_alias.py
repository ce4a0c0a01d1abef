"""``import keras`` through the alias, and ``python -m tinygrad_keras SCRIPT.py``."""
import os
import subprocess
import sys
import textwrap

import pytest

import tinygrad_keras

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_alias_resolves_to_the_same_modules():
    tinygrad_keras.install_keras_alias()
    tinygrad_keras.install_keras_alias()  # idempotent
    import keras
    import keras.backend as K
    from keras.engine.training import slice_X
    from keras.layers import Dense
    from keras.utils import np_utils

    import tinygrad_keras.backend as real_backend
    import tinygrad_keras.layers as real_layers
    import tinygrad_keras.models as real_models
    import tinygrad_keras.utils.np_utils as real_np_utils
    assert keras.__version__ == "1.2.2" and tinygrad_keras.__version__ != "1.2.2"
    assert K is real_backend and K.backend() == "tinygrad_keras"
    assert Dense is real_layers.Dense
    assert np_utils is real_np_utils
    assert keras.models.Sequential is real_models.Sequential
    assert slice_X([[1, 2, 3]], 1)[0] == [2, 3]
    with pytest.raises(ImportError):
        import keras.no_such_module


def run_script(tmp_path, body, *args):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(body))
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "tinygrad_keras", str(script), *args],
                          check=False, capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=120)


def test_main_runs_a_keras_script_with_its_arguments(tmp_path):
    (tmp_path / "helper.py").write_text("VALUE = 41\n")
    result = run_script(tmp_path, """
        import sys
        import numpy as np
        from keras.models import Sequential
        from keras.layers import Dense
        from helper import VALUE  # the script's folder is on sys.path
        model = Sequential([Dense(1, input_dim=2)])
        model.compile('sgd', 'mse')
        model.fit(np.zeros((4, 2)), np.zeros((4, 1)), nb_epoch=1, verbose=0)
        print(sys.argv[1:], VALUE + 1, __name__)
    """, "--flag", "x")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['--flag', 'x'] 42 __main__"


def test_main_shows_the_scripts_traceback(tmp_path):
    result = run_script(tmp_path, """
        def broken():
            raise ValueError("boom from the script")
        broken()
    """)
    assert result.returncode == 1
    assert "script.py" in result.stderr and "in broken" in result.stderr
    assert "ValueError: boom from the script" in result.stderr
    assert "runpy" not in result.stderr and "__main__.py" not in result.stderr
    assert result.stderr.startswith("Traceback (most recent call last):\n  File \"" +
                                    str(tmp_path / "script.py"))


def test_main_usage(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT)
    result = subprocess.run([sys.executable, "-m", "tinygrad_keras"], check=False,
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2 and "usage" in result.stderr
    missing = subprocess.run([sys.executable, "-m", "tinygrad_keras", str(tmp_path / "no.py")],
                             check=False, capture_output=True, text=True, env=env, timeout=60)
    assert missing.returncode == 2 and "no.py" in missing.stderr


def test_aliased_modules_keep_their_own_spec():
    """``import keras.x`` must not replace tinygrad_keras.x's ``__spec__`` (from Python 3.14
    the import system reads only ``__spec__``; 3.12+ warns when it disagrees with
    ``__package__``)."""
    import importlib
    import warnings

    from tinygrad_keras import install_keras_alias
    install_keras_alias()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ("keras.layers.core", "keras.engine.training", "keras.utils.np_utils",
                     "keras.preprocessing.image", "keras.wrappers.scikit_learn"):
            module = importlib.import_module(name)
            real = name.replace("keras", "tinygrad_keras", 1)
            assert module is sys.modules[real]
            assert module.__spec__.name == real and module.__spec__.parent == module.__package__
