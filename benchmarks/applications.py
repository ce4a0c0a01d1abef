#!/usr/bin/env python3
"""Inference time of the pretrained-network architectures: VGG16 and ResNet50 on one
224x224 image, tinygrad_keras (``keras.applications``, 'th' ordering, ``predict``)
beside the same architectures written in plain ``torch.nn`` (torchvision is not needed),
each in its own process with one thread, alternating for ``--rounds`` rounds.

Weights are random (``weights=None``; the time does not depend on their values).
Prints the median CPU milliseconds per image of each (process CPU time, not wall
time: on a shared machine a busy neighbour stretches wall times at random), the ratio, and the BLAS kernel
(threadpoolctl).  Also ``--profile MODEL``: where tinygrad_keras's time goes, by layer type.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=. \\
        python benchmarks/applications.py --rounds 3

PyTorch is optional: without it only tinygrad_keras is timed.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time

THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def blas_kernel() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    return "; ".join(f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')} "
                     f"threads={i.get('num_threads')}" for i in threadpool_info())


# ---- the same architectures in plain torch.nn ----------------------------------------------
def torch_vgg16():
    from torch import nn
    layers, channels = [], 3
    for width, n in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        for _ in range(n):
            layers += [nn.Conv2d(channels, width, 3, padding=1), nn.ReLU()]
            channels = width
        layers.append(nn.MaxPool2d(2, 2))
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(512 * 7 * 7, 4096), nn.ReLU(),
                         nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000),
                         nn.Softmax(dim=1))


def torch_resnet50():
    import torch
    from torch import nn

    class Bottleneck(nn.Module):
        def __init__(self, cin, widths, stride, shortcut):
            super().__init__()
            a, b, c = widths
            self.main = nn.Sequential(
                nn.Conv2d(cin, a, 1, stride), nn.BatchNorm2d(a, eps=1e-3), nn.ReLU(),
                nn.Conv2d(a, b, 3, padding=1), nn.BatchNorm2d(b, eps=1e-3), nn.ReLU(),
                nn.Conv2d(b, c, 1), nn.BatchNorm2d(c, eps=1e-3))
            self.shortcut = nn.Sequential(nn.Conv2d(cin, c, 1, stride),
                                          nn.BatchNorm2d(c, eps=1e-3)) if shortcut else None

        def forward(self, x):
            skip = x if self.shortcut is None else self.shortcut(x)
            return torch.relu(self.main(x) + skip)

    blocks, cin = [], 64
    for widths, n, stride in (((64, 64, 256), 3, 1), ((128, 128, 512), 4, 2),
                              ((256, 256, 1024), 6, 2), ((512, 512, 2048), 3, 2)):
        for k in range(n):
            blocks.append(Bottleneck(cin, widths, stride if k == 0 else 1, k == 0))
            cin = widths[2]
    return nn.Sequential(nn.ZeroPad2d(3), nn.Conv2d(3, 64, 7, 2), nn.BatchNorm2d(64, eps=1e-3),
                         nn.ReLU(), nn.MaxPool2d(3, 2), *blocks, nn.AvgPool2d(7),
                         nn.Flatten(), nn.Linear(2048, 1000), nn.Softmax(dim=1))


def time_torch(model_name: str, repeats: int) -> list:
    import torch
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = {"vgg16": torch_vgg16, "resnet50": torch_resnet50}[model_name]().eval()
    x = torch.rand(1, 3, 224, 224)
    with torch.inference_mode():
        model(x)
        return [_cpu_ms(lambda: model(x)) for _ in range(repeats)]


def build_tk(model_name: str):
    from tinygrad_keras import backend as K
    from tinygrad_keras.applications import VGG16, ResNet50
    K.set_image_dim_ordering("th")
    return {"vgg16": VGG16, "resnet50": ResNet50}[model_name](weights=None)


def time_tk(model_name: str, repeats: int) -> list:
    import numpy as np
    model = build_tk(model_name)
    x = np.random.default_rng(0).random((1, 3, 224, 224), dtype=np.float32)
    model.predict(x)
    return [_cpu_ms(lambda: model.predict(x, batch_size=1)) for _ in range(repeats)]


def _cpu_ms(fn) -> float:
    start = time.process_time()
    fn()
    return (time.process_time() - start) * 1000


def worker(framework: str, model_name: str, repeats: int) -> None:
    times = (time_torch if framework == "torch" else time_tk)(model_name, repeats)
    print(json.dumps({"ms": times, "blas": blas_kernel()}))


def run_worker(framework: str, model_name: str, repeats: int) -> dict:
    env = dict(os.environ, **{v: "1" for v in THREAD_VARS})
    out = subprocess.run([sys.executable, __file__, "--worker", framework, model_name,
                          str(repeats)], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def profile(model_name: str) -> None:
    """Forward CPU time of each layer type (one image), summed over the network."""
    import numpy as np

    from tinygrad_keras.autodiff import Tensor, no_grad
    model = build_tk(model_name)
    values = {id(model.inputs[0]): Tensor(np.random.default_rng(0).random(
        (1, 3, 224, 224), dtype=np.float32))}
    by_type: dict = {}
    with no_grad():
        for layer in model.layers[1:]:
            node = layer.inbound_nodes[0]
            xs = [values[id(t)] for t in node.input_tensors]
            start = time.process_time()
            out = layer(xs if len(xs) > 1 else xs[0])
            kind = type(layer).__name__
            by_type[kind] = by_type.get(kind, 0.0) + (time.process_time() - start) * 1000
            values[id(node.output_tensors[0])] = out
    for kind, ms in sorted(by_type.items(), key=lambda kv: -kv[1]):
        print(f"{kind:<22}{ms:9.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=3, help="timed images per round")
    ap.add_argument("--models", default="vgg16,resnet50")
    ap.add_argument("--profile", metavar="MODEL")
    ap.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], int(args.worker[2]))
        return
    if args.profile:
        for var in THREAD_VARS:
            os.environ.setdefault(var, "1")
        profile(args.profile)
        return
    has_torch = importlib.util.find_spec("torch") is not None
    for model_name in args.models.split(","):
        tk_ms, torch_ms, ratios = [], [], []
        for _ in range(args.rounds):
            tk = run_worker("tk", model_name, args.repeats)
            tk_ms.append(statistics.median(tk["ms"]))
            if has_torch:
                pt = run_worker("torch", model_name, args.repeats)
                torch_ms.append(statistics.median(pt["ms"]))
                ratios.append(torch_ms[-1] / tk_ms[-1])
        line = f"{model_name}: tinygrad_keras {statistics.median(tk_ms):.0f} ms/image"
        if has_torch:
            line += (f", PyTorch {statistics.median(torch_ms):.0f} ms/image, speed ratio "
                     f"(PyTorch time / ours) per round {[round(r, 2) for r in ratios]}, "
                     f"median {statistics.median(ratios):.2f}")
        print(line)
    print("BLAS:", tk["blas"])


if __name__ == "__main__":
    main()
