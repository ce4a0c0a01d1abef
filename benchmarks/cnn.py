#!/usr/bin/env python3
"""The CNN workload through the Keras API, beside PyTorch, in one run.

1x28x28 -> Conv32 3x3 relu -> Conv32 3x3 relu -> MaxPool 2x2 -> Flatten -> Dense128 relu
-> Dense10 softmax, categorical crossentropy, plain SGD(0.01), batch 128, float32, one
thread each.  tinygrad_keras trains with ``train_on_batch``, PyTorch with its usual loop
(both in ``peer_workloads.py``), each in its own process, alternating for ``--rounds`` rounds.  Prints samples/s, the per-round and median
ratio, peak RSS, the BLAS kernel, then the forward and backward time of each layer.

    pip install -e ".[bench]"       # PyTorch, an optional benchmark dependency
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/cnn.py --rounds 3
"""
from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlp import alternate_with_torch


def _cpu_ms(fn, repeats: int) -> float:
    """Median process-CPU milliseconds of ``fn()`` (CPU time: robust to a busy neighbour)."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def _forward_backward(layer, inp, upstream) -> None:
    layer(inp).backward(upstream)


def per_layer(repeats: int) -> None:
    """Forward and backward CPU time of each layer of the workload, on its real shapes."""
    import numpy as np

    from tinygrad_keras import Tensor
    from tinygrad_keras.layers import Convolution2D, Dense, Flatten, MaxPooling2D

    np.random.seed(0)
    layers = [Convolution2D(32, 3, 3, activation="relu", dim_ordering="th"),
              Convolution2D(32, 3, 3, activation="relu", dim_ordering="th"),
              MaxPooling2D((2, 2), dim_ordering="th"), Flatten(),
              Dense(128, activation="relu"), Dense(10, activation="softmax")]
    x = np.random.default_rng(0).random((128, 1, 28, 28), dtype=np.float32)
    print(f"\nper layer, batch 128, median CPU ms over {repeats} runs:")
    print(f"{'layer':<18}{'output shape':<22}{'forward':>9}{'backward':>10}")
    first = True
    for layer in layers:
        inp = Tensor(x, requires_grad=not first)
        out = layer(inp)
        upstream = np.random.default_rng(1).standard_normal(out.shape).astype(np.float32)
        fwd = _cpu_ms(functools.partial(layer, inp), repeats)
        bwd = _cpu_ms(functools.partial(_forward_backward, layer, inp, upstream), repeats) - fwd
        print(f"{layer.name:<18}{out.shape!s:<22}{fwd:>9.1f}{bwd:>10.1f}")
        x, first = out.data, False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--min-time", default="1.5", help="seconds per timed repeat")
    ap.add_argument("--layer-repeats", type=int, default=5, metavar="N")
    ap.add_argument("--no-compare", action="store_true", help="only the per-layer times")
    args = ap.parse_args()
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    if not args.no_compare:
        alternate_with_torch("cnn", args, target=0.5)
    per_layer(args.layer_repeats)


if __name__ == "__main__":
    main()
