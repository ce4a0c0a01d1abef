"""``python -m tinygrad_keras.exercises check N``: check one exercise (see ``__init__``)."""
from __future__ import annotations

import argparse
import sys

from . import available, exercise_file, run_check


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tinygrad_keras.exercises",
        description="Check a learning-path exercise. Run from the repository root.")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check exercise N (2 or 02)")
    check.add_argument("number", type=int, help="the tutorial's number, e.g. 2")
    check.add_argument("--file", help="check this file instead of tutorials/exercises/NN_*.py")
    check.add_argument("--solution", action="store_true",
                       help="check the reference answer tutorials/solutions/NN_*.py")
    sub.add_parser("list", help="list the exercises that have a check")
    args = parser.parse_args(argv)
    if args.command == "list":
        print("exercises with a check:", " ".join(str(n) for n in available()))
        return 0
    if args.number not in available():
        print(f"there is no exercise {args.number}; the exercises are {available()}")
        return 2
    try:
        path = args.file or exercise_file(args.number, solution=args.solution)
    except FileNotFoundError as exc:
        print(exc)
        return 2
    print(f"checking exercise {args.number}: {path}")
    passed, message = run_check(args.number, path)
    print(message)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
