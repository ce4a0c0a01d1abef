"""The quick-start demo: the Keras 1 guide's MLP on the bundled handwritten digits.

    python -m tinygrad_keras.demo [--epochs N] [--plot PATH] [--verbose 0|1|2]

Trains the layer stack of the guide's "multilayer perceptron for multi-class softmax
classification", Dense(64)-tanh-Dropout(0.5)-Dense(64)-tanh-Dropout(0.5)-Dense(10)-softmax,
with SGD(decay=1e-6, momentum=0.9, nesterov=True), on 1440 8x8 digit images; prints the
progress bar and the test accuracy (about 0.97 with the default 20 epochs, in a few
seconds); saves a loss/accuracy plot when matplotlib is installed.

Two settings differ from the guide, which trains on random data where nothing can
go wrong: ``lr=0.02`` instead of 0.1 (with momentum 0.9 and dropout 0.5 the guide's
rate makes this real problem diverge: the loss climbs above 4 and accuracy stays
near 0.4) and the default ``glorot_uniform`` init instead of ``'uniform'`` (which
needs twice the epochs to pass 0.95).  ``--lr 0.1`` shows the divergence.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from .datasets import digits
from .layers import Activation, Dense, Dropout
from .models import Sequential
from .optimizers import SGD
from .utils.np_utils import to_categorical


def load_digits() -> tuple:
    """Flattened, scaled digits: X ``(N, 64)`` float32 in [0, 1], Y one-hot ``(N, 10)``."""
    (X_train, y_train), (X_test, y_test) = digits.load_data()
    X_train = X_train.reshape(len(X_train), 64).astype("float32") / 16
    X_test = X_test.reshape(len(X_test), 64).astype("float32") / 16
    return (X_train, to_categorical(y_train, 10)), (X_test, to_categorical(y_test, 10))


def build_model(input_dim: int = 64, lr: float = 0.02) -> Sequential:
    """The guide's MLP, layer for layer (``input_dim`` 64: 8x8 images)."""
    model = Sequential()
    model.add(Dense(64, input_dim=input_dim))
    model.add(Activation("tanh"))
    model.add(Dropout(0.5))
    model.add(Dense(64))
    model.add(Activation("tanh"))
    model.add(Dropout(0.5))
    model.add(Dense(10))
    model.add(Activation("softmax"))
    sgd = SGD(lr=lr, decay=1e-6, momentum=0.9, nesterov=True)
    model.compile(loss="categorical_crossentropy", optimizer=sgd, metrics=["accuracy"])
    return model


def save_plot(history, path: str) -> str:
    """Write the loss and accuracy curves to ``path``; return a sentence saying what happened."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed, so no plot (pip install matplotlib to get one)"
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.5))
    for key, ax in (("loss", ax_loss), ("acc", ax_acc)):
        epochs = range(1, len(history.history[key]) + 1)
        # train figures are averaged over the epoch with dropout on, hence below test
        ax.plot(epochs, history.history[key], label=f"train {key} (dropout on)")
        ax.plot(epochs, history.history[f"val_{key}"], label=f"test {key}")
        ax.set_xlabel("epoch")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return f"loss/accuracy plot written to {path}"


def main(argv=None) -> float:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=20, help="training epochs (default 20)")
    ap.add_argument("--plot", default="demo_history.png", help="where to save the plot")
    ap.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2))
    ap.add_argument("--lr", type=float, default=0.02, help="SGD learning rate (default 0.02)")
    ap.add_argument("--seed", type=int, default=1337)
    args = ap.parse_args(argv)
    np.random.seed(args.seed)  # weights, dropout masks and shuffling: a reproducible run
    (X_train, Y_train), (X_test, Y_test) = load_digits()
    print(f"digits: {len(X_train)} training and {len(X_test)} test images of 8x8 pixels")
    model = build_model(X_train.shape[1], args.lr)
    start = time.perf_counter()
    history = model.fit(X_train, Y_train, nb_epoch=args.epochs, batch_size=16,
                        verbose=args.verbose, validation_data=(X_test, Y_test))
    seconds = time.perf_counter() - start
    loss, acc = model.evaluate(X_test, Y_test, batch_size=16, verbose=0)
    print(f"trained {args.epochs} epochs in {seconds:.1f} s")
    print(f"test loss {loss:.4f}, test accuracy {acc:.4f}")
    print(save_plot(history, args.plot))
    return acc


if __name__ == "__main__":
    main()
