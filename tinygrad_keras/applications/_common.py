"""What every pretrained network shares: argument checks, the input, and loading the
released weight files with the kernel handling Keras 1.2.2 applied.

Kernels.  A file whose name says ``th_kernels`` was written by Theano, whose
``Convolution2D`` is a true convolution; a ``tf_kernels`` file holds
cross-correlation kernels.  Keras 1.2.2 loaded each file into a model of the
matching ordering and, when the backend's convention differed from the file's,
flipped every ``Convolution2D`` kernel with ``convert_all_kernels_in_model``.
Our convolution is a cross-correlation (as on TensorFlow), so a ``th_kernels``
file gets its ``Convolution2D`` kernels flipped exactly once and a ``tf_kernels``
file none.  The file name decides; the weight names inside are not used to guess
(a plain ``load_weights`` guesses Theano from names without ``:0``, which would
flip a second time here).
"""
from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

from .. import backend as K
from .._backend.deferred import is_deferred
from ..engine import hdf5_format as H
from ..engine.container import get_source_inputs
from ..engine.saving import weight_layers
from ..engine.topology import Input
from ..utils.data_utils import get_file
from ..utils.np_utils import convert_kernel


class Release(NamedTuple):
    """One weight file of github.com/fchollet/deep-learning-models, as 1.2.2 fetched it."""
    fname: str
    origin: str
    md5: str | None
    kernels: str        # 'th' (true-convolution kernels) or 'tf' (cross-correlation kernels)


RELEASES_URL = "https://github.com/fchollet/deep-learning-models/releases/download/"


def release(version: str, fname: str, md5: str | None = None) -> Release:
    """The Release of ``fname`` from release ``version`` ('v0.1'...); kernels from its name."""
    kernels = "th" if "_th_kernels" in fname else "tf"
    return Release(fname, RELEASES_URL + version + "/" + fname, md5, kernels)



def release_table(network: str, version: str, md5: dict | None = None) -> dict:
    """``{(dim_ordering, include_top): Release}`` of a network's four ImageNet files, named
    ``{network}_weights_{o}_dim_ordering_{o}_kernels[_notop].h5`` as in 1.2.2; ``md5`` maps
    the same keys to the files' hashes (1.2.2 gave them for some networks only)."""
    md5 = md5 or {}
    return {(o, top): release(version, f"{network}_weights_{o}_dim_ordering_{o}_kernels"
                                       f"{'' if top else '_notop'}.h5", md5.get((o, top)))
            for o in ("th", "tf") for top in (True, False)}


def channel_axis() -> int:
    """The channel axis of a 4-D image batch in the current dim ordering."""
    return 1 if K.image_dim_ordering() == "th" else 3

def check_weights(model_name: str, weights, include_top: bool, classes: int,
                  pretrained: str = "imagenet", pretrained_classes: int = 1000) -> None:
    """1.2.2's argument checks: ``weights`` in {None, pretrained}; the pretrained top has
    ``pretrained_classes`` outputs."""
    if weights not in (pretrained, None):
        raise ValueError(f"{model_name}: the `weights` argument should be either `None` "
                         f"(random initialization) or {pretrained!r} (pre-trained weights); "
                         f"got {weights!r}")
    if weights == pretrained and include_top and classes != pretrained_classes:
        raise ValueError(f"{model_name}: if using `weights` as {pretrained!r} with "
                         f"`include_top` as true, `classes` should be {pretrained_classes} "
                         f"(got {classes})")


def model_input(model_name: str, input_tensor, input_shape: tuple):
    """The KerasTensor the network starts from: ``Input(shape=input_shape)``, or
    ``input_tensor`` (a KerasTensor from ``Input`` or a layer) when given.  A tensor
    computed by ``K.*`` outside a model (``K.concatenate([K.variable(a), placeholder])``,
    as in 1.2.2's style-transfer example) becomes ``Input(tensor=input_tensor)``, as
    there: the model's input stands for it."""
    if input_tensor is None:
        return Input(shape=input_shape)
    if is_deferred(input_tensor):
        _check_input_tensor_shape(model_name, input_tensor, input_shape)
        return Input(tensor=input_tensor, batch_shape=input_tensor.shape)
    if not K.is_keras_tensor(input_tensor):
        raise TypeError(f"{model_name}: `input_tensor` must be a Keras tensor (the output of "
                        f"Input() or of a layer); got {type(input_tensor).__name__}. Here an "
                        f"array or Tensor is a value, not a graph input: build the model, "
                        f"then call it on the value (model(x) or model.predict(x))")
    _check_input_tensor_shape(model_name, input_tensor, input_shape)
    return input_tensor


def _check_input_tensor_shape(model_name: str, input_tensor, input_shape: tuple) -> None:
    got = tuple(input_tensor._keras_shape[1:])
    if len(got) != 3 or any(g is not None and w is not None and g != w
                            for g, w in zip(got, input_shape)):
        raise ValueError(f"{model_name}: `input_tensor` has shape {input_tensor._keras_shape}, "
                         f"expected (None,) + {tuple(input_shape)}")


def model_inputs(input_tensor, img_input):
    """The Model's inputs: the sources behind ``img_input`` (1.2.2: the predecessors of
    ``input_tensor`` belong to the model), else ``img_input``."""
    return get_source_inputs(img_input) if input_tensor is not None else img_input


def _is_conv2d_kernel(layer, weight) -> bool:
    """True for the kernel of a plain Convolution2D (the layers 1.2.2 flipped)."""
    return type(layer).__name__ == "Convolution2D" and weight is layer.weights[0]


def _has_default_name(layer) -> bool:
    return re.fullmatch(type(layer).__name__.lower() + r"_\d+", layer.name) is not None


def check_layer_names(layers, file_layers: list, source: str) -> None:
    """Positional loading pairs the i-th layer with weights with the i-th such layer of the
    file; refuse a pair whose names differ where this module chose the name (the layer
    order would not be 1.2.2's, and same-shaped layers could swap silently)."""
    model_layers = [layer for layer in layers if layer.weights]
    saved = [entry for entry in file_layers if entry[1]]
    for layer, (file_name, _names, _arrays) in zip(model_layers, saved):
        if file_name != layer.name and not _has_default_name(layer):
            raise H.WeightFileError(f"{source}: layer {layer.name!r} would receive the weights "
                                    f"of the file's layer {file_name!r}; this is not the "
                                    f"weight file of this network")


def check_all_found(layers, file_layers: list, source: str) -> None:
    """Loading by name skips the file's extra layers (a top the model does not have), but a
    model layer missing from the file would silently keep its random weights: refuse that."""
    in_file = {entry[0] for entry in file_layers if entry[1]}
    missing = [layer.name for layer in layers if layer.weights and layer.name not in in_file]
    if missing:
        raise H.WeightFileError(f"{source} has no weights for layer(s) {missing}; this is not "
                                f"the weight file of this network")


def load_release(model, rel: Release, by_name: bool = False) -> None:
    """Fetch ``rel`` through the cache (``~/.keras/models``) and load it into ``model``,
    flipping Convolution2D kernels of 'th'-kernel files; all or nothing."""
    path = get_file(rel.fname, rel.origin, md5_hash=rel.md5, cache_subdir="models")
    file_layers, style = H.read_weight_file(path)
    # mark every name as a cross-correlation one so the loader does not guess Theano
    file_layers = [(lname, [n if n.endswith(":0") else n + ":0" for n in names], arrays)
                   for lname, names, arrays in file_layers]
    layers = weight_layers(model)
    if by_name:
        check_all_found(layers, file_layers, repr(path))
    else:
        check_layer_names(layers, file_layers, repr(path))
    staged = H.stage_weights(layers, file_layers, style, by_name, repr(path))
    if rel.kernels == "th":
        owner = {id(w): layer for layer in layers for w in layer.weights}
        staged = [(w, convert_kernel(v, owner[id(w)].dim_ordering)
                   if _is_conv2d_kernel(owner[id(w)], w) else v) for w, v in staged]
    H.assign([(w, np.ascontiguousarray(v)) for w, v in staged])
