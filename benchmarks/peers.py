#!/usr/bin/env python3
"""The four peer workloads, tinygrad_keras beside PyTorch (and hand-written numpy), in one run.

    python benchmarks/peers.py                        # all four workloads, 3 rounds
    python benchmarks/peers.py lstm --rounds 5
    python benchmarks/peers.py mlp --with numpy       # the MLP beside hand-written numpy too
    python benchmarks/peers.py tiny --only tk         # without PyTorch

Workloads (synthetic data, float32, plain SGD(0.01), training samples per second):

* ``mlp``  784-512-512-10 relu, softmax + categorical crossentropy, batch 128;
* ``cnn``  1x28x28, Conv32 3x3 relu, Conv32 3x3 relu, MaxPool 2x2, Dense128 relu,
  Dense10 softmax, batch 128;
* ``lstm`` Embedding(20000, 128), LSTM(128) over 80 steps, Dense(1) sigmoid, binary
  crossentropy, batch 32;
* ``tiny`` 20-16-16-2 relu, batch 32 (the per-step overhead).

tinygrad_keras runs through its Keras 1 API (``train_on_batch``).  Each framework runs in
a child process of its own with one BLAS / intra-op thread and the OpenBLAS tuning
variables removed (as on a user's machine); the frameworks alternate within each round,
so both see the same machine load, and the ratio is taken per round.  Two ratios are
printed: by wall time, and by the process's CPU time, which is the steadier one on a
shared machine (other processes stealing the core inflate wall time, not CPU time).
PyTorch is optional (``pip install torch``); it is never a dependency of the project.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BATCH = {"mlp": 128, "cnn": 128, "lstm": 32, "tiny": 32}
VOCAB, EMB, HIDDEN, STEPS, LR = 20000, 128, 128, 80, 0.01


def make_data(workload: str, n: int = 4, seed: int = 0) -> list:
    """``n`` batches ``(x, integer labels)`` of the workload."""
    import numpy as np
    rng, b = np.random.default_rng(seed), BATCH[workload]
    shapes = {"mlp": (b, 784), "cnn": (b, 1, 28, 28), "tiny": (b, 20)}
    classes = {"mlp": 10, "cnn": 10, "tiny": 2, "lstm": 2}[workload]
    out = []
    for _ in range(n):
        if workload == "lstm":
            x = rng.integers(0, VOCAB, (b, STEPS)).astype(np.int64)
        else:
            x = rng.random(shapes[workload], dtype=np.float32)
        out.append((x, rng.integers(0, classes, b).astype(np.int64)))
    return out


def tk_step(workload: str):
    sys.path.insert(0, ROOT)
    import numpy as np

    from tinygrad_keras.layers import LSTM, Convolution2D, Dense, Embedding, Flatten, MaxPooling2D
    from tinygrad_keras.models import Sequential
    from tinygrad_keras.optimizers import SGD
    np.random.seed(0)
    layers = {
        "mlp": lambda: [Dense(512, input_dim=784, activation="relu"),
                        Dense(512, activation="relu"), Dense(10, activation="softmax")],
        "tiny": lambda: [Dense(16, input_dim=20, activation="relu"),
                         Dense(16, activation="relu"), Dense(2, activation="softmax")],
        "cnn": lambda: [Convolution2D(32, 3, 3, activation="relu", input_shape=(1, 28, 28),
                                      dim_ordering="th"),
                        Convolution2D(32, 3, 3, activation="relu", dim_ordering="th"),
                        MaxPooling2D((2, 2), dim_ordering="th"), Flatten(),
                        Dense(128, activation="relu"), Dense(10, activation="softmax")],
        "lstm": lambda: [Embedding(VOCAB, EMB, input_length=STEPS), LSTM(HIDDEN),
                         Dense(1, activation="sigmoid")],
    }[workload]()
    model = Sequential(layers)
    model.compile(SGD(lr=LR), "binary_crossentropy" if workload == "lstm"
                  else "categorical_crossentropy")
    classes = 2 if workload == "tiny" else 10
    data = [(x, y.reshape(-1, 1).astype("float32") if workload == "lstm"
             else np.eye(classes, dtype="float32")[y]) for x, y in make_data(workload)]
    return _cycle(data, model.train_on_batch)


def torch_step(workload: str):
    import numpy as np
    import torch
    from torch import nn
    torch.set_num_threads(1)
    torch.manual_seed(0)

    def dense(*sizes):
        mods = []
        for a, b in itertools.pairwise(sizes):
            mods += [nn.Linear(a, b), nn.ReLU()]
        return mods[:-1]

    class LSTMNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb, self.lstm = nn.Embedding(VOCAB, EMB), nn.LSTM(EMB, HIDDEN, batch_first=True)
            self.out = nn.Linear(HIDDEN, 1)

        def forward(self, x):
            return self.out(self.lstm(self.emb(x))[1][0][-1]).squeeze(1)

    model = {
        "mlp": lambda: nn.Sequential(*dense(784, 512, 512, 10)),
        "tiny": lambda: nn.Sequential(*dense(20, 16, 16, 2)),
        "cnn": lambda: nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 32, 3),
                                     nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                                     *dense(32 * 12 * 12, 128, 10)),
        "lstm": LSTMNet,
    }[workload]()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    lossf = (nn.functional.binary_cross_entropy_with_logits if workload == "lstm"
             else nn.functional.cross_entropy)
    data = [(torch.from_numpy(x), torch.from_numpy(y.astype(np.float32) if workload == "lstm"
                                                   else y)) for x, y in make_data(workload)]

    def step(x, y):
        opt.zero_grad(set_to_none=True)
        loss = lossf(model(x), y)
        loss.backward()
        opt.step()
    return _cycle(data, step)


NUMPY_WORKLOADS = ("mlp", "tiny")


def numpy_step(workload: str):
    """The MLP (or tiny) trained by backpropagation written out by hand in numpy."""
    import numpy as np
    if workload not in NUMPY_WORKLOADS:
        raise SystemExit("hand-written numpy: mlp and tiny only")
    sizes = (784, 512, 512, 10) if workload == "mlp" else (20, 16, 16, 2)
    rng = np.random.default_rng(0)
    Ws = [(rng.standard_normal((a, b)) * np.sqrt(2 / a)).astype(np.float32)
          for a, b in itertools.pairwise(sizes)]
    bs = [np.zeros(b, np.float32) for b in sizes[1:]]
    data = [(x, np.eye(sizes[-1], dtype=np.float32)[y]) for x, y in make_data(workload)]

    def step(x, y):
        acts = [x]
        for W, b in zip(Ws[:-1], bs[:-1]):
            acts.append(np.maximum(acts[-1] @ W + b, 0))
        z = acts[-1] @ Ws[-1] + bs[-1]
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        g = (p - y) / len(x)
        for i in range(len(Ws) - 1, -1, -1):
            gW, gb = acts[i].T @ g, g.sum(axis=0)
            if i:
                g = (g @ Ws[i].T) * (acts[i] > 0)
            Ws[i] -= LR * gW
            bs[i] -= LR * gb
    return _cycle(data, step)


def _cycle(data: list, train):
    it = [0]

    def step():
        x, y = data[it[0] % len(data)]
        it[0] += 1
        train(x, y)
    return step


def blas_info() -> list:
    try:
        import threadpoolctl
    except ImportError:
        return ["threadpoolctl not installed"]
    return [f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')} "
            f"threads={i.get('num_threads')}" for i in threadpoolctl.threadpool_info()]


def measure(framework: str, workload: str, min_time: float, repeats: int = 3) -> dict:
    """In a child process: median samples/s over ``repeats`` blocks (wall and CPU)."""
    step = {"tk": tk_step, "torch": torch_step, "numpy": numpy_step}[framework](workload)
    for _ in range(3):
        step()
    wall, cpu = [], []
    for _ in range(repeats):
        n, w0, c0 = 0, time.perf_counter(), time.process_time()
        while time.perf_counter() - w0 < min_time or n < 3:
            step()
            n += 1
        wall.append(n * BATCH[workload] / (time.perf_counter() - w0))
        cpu.append(n * BATCH[workload] / max(time.process_time() - c0, 1e-9))
    return {"wall_sps": statistics.median(wall), "cpu_sps": statistics.median(cpu),
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "blas": blas_info()}


def run_child(framework: str, workload: str, min_time: float) -> dict | None:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = [sys.executable, os.path.abspath(__file__), workload, "--child", framework,
           "--min-time", str(min_time)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1800, check=False)
    if proc.returncode != 0:
        print(f"{framework} failed: {(proc.stderr or proc.stdout).strip().splitlines()[-1:]}")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compare(workload: str, peers: list, rounds: int, min_time: float) -> None:
    ratios = {p: {"wall": [], "cpu": []} for p in peers if p != "tk"}
    res = {}
    for r in range(rounds):
        res = {fw: run_child(fw, workload, min_time) for fw in peers}
        if any(v is None for v in res.values()):
            return
        print(f"{workload} round {r}: " + "; ".join(
            f"{fw} {v['wall_sps']:.0f}/s wall, {v['cpu_sps']:.0f}/s CPU, "
            f"{v['peak_rss_mib']:.0f} MiB" for fw, v in res.items()))
        for peer, values in ratios.items():
            for kind in ("wall", "cpu"):
                values[kind].append(res["tk"][f"{kind}_sps"] / res[peer][f"{kind}_sps"])
    for peer, values in ratios.items():
        print(f"{workload}: tinygrad_keras / {peer}, median of {rounds} rounds: "
              f"{statistics.median(values['wall']):.2f} (wall time), "
              f"{statistics.median(values['cpu']):.2f} (CPU time)")
    print("BLAS:", "; ".join(res["tk"]["blas"]) if "tk" in res else "?")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workloads", nargs="*", default=["mlp", "cnn", "lstm", "tiny"],
                    choices=["mlp", "cnn", "lstm", "tiny"])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--min-time", type=float, default=1.5, help="seconds per timed block")
    ap.add_argument("--only", choices=["tk"], help="tinygrad_keras alone (no PyTorch)")
    ap.add_argument("--with", dest="extra", choices=["numpy"], help="add hand-written numpy (mlp and tiny; the other workloads run without it)")
    ap.add_argument("--child", choices=["tk", "torch", "numpy"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.workloads[0], args.min_time)))
        return
    for workload in args.workloads:
        peers = ["tk"] if args.only else ["torch", "tk"]
        if args.extra == "numpy" and workload in NUMPY_WORKLOADS:  # (no hand-written cnn/lstm)
            peers.append("numpy")
        compare(workload, peers, args.rounds, args.min_time)


if __name__ == "__main__":
    main()
