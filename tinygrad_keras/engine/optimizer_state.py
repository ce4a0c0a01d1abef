"""The optimizer state of a model file, converted the way its weights were (spec 17.3).

A file's ``optimizer_weights`` hold, in the optimizer's ``weights`` order, a
few scalars (``iterations``) and then, for each kind of slot (SGD's momenta,
Adam's ``ms`` and ``vs``, the accumulators of RMSprop, Adagrad, Adadelta...),
one array per trainable weight *of the file*.  When loading converted a weight
(a Theano kernel flipped, a legacy Conv1D kernel transposed, a Keras 2 fused
LSTM matrix split into gates; see ``hdf5_convert.py``), every slot of that
weight goes through the very same :class:`~.hdf5_convert.Conversion`, so each
element keeps its own momentum.  A slot that cannot follow (its shape is not
the stored weight's) is an error, never copied by position.

The writer ordered the file's trainable weights: Keras 1.2.2 and this library
sort them by name (the rebuilt model has the same names, so the order is the
model's ``_collected_trainable_weights``); Keras 2 keeps layer order.

State that Keras 1.2.2 kept outside ``optimizer.weights`` goes to the
``extra_state`` subgroup of our files.  A 1.2.2 file lacks it; what follows
from the step count alone (Nadam's ``m_schedule``) is then rebuilt from the
saved ``iterations`` (``Optimizer.rebuilt_state``).
"""
from __future__ import annotations

import numpy as np

from . import hdf5_format as H
from .hdf5_convert import layer_conversion

# State that Keras 1.2.2 kept outside ``optimizer.weights`` and so lost on reload: the update
# count of RMSprop/Adagrad/Adadelta (time decay) and Nadam's momentum schedule.  It goes into
# a subgroup that 1.2.2 never reads, so resuming is exact and the file still loads there.
EXTRA_STATE_GROUP = "extra_state"
_EXTRA_STATE = ("iterations", "m_schedule")


def extra_state(optimizer) -> dict:
    """``{name: Tensor}`` of the optimizer's scalar state missing from ``weights``."""
    listed = {id(w) for w in optimizer.weights}
    found = {name: getattr(optimizer, name, None) for name in _EXTRA_STATE}
    return {k: v for k, v in found.items() if v is not None and id(v) not in listed}


def slot_layout(optimizer, params: list) -> tuple | None:
    """``(scalars, slot_names)`` such that ``optimizer.weights`` is ``scalars`` followed,
    for each slot name, by that slot of every parameter in ``params`` order; None when
    the weights are laid out otherwise (an optimizer of the user's own)."""
    weights = optimizer.weights
    where = {id(t): (name, k) for name, ts in optimizer.slots.items() for k, t in enumerate(ts)}
    first = next((i for i, w in enumerate(weights) if id(w) in where), len(weights))
    rest, n = weights[first:], len(params)
    if (n == 0 and rest) or (n and len(rest) % n):
        return None
    names = []
    for b in range(len(rest) // n if n else 0):
        block = [where.get(id(t)) for t in rest[b * n:(b + 1) * n]]
        name = block[0][0] if block[0] else None
        if any(entry != (name, k) for k, entry in enumerate(block)):
            return None
        names.append(name)
    return weights[:first], names


def weight_sources(layers, file_weights: tuple, source: str) -> dict:
    """``{id(weight): (key, Conversion, stored shape)}``: for each weight the file gives,
    which stored array it came from (``key``, in file order) and how it was converted."""
    file_layers, style = file_weights
    out = {}
    for k, (layer, (_lname, wnames, arrays)) in enumerate(
            H.match_layers(layers, file_layers, False, style, source)):
        for weight, conversion in zip(layer.weights,
                                      layer_conversion(layer, wnames, arrays, style)):
            out[id(weight)] = ((k, conversion.source), conversion,
                               np.shape(arrays[conversion.source]))
    return out


def _file_parameters(params: list, sources: dict, style: dict) -> list:
    """The keys of the file's trainable weights, in the order the file's slots follow."""
    keys = [sources[id(p)][0] for p in params]
    if style.get("keras2"):
        return sorted(set(keys))      # Keras 2: layer order; a split weight counts once
    return keys


def _positional(optimizer, names: list, arrays: list, source: str) -> list:
    """Slots copied in order: only used when no weight was converted."""
    slots = optimizer.weights
    if len(slots) != len(arrays):
        raise H.WeightFileError(f"{source}: the file holds {len(arrays)} optimizer weights, but "
                                f"{type(optimizer).__name__} on this model has {len(slots)}")
    return [_checked(slot, name, value, source) for slot, name, value in
            zip(slots, names, arrays)]


def _checked(target, name: str, value, source: str) -> tuple:
    if tuple(np.shape(value)) != tuple(target.shape):
        raise H.WeightFileError(f"{source}: optimizer weight {name!r} has shape "
                                f"{np.shape(value)}, expected {target.shape}")
    return target, np.array(value, dtype=target.dtype)


def _converted_slot(slot, name: str, value, origin: tuple, param, source: str) -> tuple:
    """One slot of ``param``, taken through its weight's conversion."""
    _key, conversion, stored_shape = origin
    if tuple(np.shape(value)) != tuple(stored_shape):
        raise H.WeightFileError(
            f"{source}: optimizer weight {name!r} belongs to weight {param.name!r}, stored with "
            f"shape {tuple(stored_shape)}, but has shape {np.shape(value)}: it cannot be "
            f"converted as that weight was ({conversion.label})")
    return _checked(slot, name, conversion.apply(value), source)


def stage_optimizer(model, layers, file_weights: tuple, saved: tuple, source: str) -> list:
    """``[(slot Tensor, value)]`` for the optimizer state in ``saved = (names, arrays)``,
    each weight's slots converted as the weight was; ``layers``/``file_weights`` are what
    the weights were staged from.  Raises WeightFileError if the state does not fit."""
    names, arrays = saved
    optimizer, params = model.optimizer, list(model._collected_trainable_weights)
    optimizer.build(params)  # create the slots to fill
    sources = weight_sources(layers, file_weights, source)
    missing = [p.name for p in params if id(p) not in sources]
    if missing:
        raise H.WeightFileError(f"{source}: the file has no stored weight for {missing}, so "
                                f"their optimizer state cannot be found")
    order = _file_parameters(params, sources, file_weights[1])
    converted = any(sources[id(p)][1].steps for p in params) or len(order) != len(params)
    layout = slot_layout(optimizer, params)
    if layout is None:
        if not converted:
            return _positional(optimizer, names, arrays, source)
        raise H.WeightFileError(
            f"{source}: some weights were converted on loading, but "
            f"{type(optimizer).__name__}'s weights are not laid out as scalars followed by one "
            f"array per parameter for each slot, so their state cannot be converted with them")
    scalars, slot_names = layout
    expected = len(scalars) + len(slot_names) * len(order)
    if len(arrays) != expected:
        raise H.WeightFileError(f"{source}: the file holds {len(arrays)} optimizer weights, but "
                                f"{type(optimizer).__name__} on this model has {expected} "
                                f"(for the file's {len(order)} trainable weights)")
    staged = [_checked(t, name, value, source) for t, name, value in zip(scalars, names, arrays)]
    index = {key: i for i, key in enumerate(order)}
    for b, slot_name in enumerate(slot_names):
        for k, param in enumerate(params):
            origin = sources[id(param)]
            i = len(scalars) + b * len(order) + index[origin[0]]
            staged.append(_converted_slot(optimizer.slots[slot_name][k], names[i], arrays[i],
                                          origin, param, source))
    return staged


def _step_count(optimizer, staged: list, in_file: dict, source: str) -> int | None:
    """The saved number of steps taken (None if the file does not say)."""
    value = next((v for t, v in staged if t is optimizer.iterations), in_file.get("iterations"))
    if value is None:
        return None
    count = float(np.asarray(value).reshape(-1)[0]) if np.size(value) == 1 else np.nan
    if not (np.isfinite(count) and count >= 0 and count == int(count)):
        raise H.WeightFileError(f"{source}: the optimizer's saved iterations is "
                                f"{np.asarray(value).tolist()}, not a count of steps")
    return int(count)


def stage_extra(optimizer, saved, staged: list, source: str) -> list:
    """``[(Tensor, value)]`` for the state outside ``optimizer.weights``: from the file's
    ``extra_state`` group (``saved = (names, arrays)`` or None) where it has it, else
    rebuilt from the saved step count where that determines it (Nadam's schedule)."""
    known = extra_state(optimizer)
    in_file = dict(zip(*saved)) if saved is not None else {}
    out = [_checked(known[name], name, value, source)
           for name, value in in_file.items() if name in known]
    absent = [name for name in known if name not in in_file]
    count = _step_count(optimizer, staged, in_file, source) if absent else None
    if count is not None:
        rebuilt = optimizer.rebuilt_state(count)
        out += [_checked(known[name], name, rebuilt[name], source)
                for name in absent if name in rebuilt]
    return out
