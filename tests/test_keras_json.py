"""keras.json: read from $KERAS_HOME (or ~/.keras) when present, never written."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tinygrad_keras._backend.config_file import config_path, read_user_config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PRINT_CONFIG = ("from tinygrad_keras import backend as K; "
                "print(K.image_dim_ordering(), K.floatx(), K.epsilon())")


def _fresh_backend(env: dict) -> subprocess.CompletedProcess:
    env = {**os.environ, **env, "PYTHONPATH": ROOT}
    return subprocess.run([sys.executable, "-c", PRINT_CONFIG], env=env, capture_output=True,
                          text=True, check=False)


def test_keras_home_file_sets_the_backend(tmp_path):
    (tmp_path / "keras.json").write_text(json.dumps(
        {"image_dim_ordering": "tf", "floatx": "float64", "epsilon": 1e-4,
         "backend": "tensorflow"}))
    result = _fresh_backend({"KERAS_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["tf", "float64", "0.0001"]


def test_home_dot_keras_is_read_without_keras_home(tmp_path):
    (tmp_path / ".keras").mkdir()
    (tmp_path / ".keras" / "keras.json").write_text('{"image_dim_ordering": "tf"}')
    env = {k: v for k, v in os.environ.items() if k != "KERAS_HOME"}
    env["HOME"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-c", PRINT_CONFIG], capture_output=True,
                            text=True, check=False, env={**env, "PYTHONPATH": ROOT})
    assert result.stdout.split() == ["tf", "float32", "1e-07"], result.stderr


def test_no_file_keeps_defaults_and_writes_nothing(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    result = _fresh_backend({"KERAS_HOME": str(tmp_path / "absent"), "HOME": str(home)})
    assert result.stdout.split() == ["th", "float32", "1e-07"], result.stderr
    assert list(tmp_path.iterdir()) == [home] and list(home.iterdir()) == []


@pytest.mark.parametrize("content, message", [
    ('{"image_dim_ordering": "channels_last"}', "'image_dim_ordering' should be one of"),
    ('{"floatx": "float8"}', "'floatx' should be one of"),
    ('{"epsilon": "small"}', "'epsilon' should be a positive number"),
    ("[1, 2]", "expected a JSON object"),
    ("{not json", "cannot read the Keras configuration file"),
])
def test_bad_files_are_errors_naming_the_file(tmp_path, content, message):
    path = tmp_path / "keras.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=message) as info:
        read_user_config(str(path))
    assert str(path) in str(info.value)
    result = _fresh_backend({"KERAS_HOME": str(tmp_path)})
    assert result.returncode != 0 and message.split("'")[0] in result.stderr


def test_the_suite_itself_runs_with_an_empty_keras_home():
    assert not os.path.exists(config_path())
