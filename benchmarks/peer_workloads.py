#!/usr/bin/env python3
"""Time one training workload in one framework; print one JSON record (the last line).

The workloads, with synthetic data (seeded) and plain SGD(lr=0.01), float32:

| workload | model | batch |
|---|---|---|
| mlp  | 784-512-512-10 relu, softmax + categorical crossentropy | 128 |
| cnn  | 1x28x28, Conv32 3x3 relu, Conv32 3x3 relu, MaxPool 2x2, Dense128 relu, Dense10 softmax | 128 |
| tiny | 20-16-16-2 relu, softmax (per-op overhead) | 32 |

``--framework tk`` trains with tinygrad_keras's ``model.train_on_batch``; ``--framework
torch`` with the usual PyTorch loop (``zero_grad``, forward, cross-entropy on logits,
``backward``, ``step``). One framework per process, so that ``mlp.py`` and ``cnn.py`` can
alternate them and report a ratio measured in one run::

    python benchmarks/peer_workloads.py --framework tk --workload mlp --threads 1

PyTorch is an optional benchmark dependency (``pip install -e ".[bench]"``).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time

BATCH = {"mlp": 128, "cnn": 128, "tiny": 32}
CLASSES = {"mlp": 10, "cnn": 10, "tiny": 2}
INPUT = {"mlp": (784,), "cnn": (1, 28, 28), "tiny": (20,)}


def data(workload: str):
    """One seeded batch ``(x, y_onehot, y_index)`` of the workload's shapes."""
    import numpy as np

    rng = np.random.default_rng(0)
    n, k = BATCH[workload], CLASSES[workload]
    x = rng.random((n,) + INPUT[workload], dtype=np.float32)
    labels = rng.integers(0, k, n)
    return x, np.eye(k, dtype=np.float32)[labels], labels


def tk_step(workload: str):
    """A function doing one tinygrad_keras training step, and the library versions."""
    import numpy as np

    from tinygrad_keras.layers import Convolution2D, Dense, Flatten, MaxPooling2D
    from tinygrad_keras.models import Sequential
    from tinygrad_keras.optimizers import SGD

    np.random.seed(0)
    if workload == "cnn":
        layers = [Convolution2D(32, 3, 3, activation="relu", input_shape=(1, 28, 28)),
                  Convolution2D(32, 3, 3, activation="relu"), MaxPooling2D((2, 2)), Flatten(),
                  Dense(128, activation="relu"), Dense(10, activation="softmax")]
    else:
        width = 512 if workload == "mlp" else 16
        layers = [Dense(width, input_dim=INPUT[workload][0], activation="relu"),
                  Dense(width, activation="relu"),
                  Dense(CLASSES[workload], activation="softmax")]
    model = Sequential(layers)
    model.compile(optimizer=SGD(lr=0.01), loss="categorical_crossentropy")
    x, y, _ = data(workload)
    return (lambda: model.train_on_batch(x, y)), {"numpy": np.__version__}


def torch_step(workload: str):
    """A function doing one PyTorch training step of the same model, and the versions."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    if workload == "cnn":
        model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 32, 3), nn.ReLU(),
                              nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 12 * 12, 128),
                              nn.ReLU(), nn.Linear(128, 10))
    else:
        width = 512 if workload == "mlp" else 16
        model = nn.Sequential(nn.Linear(INPUT[workload][0], width), nn.ReLU(),
                              nn.Linear(width, width), nn.ReLU(),
                              nn.Linear(width, CLASSES[workload]))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x_np, _, labels = data(workload)
    x, target = torch.from_numpy(x_np), torch.from_numpy(labels)

    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), target).backward()  # softmax + crossentropy
        opt.step()

    info = {"torch": torch.__version__, "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "torch_num_threads": torch.get_num_threads()}
    return step, info


def blas_info() -> object:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    return [{k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for p in threadpool_info()]


def machine_busy_seconds() -> float | None:
    """CPU-seconds all processes of the machine have used so far (Linux ``/proc/stat``)."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def time_it(step, batch: int, repeats: int, warmup: int, min_time: float) -> dict:
    """Samples/s per repeat (each repeat runs steps for at least ``min_time`` seconds), the
    fraction of the wall time this process had a core (``own_cores``) and the cores other
    processes used meanwhile (``others_cores``, Linux only: a shared machine's load)."""
    for _ in range(warmup):
        step()
    rates, own, others, step_ms = [], [], [], []
    for _ in range(repeats):
        steps, wall0, cpu0 = 0, time.perf_counter(), time.process_time()
        busy0 = machine_busy_seconds()
        while True:
            step()
            steps += 1
            wall = time.perf_counter() - wall0
            if wall >= min_time:
                break
        mine = time.process_time() - cpu0
        busy1 = machine_busy_seconds()
        rates.append(steps * batch / wall)
        own.append(mine / wall)
        if busy0 is not None and busy1 is not None:
            others.append(max(busy1 - busy0 - mine, 0.0) / wall)
        step_ms.append(wall / steps * 1e3)
    return {"samples_per_s": rates, "median_samples_per_s": statistics.median(rates),
            "own_cores": own, "others_cores": others, "median_step_ms": statistics.median(step_ms)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--framework", choices=["tk", "torch"], required=True)
    ap.add_argument("--workload", choices=sorted(BATCH), required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--min-time", type=float, default=1.5)
    args = ap.parse_args()
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(args.threads)  # before numpy or torch load their BLAS
    if args.framework == "torch":
        import torch
        torch.set_num_threads(args.threads)
        step, versions = torch_step(args.workload)
    else:
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        step, versions = tk_step(args.workload)
    record = time_it(step, BATCH[args.workload], args.repeats, args.warmup, args.min_time)
    record.update(framework=args.framework, workload=args.workload, versions=versions,
                  threads={"requested": args.threads, "threadpools": blas_info()},
                  peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    record.update({k: versions.pop(k) for k in ("torch_cpu_capability", "torch_num_threads")
                   if k in versions})
    print(json.dumps(record))


if __name__ == "__main__":
    main()
