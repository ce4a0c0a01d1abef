"""Read the Keras 1 configuration file, ``keras.json``, once at import.

Keras 1 users set ``image_dim_ordering``, ``floatx`` and ``epsilon`` in
``~/.keras/keras.json``.  The file is looked for in ``$KERAS_HOME`` when that is set,
else in ``~/.keras``; without one the project's defaults stay (``'th'`` ordering).
Unlike Keras 1.2.2 this never *writes* the file (nor creates the folder): nothing is
put into the user's home unasked.  A ``backend`` key is ignored (there is one backend).
A value Keras 1.2.2 would have refused is an error naming the file and the key.
"""
from __future__ import annotations

import json
import os

_CHOICES = {"floatx": ("float16", "float32", "float64"), "image_dim_ordering": ("th", "tf")}


def config_path() -> str:
    """``$KERAS_HOME/keras.json``, or ``~/.keras/keras.json``."""
    folder = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(folder, "keras.json")


def _checked(path: str, key: str, value):
    if key == "epsilon":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ValueError(f"{path}: 'epsilon' should be a positive number, got {value!r}")
        return float(value)
    if value not in _CHOICES[key]:
        raise ValueError(f"{path}: {key!r} should be one of {_CHOICES[key]}, got {value!r}")
    return value


def read_user_config(path: str | None = None) -> dict:
    """The settings found in the file (only the keys it has), checked; {} without a file."""
    path = path or config_path()
    if not os.path.isfile(path):
        return {}
    try:
        with open(path) as f:
            config = json.load(f)
    except (OSError, ValueError) as err:
        raise ValueError(f"{path}: cannot read the Keras configuration file ({err}); fix or "
                         f"remove it") from err
    if not isinstance(config, dict):
        raise ValueError(f"{path}: expected a JSON object such as "  # noqa: TRY004 (a bad file)
                         f'{{"image_dim_ordering": "th"}}, got {type(config).__name__}')
    return {key: _checked(path, key, config[key])
            for key in ("floatx", "epsilon", "image_dim_ordering") if key in config}
