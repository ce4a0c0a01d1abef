#!/usr/bin/env python3
"""The matrix products of the peer workloads, numpy beside PyTorch, in GFLOP/s.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/gemm.py [--seconds 0.3]

Most of a training step of the mlp, cnn and lstm workloads is matrix products, which
numpy hands to its BLAS (OpenBLAS in the wheels) and PyTorch to its own library.  How
fast each multiplies the workloads' shapes bounds what a numpy framework can reach
against PyTorch on a machine, whatever the framework does around the products.  One
thread each (set before numpy and torch load their libraries), float32, C-ordered
operands, the result written into a preallocated array; PyTorch is optional.
"""
from __future__ import annotations

import argparse
import functools
import os
import sys
import time

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from applications import blas_kernel

# (workload, what the product is, (m, k), (k, n))
SHAPES = [
    ("mlp", "784 -> 512 forward", (128, 784), (784, 512)),
    ("mlp", "512 -> 512 forward", (128, 512), (512, 512)),
    ("mlp", "784 x 512 weight gradient", (784, 128), (128, 512)),
    ("cnn", "conv 32 -> 32 3x3 as one product (im2col)", (73728, 288), (288, 32)),
    ("cnn", "conv 32 -> 32, one kernel tap of one output row", (3072, 32), (32, 32)),
    ("cnn", "the same, a quarter row (the piece the step multiplies)", (768, 32), (32, 32)),
    ("cnn", "Dense 4608 -> 128 forward", (128, 4608), (4608, 128)),
    ("lstm", "input projection of all 80 steps", (2560, 128), (128, 512)),
    ("lstm", "h . U, one step", (32, 128), (128, 512)),
    ("lstm", "dz . U^T, one step", (32, 512), (512, 128)),
    ("lstm", "dU over all steps", (128, 2560), (2560, 512)),
]

# Every matrix product of one training step as tinygrad_keras runs it: (m, k), (k, n), how
# many per step.  Their time added up, beside the measured time of the whole step, shows how
# much of a step is left to everything else.
STEP_PRODUCTS = {
    "mlp": [((128, 784), (784, 512), 1), ((128, 512), (512, 512), 1), ((128, 512), (512, 10), 1),
            ((512, 128), (128, 10), 1), ((128, 10), (10, 512), 1), ((512, 128), (128, 512), 1),
            ((128, 512), (512, 512), 1), ((784, 128), (128, 512), 1)],
    "lstm": [((2560, 129), (129, 512), 1),   # input projections [x, 1] . [W; b]
             ((32, 128), (128, 512), 80),    # h . U, each step
             ((32, 512), (512, 128), 80),    # dz . U^T, each step
             ((129, 2560), (2560, 512), 1),  # [dW; db]
             ((2560, 512), (512, 128), 1),   # d x
             ((128, 2560), (2560, 512), 1)],  # d U
}


def rate(multiply, flops: float, seconds: float) -> float:
    """GFLOP/s of ``multiply()``, timed for about ``seconds`` after one warm-up call."""
    multiply()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        multiply()
        n += 1
    return flops * n / (time.perf_counter() - start) / 1e9


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=0.3, help="time per product and library")
    args = ap.parse_args()
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        torch = None
    rng = np.random.default_rng(0)
    print(f"{'workload':8} {'product':50} {'shape':>22} {'numpy':>7} {'torch':>7} ratio")
    for workload, what, (m, k), (_, n) in SHAPES:
        a = rng.random((m, k), dtype=np.float32)
        b = rng.random((k, n), dtype=np.float32)
        out = np.empty((m, n), np.float32)
        flops = 2.0 * m * k * n
        ours = rate(functools.partial(np.matmul, a, b, out=out), flops, args.seconds)
        line = f"{workload:8} {what:50} {f'{m}x{k} . {k}x{n}':>22} {ours:7.1f}"
        if torch is not None:
            ta, tb, tout = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(out)
            theirs = rate(functools.partial(torch.matmul, ta, tb, out=tout), flops, args.seconds)
            line += f" {theirs:7.1f} {ours / theirs:5.2f}"
        print(line)
    print("GFLOP/s, one thread, float32; ratio = numpy / torch")
    print()
    print("the products of one training step, each timed alone, added up (ms per step):")
    for workload, products in STEP_PRODUCTS.items():
        total = {"numpy": 0.0, "torch": 0.0}
        for (m, k), (_, n), count in products:
            a = rng.random((m, k), dtype=np.float32)
            b = rng.random((k, n), dtype=np.float32)
            out = np.empty((m, n), np.float32)
            flops = 2.0 * m * k * n
            total["numpy"] += count * flops / rate(functools.partial(np.matmul, a, b, out=out),
                                                   flops, args.seconds) / 1e6
            if torch is not None:
                ta, tb, tout = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(out)
                total["torch"] += count * flops / rate(
                    functools.partial(torch.matmul, ta, tb, out=tout), flops, args.seconds) / 1e6
        line = f"{workload:8} numpy {total['numpy']:6.2f} ms"
        if torch is not None:
            line += f", the same products in torch {total['torch']:6.2f} ms"
        print(line)
    print("BLAS:", blas_kernel())


if __name__ == "__main__":
    main()
