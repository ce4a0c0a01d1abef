"""Run code under the real Keras 3 (JAX backend, CPU) in a separate Python process.

Inside the test process ``keras`` may be aliased to tinygrad_keras, so Keras 3
always runs in a subprocess of its own, with ``KERAS_BACKEND=jax``.  Without
Keras 3 (the optional ``keras3`` extra) the tests that need it are skipped.
"""
from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile

import pytest


def _env() -> dict:
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="3")
    # Keras 3 writes a keras.json into KERAS_HOME when it finds none: give it its own folder
    env["KERAS_HOME"] = tempfile.mkdtemp(prefix="keras3_home_")
    env.pop("PYTHONPATH", None)  # the real keras, never this project's alias
    return env


@functools.lru_cache(maxsize=1)
def keras3_missing() -> str | None:
    """Why Keras 3 cannot run here, or None."""
    probe = "import keras, sys; sys.exit(0 if int(keras.__version__.split('.')[0]) >= 3 else 3)"
    try:
        result = subprocess.run([sys.executable, "-c", probe], check=False, env=_env(),
                                capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"Keras 3 could not start: {exc}"
    if result.returncode:
        return ("Keras 3 with JAX is not installed (pip install -e '.[keras3]'): "
                + (result.stderr.strip().splitlines() or ["keras < 3"])[-1])
    return None


def require_keras3() -> None:
    reason = keras3_missing()
    if reason:
        pytest.skip(reason)


def run_keras3(script: str, cwd) -> str:
    """Run ``script`` with Keras 3 in folder ``cwd``; its stdout, or a failure with stderr."""
    require_keras3()
    result = subprocess.run([sys.executable, "-c", script], check=False, cwd=str(cwd),
                            env=_env(), capture_output=True, text=True, timeout=900)
    if result.returncode:
        pytest.fail(f"the Keras 3 script failed:\n{result.stderr[-4000:]}")
    return result.stdout
