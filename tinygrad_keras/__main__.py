"""``python -m tinygrad_keras SCRIPT.py [ARGS...]``: run a Keras 1 script on tinygrad_keras.

The ``keras`` alias is installed, ``sys.argv`` becomes ``[SCRIPT.py, ARGS...]``
and the script's folder goes first on ``sys.path``, exactly as if the script
had been started with ``python SCRIPT.py``; an error in the script shows its
usual traceback.
"""
from __future__ import annotations

import os
import runpy
import sys

USAGE = "usage: python -m tinygrad_keras SCRIPT.py [ARGS...]   (runs a Keras 1 script)"


def main(argv: list | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr if not argv else sys.stdout)
        return 2 if not argv else 0
    script = argv[0]
    if not os.path.isfile(script):
        print(f"tinygrad_keras: can't open file {script!r}: no such file", file=sys.stderr)
        return 2
    from . import install_keras_alias
    install_keras_alias()
    sys.argv = [script] + argv[1:]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
