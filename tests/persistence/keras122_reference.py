"""Numpy references for resuming training from a Keras 1.2.2 file: the files (written with
plain h5py in the 1.2.2 layout), the gradients of two tiny conv models, and the seven 1.2.2
update rules (spec 8.3), all in float64 and written from the formulas, not from our code."""
import json

import h5py
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

# ---- files -----------------------------------------------------------------------------
# 1.2.2's optimizer ``weights``: does ``iterations`` come first, then which slots (one array
# per trainable weight each, the weights sorted by name), and which of them are >= 0.
SLOTS = {"SGD": (True, ("moments",)), "RMSprop": (False, ("accumulators",)),
         "Adagrad": (False, ("accumulators",)),
         "Adadelta": (False, ("accumulators", "delta_accumulators")),
         "Adam": (True, ("ms", "vs")), "Adamax": (True, ("ms", "us")),
         "Nadam": (True, ("ms", "vs"))}
SIGNED = ("moments", "ms")


def random_state(kind: str, shapes: list, iterations: float, rng) -> tuple:
    """``(iterations or None, {slot: [array per weight]})``: nonzero, uneven state."""
    has_iterations, names = SLOTS[kind]
    slots = {name: [(rng.uniform(-1, 1, s) if name in SIGNED else rng.uniform(0.05, 1, s))
                    .astype("f4") for s in shapes] for name in names}
    return (np.float32(iterations) if has_iterations else None), slots


def flat_state(iterations, slots: dict) -> list:
    """The 1.2.2 ``optimizer.weights`` list."""
    head = [] if iterations is None else [np.asarray(iterations, "f4")]
    return head + [a for arrays in slots.values() for a in arrays]


def write_model_file(path, model_config, optimizer_config, layers, state, theano=True,
                     keras2_backend=None, loss="mse"):
    """A ``model.save`` file as Keras 1.2.2 wrote it (``theano``: names without ``:0``,
    optimizer variables ``param_<i>``), or with ``keras2_backend`` Keras 2's weight layout
    (``layer/kernel:0`` names, ``keras_version``/``backend`` attributes).

    ``layers``: ``[(layer_name, [(weight_suffix, array), ...])]``; ``state``: the optimizer
    weights in their saved order.
    """
    training_config = {"optimizer_config": optimizer_config, "loss": loss, "metrics": [],
                       "sample_weight_mode": None, "loss_weights": None}
    tail = "" if theano and keras2_backend is None else ":0"
    sep = "_" if keras2_backend is None else "/"
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"1.2.2" if keras2_backend is None else b"2.1.6"
        f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
        f.attrs["training_config"] = json.dumps(training_config).encode("utf8")
        weights = f.create_group("model_weights")
        if keras2_backend is not None:
            weights.attrs["keras_version"] = b"2.1.6"
            weights.attrs["backend"] = keras2_backend.encode()
        weights.attrs["layer_names"] = [name.encode() for name, _ in layers]
        for name, arrays in layers:
            group = weights.create_group(name)
            names = [f"{name}{sep}{suffix}{tail}" for suffix, _ in arrays]
            group.attrs["weight_names"] = [n.encode() for n in names]
            for n, (_, value) in zip(names, arrays):
                group.create_dataset(n, data=value)
        opt = f.create_group("optimizer_weights")
        names = [f"param_{i}" if tail == "" else f"Variable_{i}:0" for i in range(len(state))]
        opt.attrs["weight_names"] = [n.encode() for n in names]
        for n, value in zip(names, state):
            opt.create_dataset(n, data=value)


# ---- gradients of conv -> flatten -> dense with the mse loss -------------------------------
def _dense_and_loss(h, W, b, y):
    """``dL/dh, dL/dW, dL/db`` of ``mean((h W + b - y)^2)``."""
    dz = 2.0 * (h @ W + b - y) / y.size
    return dz @ W.T, h.T @ dz, dz.sum(axis=0)


def conv2d_grads(x_chw, kernel_oihw, bias, W, b, y, ordering):
    """Gradients ``[d kernel (oihw), d bias, d W, d b]`` of a valid correlation with
    ``kernel_oihw`` on ``x_chw (B, C, H, W)``, flattened in ``ordering``, then Dense, mse."""
    patches = sliding_window_view(x_chw, kernel_oihw.shape[2:], axis=(2, 3))
    out = np.einsum("bcijuv,ocuv->boij", patches, kernel_oihw) + bias[:, None, None]
    flat = out if ordering == "th" else out.transpose(0, 2, 3, 1)
    dh, dW, db = _dense_and_loss(flat.reshape(len(x_chw), -1), W, b, y)
    dflat = dh.reshape(flat.shape)
    dout = dflat if ordering == "th" else dflat.transpose(0, 3, 1, 2)
    return [np.einsum("bcijuv,boij->ocuv", patches, dout), dout.sum(axis=(0, 2, 3)), dW, db]


def conv1d_grads(x, kernel_k1io, bias, W, b, y):
    """The same for a valid correlation over time: ``x (B, T, C)``, kernel ``(k, 1, in, out)``."""
    patches = sliding_window_view(x, len(kernel_k1io), axis=1)       # (B, T', C, k)
    out = np.einsum("btcu,uco->bto", patches, kernel_k1io[:, 0]) + bias
    dh, dW, db = _dense_and_loss(out.reshape(len(x), -1), W, b, y)
    dout = dh.reshape(out.shape)
    return [np.einsum("btcu,bto->uco", patches, dout)[:, None], dout.sum(axis=(0, 1)), dW, db]


# ---- the 1.2.2 update rules ------------------------------------------------------------------
def nadam_schedule(iterations: int, beta_1: float, schedule_decay: float) -> float:
    """Keras 1.2.2's ``m_schedule`` after ``iterations`` steps: the product of
    ``beta_1 (1 - 0.5 * 0.96^(t * schedule_decay))`` over ``t = 1 .. iterations``."""
    t = np.arange(1, iterations + 1, dtype=np.float64)
    return float(np.prod(beta_1 * (1.0 - 0.5 * 0.96 ** (t * schedule_decay))))


def keras122_step(kind: str, config: dict, params, grads, iterations, slots, schedule=None):
    """One 1.2.2 update of ``params`` (float64) with state ``slots``; returns new params and
    new slots.  ``schedule`` is Nadam's ``m_schedule`` before the step."""
    p = [np.asarray(a, np.float64) for a in params]
    g = [np.asarray(a, np.float64) for a in grads]
    s = {k: [np.asarray(a, np.float64) for a in v] for k, v in slots.items()}
    t = float(iterations or 0) + 1
    lr, eps = config["lr"], config.get("epsilon", 1e-8)
    if kind == "SGD":
        v = [config["momentum"] * m - lr * gi for m, gi in zip(s["moments"], g)]
        return [pi + vi for pi, vi in zip(p, v)], {"moments": v}
    if kind in ("RMSprop", "Adagrad"):
        rho = config.get("rho")
        a = [(rho * ai + (1 - rho) * gi ** 2) if kind == "RMSprop" else ai + gi ** 2
             for ai, gi in zip(s["accumulators"], g)]
        return [pi - lr * gi / (np.sqrt(ai) + eps) for pi, gi, ai in zip(p, g, a)], \
            {"accumulators": a}
    if kind == "Adadelta":
        rho = config["rho"]
        a = [rho * ai + (1 - rho) * gi ** 2 for ai, gi in zip(s["accumulators"], g)]
        u = [gi * np.sqrt(di + eps) / np.sqrt(ai + eps)
             for gi, di, ai in zip(g, s["delta_accumulators"], a)]
        d = [rho * di + (1 - rho) * ui ** 2 for di, ui in zip(s["delta_accumulators"], u)]
        return [pi - lr * ui for pi, ui in zip(p, u)], {"accumulators": a,
                                                          "delta_accumulators": d}
    b1, b2 = config["beta_1"], config["beta_2"]
    m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(s["ms"], g)]
    if kind == "Adam":
        v = [b2 * vi + (1 - b2) * gi ** 2 for vi, gi in zip(s["vs"], g)]
        lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        return [pi - lr_t * mi / (np.sqrt(vi) + eps) for pi, mi, vi in zip(p, m, v)], \
            {"ms": m, "vs": v}
    if kind == "Adamax":
        u = [np.maximum(b2 * ui, np.abs(gi)) for ui, gi in zip(s["us"], g)]
        return [pi - lr / (1 - b1 ** t) * mi / (ui + eps) for pi, mi, ui in zip(p, m, u)], \
            {"ms": m, "us": u}
    sd = config["schedule_decay"]
    mu_t, mu_next = (b1 * (1 - 0.5 * 0.96 ** (k * sd)) for k in (t, t + 1))
    new_schedule = schedule * mu_t
    v = [b2 * vi + (1 - b2) * gi ** 2 for vi, gi in zip(s["vs"], g)]
    m_bar = [(1 - mu_t) * gi / (1 - new_schedule) + mu_next * mi / (1 - new_schedule * mu_next)
             for gi, mi in zip(g, m)]
    return [pi - lr * mb / (np.sqrt(vi / (1 - b2 ** t)) + eps)
            for pi, mb, vi in zip(p, m_bar, v)], {"ms": m, "vs": v}
