#!/usr/bin/env python3
"""The LSTM workload of the peer benchmarks, tinygrad_keras beside PyTorch, in one run.

Workload: Embedding(20000, 128) -> LSTM(128) over 80 steps
-> Dense(1, sigmoid), binary crossentropy, plain SGD(0.01), batch 32, synthetic data.
Each framework runs in its own process with one BLAS/intra-op thread and the OpenBLAS
tuning variables removed (as on a user's machine); the rounds alternate between the two
so that both see the same machine load, and the ratio is taken per round.

    python benchmarks/lstm.py                       # PyTorch needs to be importable
    python benchmarks/lstm.py --rounds 5 --profile  # plus where tinygrad_keras spends time
    python benchmarks/lstm.py --only tk             # no PyTorch: tinygrad_keras alone

Throughput is reported from wall time and from the process's CPU time: on a shared
machine other processes steal the core, which inflates wall time more than CPU time.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

VOCAB, EMB, HIDDEN, STEPS, BATCH, LR = 20000, 128, 128, 80, 32, 0.01
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_data(n=4, seed=0):
    import numpy as np
    rng = np.random.default_rng(seed)
    return [(rng.integers(0, VOCAB, (BATCH, STEPS)).astype(np.int64),
             rng.integers(0, 2, BATCH).astype(np.float32)) for _ in range(n)]


def blas_info() -> list:
    try:
        import threadpoolctl
    except ImportError:
        return ["threadpoolctl not installed"]
    return [f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')} "
            f"threads={i.get('num_threads')}" for i in threadpoolctl.threadpool_info()]


def tk_step_fn():
    sys.path.insert(0, ROOT)
    import numpy as np

    from tinygrad_keras.layers import LSTM, Dense, Embedding
    from tinygrad_keras.models import Sequential
    from tinygrad_keras.optimizers import SGD
    np.random.seed(0)
    model = Sequential([Embedding(VOCAB, EMB, input_length=STEPS), LSTM(HIDDEN),
                        Dense(1, activation="sigmoid")])
    model.compile(SGD(lr=LR), "binary_crossentropy")
    data = [(x, y.reshape(-1, 1)) for x, y in make_data()]
    it = [0]

    def step():
        x, y = data[it[0] % len(data)]
        it[0] += 1
        return model.train_on_batch(x, y)
    return step


def torch_step_fn():
    import torch
    torch.set_num_threads(1)
    torch.manual_seed(0)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = torch.nn.Embedding(VOCAB, EMB)
            self.lstm = torch.nn.LSTM(EMB, HIDDEN, batch_first=True)
            self.out = torch.nn.Linear(HIDDEN, 1)

        def forward(self, x):
            _, (h, _) = self.lstm(self.emb(x))
            return self.out(h[-1]).squeeze(1)

    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    data = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in make_data()]
    it = [0]

    def step():
        x, y = data[it[0] % len(data)]
        it[0] += 1
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def measure(framework: str, min_time: float, profile: bool) -> dict:
    """Run in a child process: samples/s (wall and CPU), peak RSS."""
    import threadpoolctl
    with threadpoolctl.threadpool_limits(1):
        step = tk_step_fn() if framework == "tk" else torch_step_fn()
        for _ in range(3):
            step()
        n, wall0, cpu0 = 0, time.perf_counter(), time.process_time()
        while time.perf_counter() - wall0 < min_time or n < 5:
            step()
            n += 1
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        result = {"framework": framework, "steps": n, "wall_sps": n * BATCH / wall,
                  "cpu_sps": n * BATCH / cpu, "step_ms_cpu": 1000 * cpu / n,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "blas": blas_info()}
        if profile:
            result["profile"] = profile_steps(step)
    return result


def profile_steps(step, n=10) -> list:
    """The functions with the most own CPU time over ``n`` steps, per step in ms."""
    import cProfile
    import pstats
    prof = cProfile.Profile(time.process_time)
    prof.enable()
    for _ in range(n):
        step()
    prof.disable()
    stats = pstats.Stats(prof).stats
    rows = sorted(stats.items(), key=lambda kv: -kv[1][2])[:12]
    return [f"{1000 * tt / n:7.2f} ms  {nc / n:6.0f} calls  {os.path.relpath(f, ROOT)}:{ln}({fn})"
            for (f, ln, fn), (_, nc, tt, _, _) in rows]


def run_child(framework: str, args) -> dict | None:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = [sys.executable, os.path.abspath(__file__), "--child", framework,
           "--min-time", str(args.min_time)] + (["--profile"] if args.profile else [])
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900,
                          check=False)
    if proc.returncode != 0:
        print(f"{framework} failed: {(proc.stderr or proc.stdout).strip().splitlines()[-1:]}")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--min-time", type=float, default=3.0)
    ap.add_argument("--only", choices=["tk", "torch"])
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--child", choices=["tk", "torch"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.min_time, args.profile and args.child == "tk")))
        return
    frameworks = [args.only] if args.only else ["torch", "tk"]
    ratios = {"wall": [], "cpu": []}
    for r in range(args.rounds):
        res = {fw: run_child(fw, args) for fw in frameworks}
        if any(v is None for v in res.values()):
            sys.exit(1)
        for fw, v in res.items():
            print(f"round {r} {fw:5s}: {v['wall_sps']:7.0f} samples/s wall, {v['cpu_sps']:7.0f} "
                  f"samples/s CPU ({v['step_ms_cpu']:.1f} ms/step), peak RSS "
                  f"{v['peak_rss_mib']:.0f} MiB")
        if len(res) == 2:
            for kind, values in ratios.items():
                values.append(res["tk"][f"{kind}_sps"] / res["torch"][f"{kind}_sps"])
    print("BLAS:", "; ".join(res[frameworks[-1]]["blas"]))
    if ratios["wall"]:
        print(f"tinygrad_keras / PyTorch, median of {args.rounds} rounds: "
              f"{statistics.median(ratios['wall']):.3f} (wall), "
              f"{statistics.median(ratios['cpu']):.3f} (CPU time)")
    if args.profile and "tk" in res:
        print("tinygrad_keras, own CPU time per training step:")
        print("\n".join(res["tk"]["profile"]))


if __name__ == "__main__":
    main()
