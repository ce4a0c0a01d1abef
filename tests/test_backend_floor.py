"""The backend is a floor below the engine: ``backend.py`` and ``_backend/`` import
nothing from ``engine/`` (nor from the layers or models above it)."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "tinygrad_keras"
ABOVE = ("engine", "layers", "models", "callbacks", "wrappers", "optimizers")


def _imported_modules(path: Path) -> list[str]:
    """Every module an import statement of ``path`` names (also inside functions), with
    relative imports resolved against the package."""
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found += [module] + [f"{module}.{alias.name}" for alias in node.names]
    return found


def test_backend_files_import_nothing_from_above():
    files = [PACKAGE / "backend.py", *sorted((PACKAGE / "_backend").glob("*.py"))]
    assert len(files) > 5
    offences = [(f.name, m) for f in files for m in _imported_modules(f)
                if any(m == f"tinygrad_keras.{a}" or m.startswith(f"tinygrad_keras.{a}.")
                       for a in ABOVE)]
    assert offences == []


def test_the_checker_sees_function_level_and_relative_imports():
    graph = PACKAGE / "_backend" / "graph.py"
    names = _imported_modules(graph)
    assert "tinygrad_keras._backend.symbolic.make_input" in names
    deferred = _imported_modules(PACKAGE / "_backend" / "deferred.py")
    assert "tinygrad_keras.autodiff.grad" in deferred  # inside gradient_values(); below us
    assert "tinygrad_keras._backend.symbolic.GraphNeeded" in names


def test_backend_alone_does_not_load_the_engine_and_placeholders_still_work():
    code = """
import sys
import numpy as np
from tinygrad_keras import backend as K
ph = K.placeholder(shape=(None, 3), name='early')
assert 'tinygrad_keras.engine' not in sys.modules, 'the backend loaded the engine'
assert K.is_keras_tensor(ph) and K.int_shape(ph) == (None, 3)
from tinygrad_keras.layers import Dense
from tinygrad_keras.models import Model
layer = Dense(2, weights=[np.ones((3, 2), 'float32'), np.zeros(2, 'float32')])
out = layer(ph)
model = Model(ph, out)
assert model.input_layers[0].name == 'early'
f = K.function([ph], [out])
print(f([np.ones((1, 3))])[0].tolist(), model.predict(np.ones((1, 3))).tolist())
"""
    root = str(PACKAGE.parent)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": root}, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["[[3.0,", "3.0]]", "[[3.0,", "3.0]]"]
