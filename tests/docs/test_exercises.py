"""Every exercise check accepts the reference answer and rejects the stub and wrong answers.

The learner edits ``tutorials/exercises/NN_*.py`` and runs
``python -m tinygrad_keras.exercises check NN``; the checks live in
``tinygrad_keras/exercises/check_NN.py``.  A check that passed a wrong answer would teach
the wrong thing, so each known wrong answer below must fail.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from tinygrad_keras import Function, exercises
from tinygrad_keras.exercises import checker, exercise_file, load_file, run_check

ROOT = Path(__file__).resolve().parents[2]
NUMBERS = exercises.available()
TUTORIALS = sorted((ROOT / "tutorials").glob("[0-9][0-9]_*.py"))


def test_every_tutorial_has_a_stub_a_solution_and_a_check():
    for path in TUTORIALS:
        if path.stem.endswith("_zh"):
            continue  # the Chinese quick start shares tutorial 7's exercise
        number = int(path.name[:2])
        assert number in NUMBERS, f"no tinygrad_keras/exercises/check_{number:02d}.py"
        stub, solution = exercise_file(number, ROOT), exercise_file(number, ROOT, solution=True)
        assert stub.name == solution.name == path.name
        text = path.read_text(encoding="utf-8")
        assert f"exercises check {number}" in text or f"tutorials/exercises/{path.name}" in text, \
            f"{path.name} does not tell the learner where the exercise is or how to check it"


@pytest.mark.parametrize("number", NUMBERS)
def test_the_solution_passes(number):
    passed, message = run_check(number, exercise_file(number, ROOT, solution=True))
    assert passed, message


@pytest.mark.parametrize("number", NUMBERS)
def test_the_stub_fails_with_its_todo(number):
    with pytest.raises(NotImplementedError):
        checker(number)(load_file(exercise_file(number, ROOT)))
    passed, message = run_check(number, exercise_file(number, ROOT))
    assert not passed and message.startswith("not written yet:"), message


def reversed_bfs(root):
    """A classic wrong topological sort: breadth-first from the root, reversed."""
    order, seen, queue = [], {id(root)}, [root]
    while queue:
        node = queue.pop(0)
        order.append(node)
        for p in node.parents:
            if id(p) not in seen:
                seen.add(id(p))
                queue.append(p)
    return order[::-1]


def recursive_dfs(root, seen=None):
    """Right order, but recursion: fails on a deep graph."""
    seen = set() if seen is None else seen
    out = []
    for p in root.parents:
        if id(p) not in seen:
            seen.add(id(p))
            out += recursive_dfs(p, seen)
    return out + [root]


def count_every_visit(t):
    counts, stack = {}, [t]
    while stack:
        node = stack.pop()
        if node.op:
            counts[node.op] = counts.get(node.op, 0) + 1
        stack.extend(node.parents)
    return counts


def naive_bce(y_true, logits):
    p = 1 / (1 + (-logits).exp())
    return -(y_true * p.log() + (1 - y_true) * (1 - p).log())


def adam_without_bias_correction(p, g, m, v, t, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g * g
    return p - lr * m / (np.sqrt(v) + epsilon), m, v


def unbroadcast_leading_only(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    return grad


class NaiveLogAddExp(Function):
    """Right in exact arithmetic, but exp(1e4) overflows."""

    def forward(self, a, b):
        self.ea, self.eb = np.exp(a), np.exp(b)
        return np.log(self.ea + self.eb)

    def backward(self, grad):
        total = self.ea + self.eb
        return grad * self.ea / total, grad * self.eb / total


def lstm_blocks_in_keras_order(x, weights):
    """Reads the fused blocks as i, c, f, o (the order of the 12 arrays), not i, f, c, o."""
    W, U, b = weights
    u = U.shape[0]
    swap = np.r_[0:u, 2 * u:3 * u, u:2 * u, 3 * u:4 * u]
    return load_file(exercise_file(13, ROOT, solution=True)).lstm_by_hand_gpu(
        x, [W[:, swap], U[:, swap], b[swap]])


WRONG = {
    "reversed breadth-first search": (2, SimpleNamespace(topo_order=reversed_bfs)),
    "recursive depth-first search": (2, SimpleNamespace(topo_order=recursive_dfs)),
    "a node counted once per path": (1, SimpleNamespace(count_ops=count_every_visit)),
    "size-1 axes not summed": (3, SimpleNamespace(my_unbroadcast=unbroadcast_leading_only)),
    "sigmoid then log (overflows)": (6, SimpleNamespace(bce_with_logits=naive_bce)),
    "Adam without its bias correction": (9, SimpleNamespace(adam_step=adam_without_bias_correction)),
    "log(exp(a) + exp(b)) computed as written": (4, SimpleNamespace(LogAddExp=NaiveLogAddExp)),
    "LSTM gate blocks read as i, c, f, o": (13, SimpleNamespace(
        lstm_by_hand_gpu=lstm_blocks_in_keras_order)),
    "l1 distance without abs": (8, SimpleNamespace(
        l1_distance=lambda ts: (ts[0] - ts[1]).sum(axis=-1, keepdims=True))),
}


@pytest.mark.parametrize("name", sorted(WRONG))
def test_a_wrong_answer_fails(name):
    number, module = WRONG[name]
    with np.errstate(all="ignore"), pytest.raises(AssertionError) as info:
        checker(number)(module)
    assert str(info.value), "the learner must be told what is wrong"


def run_cli(*args, cwd=ROOT):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "tinygrad_keras.exercises", *args], cwd=str(cwd),
                          env=env, capture_output=True, text=True, timeout=120, check=False)


def test_the_command_checks_the_stub_the_solution_and_a_file(tmp_path):
    stub = run_cli("check", "02")
    assert stub.returncode == 1 and "not written yet" in stub.stdout, stub.stdout + stub.stderr
    good = run_cli("check", "2", "--solution")
    assert good.returncode == 0 and "exercise 2 passed" in good.stdout, good.stdout + good.stderr
    wrong = tmp_path / "try.py"
    wrong.write_text("def topo_order(root):\n    return [root]\n")
    bad = run_cli("check", "2", "--file", str(wrong))
    assert bad.returncode == 1 and "not right yet" in bad.stdout and "missing" in bad.stdout
    elsewhere = run_cli("check", "2", cwd=tmp_path)
    assert elsewhere.returncode == 2 and "repository root" in elsewhere.stdout
    assert run_cli("check", "99").returncode == 2
