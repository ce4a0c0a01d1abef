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
import traceback

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
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - report like `python SCRIPT.py` would
        print_script_traceback(exc)
        return 1
    return 0


def print_script_traceback(exc: BaseException) -> None:
    """The traceback without this runner's and runpy's frames: it starts in the script."""
    tb = exc.__traceback__
    internal = {os.path.abspath(__file__), os.path.abspath(runpy.__file__), "<frozen runpy>"}
    while tb is not None and (tb.tb_frame.f_code.co_filename in internal or
                              os.path.abspath(tb.tb_frame.f_code.co_filename) in internal):
        tb = tb.tb_next
    traceback.print_exception(type(exc), exc, tb)


if __name__ == "__main__":
    sys.exit(main())
