#!/usr/bin/env python3
"""The MLP workload through the Keras API, beside PyTorch, in one run.

784-512-512-10 relu, softmax + categorical crossentropy, plain SGD(0.01), batch 128,
float32, one thread each: tinygrad_keras trains with ``model.train_on_batch``, PyTorch
with its usual loop (both in ``peer_workloads.py``), each in its own process,
alternating for ``--rounds`` rounds.  Reports
samples/s, the per-round ratio and the median ratio, by wall time and per CPU-second.
First, in this process, ``train_on_batch`` beside hand-written numpy doing the same step
(forward, backward, SGD update), by CPU time: what the Keras floor and the Tensor cost
on top of the arithmetic.

    pip install -e ".[bench]"       # PyTorch, an optional benchmark dependency
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/mlp.py --rounds 3

``--profile N`` adds a cProfile of tinygrad_keras ``train_on_batch``.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKLOADS = os.path.join(REPO, "benchmarks", "peer_workloads.py")
UNSET = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")  # this machine's tuning, absent for users


def run(cmd: list, timeout: float = 900) -> dict:
    """Run one benchmark process; its last stdout line is a JSON record."""
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def blas(record: dict) -> str:
    pools = record.get("threads", {}).get("threadpools")
    if isinstance(pools, str) or pools is None:
        return f"unknown (threadpoolctl: {pools})"
    return "; ".join(f"{p['internal_api']} {p['version']} kernel={p['architecture']} "
                     f"threads={p['num_threads']}" for p in pools) or "none found"


def busy(record: dict) -> float:
    """CPU cores that other processes used while this one was timed (a shared machine)."""
    return statistics.median(record.get("others_cores") or [float("nan")])  # nan: not measured


def cpu_rate(record: dict) -> float:
    """Samples per CPU-second of this process: less disturbed by neighbours than wall time
    (with one thread, own_cores is the fraction of the wall time this process ran)."""
    pairs = zip(record["samples_per_s"], record.get("own_cores") or [])
    return statistics.median(rate / max(own, 1e-9) for rate, own in pairs)


def keras_model_and_data():
    """The workload's model (compiled, SGD 0.01) and one batch ``(x, y)``."""
    import numpy as np

    from tinygrad_keras.layers import Dense
    from tinygrad_keras.models import Sequential
    from tinygrad_keras.optimizers import SGD

    np.random.seed(0)
    model = Sequential([Dense(512, input_dim=784, activation="relu"),
                        Dense(512, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer=SGD(lr=0.01), loss="categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.random((128, 784), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 128)]
    return model, x, y


def versus_numpy(rounds: int = 7, steps: int = 20) -> float:
    """Median CPU-time ratio of ``train_on_batch`` to hand-written numpy doing the same
    step (forward, backward, SGD update), alternating in this process."""
    import time

    import numpy as np
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from tensor_overhead import mlp_params, numpy_step

    model, x, y = keras_model_and_data()
    params = mlp_params(np.random.default_rng(0))

    def numpy_train():
        _, grads = numpy_step(params, x, y)
        for p, g in zip(params, grads):
            p -= 0.01 * g

    def cpu_ms(step) -> float:
        step()
        t0 = time.process_time()
        for _ in range(steps):
            step()
        return (time.process_time() - t0) / steps * 1e3

    rows = [(cpu_ms(numpy_train), cpu_ms(lambda: model.train_on_batch(x, y)))
            for _ in range(rounds)]
    ratio = statistics.median(k / n for n, k in rows)
    print(f"in-process: numpy by hand {statistics.median(n for n, _ in rows):.2f} ms, "
          f"Keras train_on_batch {statistics.median(k for _, k in rows):.2f} ms CPU per step; "
          f"ratio {ratio:.3f}")
    return ratio


def profile_keras(top: int) -> None:
    """cProfile of 30 train_on_batch steps on the same model and data (in this process)."""
    import cProfile
    import pstats

    model, x, y = keras_model_and_data()
    for _ in range(5):
        model.train_on_batch(x, y)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(30):
        model.train_on_batch(x, y)
    prof.disable()
    print(f"\ncProfile of 30 tinygrad_keras train_on_batch steps, top {top} by own time:")
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def alternate_with_torch(workload: str, args, target: float) -> None:
    """PyTorch and tinygrad_keras on ``workload`` (``peer_workloads.py``), alternating for
    ``args.rounds`` rounds (one process each, one thread); prints each round's ratio and
    the medians."""
    common = ["--workload", workload, "--threads", "1", "--repeats", "3", "--warmup", "3",
              "--min-time", str(args.min_time)]
    torch_cmd = [sys.executable, WORKLOADS, "--framework", "torch"] + common
    tk_cmd = [sys.executable, WORKLOADS, "--framework", "tk"] + common
    ratios, cpu_ratios, tk_rates, torch_rates = [], [], [], []
    for i in range(args.rounds):
        t, k = run(torch_cmd), run(tk_cmd)
        if i == 0:
            print(f"tinygrad_keras BLAS: {blas(k)}")
            print(f"torch {t['versions'].get('torch')}, cpu capability "
                  f"{t.get('torch_cpu_capability')}, threads {t.get('torch_num_threads')}")
        tk_rates.append(k["median_samples_per_s"])
        torch_rates.append(t["median_samples_per_s"])
        ratios.append(tk_rates[-1] / torch_rates[-1])
        cpu_ratios.append(cpu_rate(k) / cpu_rate(t))
        print(f"round {i}: tinygrad_keras {tk_rates[-1]:.0f}/s ({k['median_step_ms']:.2f} ms/step), "
              f"torch {torch_rates[-1]:.0f}/s ({t['median_step_ms']:.2f} ms/step), "
              f"ratio {ratios[-1]:.3f} (per CPU-second {cpu_ratios[-1]:.3f}); peak RSS "
              f"{k['peak_rss_mib']:.0f} vs {t['peak_rss_mib']:.0f} MiB; other processes used "
              f"{busy(k):.1f} / {busy(t):.1f} cores meanwhile")
    print(f"{workload}: tinygrad_keras {statistics.median(tk_rates):.0f} samples/s, torch "
          f"{statistics.median(torch_rates):.0f} samples/s, median ratio "
          f"{statistics.median(ratios):.3f} of PyTorch (target >= {target}); per CPU-second "
          f"{statistics.median(cpu_ratios):.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--min-time", default="1.5", help="seconds per timed repeat")
    ap.add_argument("--profile", type=int, default=0, metavar="N")
    args = ap.parse_args()
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    versus_numpy()
    alternate_with_torch("mlp", args, target=1.5)
    if args.profile:
        profile_keras(args.profile)


if __name__ == "__main__":
    main()
