#!/usr/bin/env python3
"""What the Tensor costs on top of numpy, measured in one run.

1. Per-op Python overhead: a chain of small elementwise ops on a (4,)-array,
   as numpy, as Tensor ops without a graph (no_grad), and as Tensor ops that
   record a graph and run backward.  Reported in microseconds per op.
2. A 784-512-512-10 relu MLP with softmax + crossentropy, batch 128, float32:
   forward+backward on Tensor ops beside hand-written numpy that does the same
   arithmetic (same matmuls, same masks).  Reported in ms/step and as a ratio.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/tensor_overhead.py
    ... --profile 15     # add a cProfile of the Tensor MLP step (top 15 by own time)
"""
from __future__ import annotations

import argparse
import itertools
import os
import sys
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread, as the other benchmarks

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from tinygrad_keras import Tensor, no_grad
from tinygrad_keras.autodiff import functional as F

CHAIN = 20  # ops per elementwise chain (5 rounds of mul, add, tanh, mul)


def blas_report() -> str:
    """Which BLAS numpy uses, with its kernel and threads (threadpoolctl if installed)."""
    try:
        import threadpoolctl
    except ImportError:
        return "threadpoolctl not installed: BLAS kernel unknown"
    infos = threadpoolctl.threadpool_info()
    return "; ".join(f"{d.get('internal_api')} {d.get('version')} kernel={d.get('architecture')} "
                     f"threads={d.get('num_threads')}" for d in infos) or "no BLAS found"


def best_time(fn, repeats: int, number: int) -> float:
    """Median over ``repeats`` of the mean seconds per call over ``number`` calls."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return float(np.median(times))


# ---- 1. per-op overhead ------------------------------------------------------------
def chain_numpy(x):
    for _ in range(CHAIN // 4):
        x = np.tanh(x * 0.9 + 0.1) * 1.1
    return x


def chain_tensor(x):
    for _ in range(CHAIN // 4):
        x = (x * 0.9 + 0.1).tanh() * 1.1
    return x


def per_op(repeats: int) -> dict:
    arr = np.linspace(-1, 1, 4).astype(np.float32)
    t_np = best_time(lambda: chain_numpy(arr), repeats, 2000)
    plain = Tensor(arr)

    def nograd():
        with no_grad():
            chain_tensor(plain)

    leaf = Tensor(arr, requires_grad=True)

    def fwd_bwd():
        chain_tensor(leaf).sum().backward()
        leaf.grad = None

    us = 1e6 / CHAIN
    return {"numpy": t_np * us, "tensor no_grad": best_time(nograd, repeats, 1000) * us,
            "tensor fwd+bwd": best_time(fwd_bwd, repeats, 500) * us}


# ---- 2. the MLP -------------------------------------------------------------------
def mlp_params(rng) -> list:
    """Glorot-uniform float32 weights and zero biases: ``[W1, b1, W2, b2, W3, b3]``."""
    sizes = [784, 512, 512, 10]
    params = []
    for n_in, n_out in itertools.pairwise(sizes):
        limit = np.sqrt(6 / (n_in + n_out))
        params += [rng.uniform(-limit, limit, (n_in, n_out)).astype(np.float32),
                   np.zeros(n_out, np.float32)]
    return params


def numpy_step(params, x, y):
    """Forward and backward by hand; returns (loss, gradients)."""
    W1, b1, W2, b2, W3, b3 = params
    h1 = np.maximum(x @ W1 + b1, 0)
    h2 = np.maximum(h1 @ W2 + b2, 0)
    z = h2 @ W3 + b3
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -(y * logp).sum(axis=1).mean()
    dz = (np.exp(logp) - y) / x.shape[0]
    dh2 = (dz @ W3.T) * (h2 > 0)
    dh1 = (dh2 @ W2.T) * (h1 > 0)
    grads = [x.T @ dh1, dh1.sum(0), h1.T @ dh2, dh2.sum(0), h2.T @ dz, dz.sum(0)]
    return loss, grads


def tensor_step(params, x, y):
    """The same model on Tensor ops; gradients land in each parameter's ``.grad``."""
    W1, b1, W2, b2, W3, b3 = params
    h1 = (x @ W1 + b1).relu()
    h2 = (h1 @ W2 + b2).relu()
    logp = F.log_softmax(h2 @ W3 + b3, axis=-1)
    loss = -(y * logp).sum(axis=1).mean()
    for p in params:
        p.grad = None
    loss.backward()
    return loss


def mlp(repeats: int, number: int) -> dict:
    rng = np.random.default_rng(0)
    arrays = mlp_params(rng)
    x = rng.random((128, 784), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 128)]
    tparams = [Tensor(a, requires_grad=True) for a in arrays]
    tx, ty = Tensor(x), Tensor(y)
    ref_loss, ref_grads = numpy_step(arrays, x, y)
    loss = tensor_step(tparams, tx, ty)
    assert abs(float(loss.data) - float(ref_loss)) < 1e-4, (float(loss.data), ref_loss)
    for p, g in zip(tparams, ref_grads):  # same arithmetic, so the same numbers
        np.testing.assert_allclose(p.grad, g, rtol=1e-3, atol=1e-5)
        assert p.grad.dtype == np.float32, p.grad.dtype
    # Alternate numpy and Tensor blocks and take the median of the per-round ratios:
    # on a shared machine a neighbour's load then hits both sides of a ratio alike.
    rounds = [(best_time(lambda: numpy_step(arrays, x, y), 1, number),
               best_time(lambda: tensor_step(tparams, tx, ty), 1, number))
              for _ in range(repeats)]
    t_np, t_t = (float(np.median(col)) for col in zip(*rounds))
    ratio = float(np.median([t / n for n, t in rounds]))
    return {"numpy": t_np * 1e3, "tensor": t_t * 1e3, "ratio": ratio,
            "tensor step": lambda: tensor_step(tparams, tx, ty)}


def profile(step, top: int) -> None:
    import cProfile
    import pstats
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(30):
        step()
    prof.disable()
    print(f"\ncProfile of 30 Tensor MLP steps, top {top} by own time:")
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--steps", type=int, default=20, help="MLP steps per timed repeat")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="print the top N cProfile entries of the Tensor MLP step")
    args = ap.parse_args()
    print(f"numpy {np.__version__}, python {sys.version.split()[0]}")
    print(f"BLAS: {blas_report()}")
    ops = per_op(args.repeats)
    print(f"\nper-op cost, {CHAIN}-op elementwise chain on a (4,) float32 array:")
    for name, us in ops.items():
        print(f"  {name:16s} {us:6.2f} us/op")
    print(f"  => the Tensor adds {ops['tensor no_grad'] - ops['numpy']:.2f} us/op without a graph, "
          f"{ops['tensor fwd+bwd'] - ops['numpy']:.2f} us/op recording + backward")
    res = mlp(args.repeats, args.steps)
    print("\n784-512-512-10 MLP, batch 128, float32, forward+backward:")
    print(f"  numpy by hand  {res['numpy']:7.2f} ms/step")
    print(f"  Tensor ops     {res['tensor']:7.2f} ms/step")
    print(f"  ratio Tensor / numpy: {res['ratio']:.3f} (median of per-round ratios; target <= 1.3)")
    if args.profile:
        profile(res["tensor step"], args.profile)


if __name__ == "__main__":
    main()
