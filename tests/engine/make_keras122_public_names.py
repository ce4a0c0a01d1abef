"""Write ``keras122_public_names.txt``: every public name of Keras 1.2.2, one per line.

Run from the repository root with a Keras git checkout (any clone that has the tag 1.2.2):

    python tests/engine/make_keras122_public_names.py /path/to/keras-repo

What counts as a public name of a module ``keras.m`` (read with ``ast`` from the source at
the tag, never imported):

- a top-level ``def``, ``class`` or assignment target whose name does not start with ``_``
  (also inside top-level ``if``/``try`` blocks, where 1.2.2 defines Python 2/3 variants,
  but not the ``None`` that stands in for an optional package that failed to import);
- in a package's ``__init__.py``: every name it takes with ``from .x import a, b`` or
  ``from .x import *`` (expanded to ``x``'s public names), since that is what re-exporting
  means there.  ``keras.backend`` re-exports *both* backends' names (a user's script may
  have been written against either one), plus ``common``'s;
- the few re-exports 1.2.2 made on purpose from an ordinary module (``RE_EXPORTS`` below).

Imported modules (``np``, ``K``) and other imported helpers are not public names.
The modules walked are those the Keras 1.2.2 API is made of (``keras.applications`` is not
one: it downloads pretrained ImageNet weights, which cannot be had here).  Each line of the output is ``keras.module.Name``; a name the
project leaves out on purpose is followed by two spaces, ``left out:`` and the reason.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

TAG = "1.2.2"
OUTPUT = Path(__file__).with_name("keras122_public_names.txt")
PACKAGES = ("layers", "engine", "utils", "preprocessing", "datasets")
MODULES = ("models", "optimizers", "objectives", "metrics", "callbacks", "initializations",
           "activations", "regularizers", "constraints", "wrappers/scikit_learn")
BACKENDS = ("common", "theano_backend", "tensorflow_backend")

RE_EXPORTS = {
    "keras/models.py": {"Model": "the documented home of Model (`from keras.models import "
                                 "Model` in the 1.2.2 guides)"},
    "keras/layers/convolutional.py": {
        name: "1.2.2 imports it here 'for backwards namespace compatibility'"
        for name in ("AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
                     "MaxPooling1D", "MaxPooling2D", "MaxPooling3D")},
}

# name -> reason it is deliberately not provided.  Each is a backend implementation detail
# or a constant describing the machine 1.2.2 ran on, not an API a Keras 1 script calls.
_THEANO_CTC = ("a step of the Theano backend's own ctc_batch_cost (a theano.scan over "
               "symbolic Theano tensors); the CTC API is ctc_batch_cost, ctc_decode and "
               "ctc_label_dense_to_sparse")
LEFT_OUT = {
    **{f"keras.backend.ctc_{step}": _THEANO_CTC for step in
       ("cost", "create_skip_idxs", "interleave_blanks", "path_probs", "update_log_p")},
    "keras.utils.generic_utils.func_load": "rebuilds a function from marshalled bytecode read "
                                           "from a model file; the project never runs code "
                                           "read from a file (a Lambda's function comes from "
                                           "custom_objects instead)",
    "keras.backend.pattern_broadcast": "sets Theano's per-axis 'broadcastable' flags; arrays "
                                       "here broadcast by shape alone, so there is no flag "
                                       "to set",
    "keras.backend.py_all": "an alias of the builtin all() that both 1.2.2 backends keep "
                            "for their own use before shadowing all()",
    "keras.backend.tf_major_version": "the installed TensorFlow's version number; there is "
                                      "no TensorFlow here",
    "keras.backend.tf_minor_version": "the installed TensorFlow's version number; there is "
                                      "no TensorFlow here",
}


def _git_show(repo: str, path: str) -> str:
    return subprocess.run(["git", "-C", repo, "show", f"{TAG}:{path}"], check=True,
                          capture_output=True, text=True).stdout


def _assigned_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in _assigned_names(elt)]
    return []


def _defined_names(body: list[ast.stmt]) -> list[str]:
    """Names bound at module level by def/class/assignment, also inside if/try blocks."""
    names: list[str] = []
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [n for t in node.targets for n in _assigned_names(t)]
        elif isinstance(node, ast.If):
            names += _defined_names(node.body) + _defined_names(node.orelse)
        elif isinstance(node, ast.Try):
            names += _defined_names(node.body)
            optional_modules = {a.asname or a.name for n in node.body
                                if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
            for handler in node.handlers:  # ``except ImportError: tables = None`` is no API
                names += [n for n in _defined_names(handler.body) if n not in optional_modules]
    return [n for n in names if not n.startswith("_")]


def _module_names(repo: str, path: str) -> list[str]:
    """Public names of one 1.2.2 source file (an ``__init__.py`` with its re-exports)."""
    tree = ast.parse(_git_show(repo, path))
    names = _defined_names(tree.body)
    names += list(RE_EXPORTS.get(path, {}))
    if path.endswith("__init__.py"):
        folder = path.rsplit("/", 1)[0]
        for node in ast.walk(tree):
            if not (isinstance(node, ast.ImportFrom) and node.level > 0):
                continue
            for alias in node.names:
                if alias.name != "*":
                    names.append(alias.asname or alias.name)
                    continue
                source = "/".join(folder.split("/")[: len(folder.split("/")) - node.level + 1])
                names += _module_names(repo, f"{source}/{node.module.replace('.', '/')}.py")
    return names


def _walked_files(repo: str) -> list[str]:
    listing = subprocess.run(["git", "-C", repo, "ls-tree", "-r", "--name-only", TAG, "keras"],
                             check=True, capture_output=True, text=True).stdout.split()
    files = [f"keras/{m}.py" for m in MODULES]
    for package in PACKAGES:
        files += [f for f in listing if f.startswith(f"keras/{package}/") and f.endswith(".py")]
    return files


def public_names(repo: str) -> list[str]:
    """Every ``keras.module.Name`` of the walked modules, sorted, without duplicates."""
    found = set()
    for path in _walked_files(repo):
        module = path[:-3].replace("/__init__", "").replace("/", ".")
        found.update(f"{module}.{name}" for name in _module_names(repo, path))
    for backend in BACKENDS:
        found.update(f"keras.backend.{name}"
                     for name in _module_names(repo, f"keras/backend/{backend}.py"))
    found.update(f"keras.backend.{name}"
                 for name in _module_names(repo, "keras/backend/__init__.py"))
    return sorted(found)


def main(repo: str) -> None:
    lines = []
    for name in public_names(repo):
        reason = LEFT_OUT.get(name)
        lines.append(f"{name}  left out: {reason}" if reason else name)
    missing = set(LEFT_OUT) - set(public_names(repo))
    if missing:
        raise SystemExit(f"LEFT_OUT names that 1.2.2 does not have: {sorted(missing)}")
    OUTPUT.write_text("".join(line + "\n" for line in lines))
    print(f"wrote {len(lines)} names to {OUTPUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
