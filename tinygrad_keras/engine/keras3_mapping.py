"""Keras 1 <-> Keras 3: every name, argument and weight layout that differs, as data.

One table, read in both directions by :mod:`keras3_format`.  A layer maps when
Keras 3 has a class computing the same function; an argument maps when its
meaning is the same.  Anything else is refused with :class:`Keras3MappingError`
(never a silent change of the model):

* ``LAYERS[keras1_class]`` is a :class:`Spec`: the Keras 3 class, the argument
  renames ``(keras1, keras3, kind)`` (``kind`` says how the value converts),
  the Keras 1 arguments that must keep their neutral value (``refuse``), the
  Keras 3 arguments written with a fixed value and required to have it when
  reading (``fixed``), and the weight converter.
* Weights convert by kind: ``conv2d`` transposes ``'th'`` kernels
  ``(filters, in, r, c)`` to ``(r, c, in, filters)``; ``lstm``/``gru`` join the
  per-gate blocks into Keras 3's fused kernels (LSTM gate order i, f, c, o;
  GRU z, r, h with ``reset_after=False``).
* Keras 1's ``hard_sigmoid`` is ``clip(0.2 x + 0.5, 0, 1)``, Keras 3's is
  ``clip(x / 6 + 0.5, 0, 1)``; since the first equals the second at ``1.2 x``,
  a hard-sigmoid applied to an affine pre-activation (Dense, convolution, the
  gates of a recurrent cell) is exported by scaling the columns that feed it by
  :data:`HARD_SIGMOID_SCALE`, and imported by dividing them by it.  Where the
  activation is not applied to weights we own (an ``Activation`` layer, the
  cell activation of an LSTM) it is refused.
"""
from __future__ import annotations

from dataclasses import dataclass, field


class Keras3MappingError(ValueError):
    """A model, layer or argument with no exact Keras 3 (or Keras 1) equivalent."""


HARD_SIGMOID_SCALE = 1.2  # Keras 1 hard_sigmoid(x) == Keras 3 hard_sigmoid(1.2 * x)

# Activations computing the same function under the same name in both versions.
SAME_ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid", "softmax", "softplus", "softsign",
                    "elu")

# Keras 1 initializer name -> Keras 3 (class, config) drawing from the same distribution.
INITIALIZERS = {
    "zero": ("Zeros", {}),
    "one": ("Ones", {}),
    "uniform": ("RandomUniform", {"minval": -0.05, "maxval": 0.05, "seed": None}),
    "normal": ("RandomNormal", {"mean": 0.0, "stddev": 0.05, "seed": None}),
    "glorot_uniform": ("GlorotUniform", {"seed": None}),
    "he_uniform": ("HeUniform", {"seed": None}),
    "lecun_uniform": ("LecunUniform", {"seed": None}),
    # Keras 3's *Normal initializers truncate; Keras 1's do not
    "glorot_normal": ("VarianceScaling", {"scale": 1.0, "mode": "fan_avg",
                                          "distribution": "untruncated_normal", "seed": None}),
    "he_normal": ("VarianceScaling", {"scale": 2.0, "mode": "fan_in",
                                      "distribution": "untruncated_normal", "seed": None}),
    "orthogonal": ("Orthogonal", {"gain": 1.1, "seed": None}),  # Keras 1 scales by 1.1
    "identity": ("Identity", {"gain": 1.0}),
}

# Keras 1 optimizer -> (Keras 3 class, {keras1 arg: keras3 arg}); these update alike.
# RMSprop and Adagrad add epsilon outside the square root in Keras 1 and inside in
# Keras 3 (and Adagrad starts its accumulators at 0.1); Nadam's momentum schedule
# differs: those are refused.
OPTIMIZERS = {
    "SGD": ("SGD", {"lr": "learning_rate", "momentum": "momentum", "nesterov": "nesterov"}),
    "Adam": ("Adam", {"lr": "learning_rate", "beta_1": "beta_1", "beta_2": "beta_2",
                      "epsilon": "epsilon"}),
    "Adamax": ("Adamax", {"lr": "learning_rate", "beta_1": "beta_1", "beta_2": "beta_2",
                          "epsilon": "epsilon"}),
    "Adadelta": ("Adadelta", {"lr": "learning_rate", "rho": "rho", "epsilon": "epsilon"}),
}
OPTIMIZER_DIFFERENCES = {
    "RMSprop": "Keras 1 divides by sqrt(a) + epsilon, Keras 3 by sqrt(a + epsilon)",
    "Adagrad": "Keras 1 divides by sqrt(a) + epsilon, Keras 3 by sqrt(a + epsilon), and "
               "starts the accumulators at 0.1 instead of 0",
    "Nadam": "Keras 3 has no schedule_decay: its momentum schedule differs",
}

# Keras 1 loss -> Keras 3 loss computing the same value.  hinge/squared_hinge are refused
# (Keras 3 turns 0/1 labels into -1/1), cosine_proximity too (Keras 1 takes a mean).
LOSSES = {
    "mse": "mean_squared_error", "mean_squared_error": "mean_squared_error",
    "mae": "mean_absolute_error", "mean_absolute_error": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "mean_absolute_percentage_error": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "mean_squared_logarithmic_error": "mean_squared_logarithmic_error",
    "binary_crossentropy": "binary_crossentropy",
    "categorical_crossentropy": "categorical_crossentropy",
    "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
    "kld": "kl_divergence", "kullback_leibler_divergence": "kl_divergence",
    "poisson": "poisson",
}
METRICS = {"accuracy": "accuracy", "acc": "accuracy", **LOSSES}


@dataclass(frozen=True)
class Spec:
    """How one Keras 1 layer class maps.  ``args``: ``(keras1, keras3, kind)``; ``kind`` is
    ``value`` (as is), ``activation``, ``init``, ``reg``, ``ordering`` (``'th'`` <->
    ``channels_first``), ``tuple`` (a number <-> a 1-tuple), ``padding`` (border_mode)."""

    keras3: str
    args: tuple = ()
    refuse: tuple = ()                     # keras1 args that must be None / 0 / False
    fixed: dict = field(default_factory=dict)  # keras3 args written with these values
    weights: str = "same"                  # the weight converter's kind
    folds: str | None = None               # which activation may fold hard_sigmoid


_ACT = ("activation", "activation", "activation")
_DENSE_LIKE_REFUSE = ("activity_regularizer", "W_constraint", "b_constraint")
_NO_CONSTRAINTS = {"kernel_constraint": None, "bias_constraint": None,
                   "activity_regularizer": None}
_CONV_ARGS = (("nb_filter", "filters", "value"), _ACT, ("init", "kernel_initializer", "init"),
              ("bias", "use_bias", "value"), ("border_mode", "padding", "padding"),
              ("W_regularizer", "kernel_regularizer", "reg"),
              ("b_regularizer", "bias_regularizer", "reg"))
_RNN_ARGS = (("output_dim", "units", "value"), _ACT, ("init", "kernel_initializer", "init"),
             ("inner_init", "recurrent_initializer", "init"),
             ("W_regularizer", "kernel_regularizer", "reg"),
             ("b_regularizer", "bias_regularizer", "reg"),
             ("return_sequences", "return_sequences", "value"),
             ("go_backwards", "go_backwards", "value"), ("stateful", "stateful", "value"),
             ("unroll", "unroll", "value"))
_RNN_FIXED = {"kernel_constraint": None, "bias_constraint": None, "recurrent_constraint": None,
              "activity_regularizer": None, "dropout": 0.0, "recurrent_dropout": 0.0,
              "use_bias": True, "return_state": False}
_POOL2D = (("pool_size", "pool_size", "value"), ("strides", "strides", "value"),
           ("border_mode", "padding", "padding"), ("dim_ordering", "data_format", "ordering"))
_POOL1D = (("pool_length", "pool_size", "tuple"), ("stride", "strides", "tuple"),
           ("border_mode", "padding", "padding"))
_GLOBAL2D = (("dim_ordering", "data_format", "ordering"),)

LAYERS = {
    "InputLayer": Spec("InputLayer", (("batch_input_shape", "batch_shape", "value"),
                                      ("input_dtype", "dtype", "value"),
                                      ("sparse", "sparse", "value"))),
    "Dense": Spec("Dense", (("output_dim", "units", "value"), _ACT,
                            ("init", "kernel_initializer", "init"), ("bias", "use_bias", "value"),
                            ("W_regularizer", "kernel_regularizer", "reg"),
                            ("b_regularizer", "bias_regularizer", "reg")),
                  _DENSE_LIKE_REFUSE, _NO_CONSTRAINTS, folds="activation"),
    "Activation": Spec("Activation", (_ACT,)),
    "Dropout": Spec("Dropout", (("p", "rate", "value"),), fixed={"noise_shape": None}),
    "Flatten": Spec("Flatten", fixed={"data_format": "channels_last"}),
    "Reshape": Spec("Reshape", (("target_shape", "target_shape", "value"),)),
    "Permute": Spec("Permute", (("dims", "dims", "value"),)),
    "RepeatVector": Spec("RepeatVector", (("n", "n", "value"),)),
    "Masking": Spec("Masking", (("mask_value", "mask_value", "value"),)),
    "Convolution2D": Spec("Conv2D", _CONV_ARGS + (("subsample", "strides", "value"),
                                                  ("dim_ordering", "data_format", "ordering")),
                          _DENSE_LIKE_REFUSE, {**_NO_CONSTRAINTS, "dilation_rate": [1, 1],
                                               "groups": 1},
                          weights="conv2d", folds="activation"),
    "Convolution1D": Spec("Conv1D", _CONV_ARGS + (("filter_length", "kernel_size", "tuple"),
                                                  ("subsample_length", "strides", "tuple")),
                          _DENSE_LIKE_REFUSE, {**_NO_CONSTRAINTS, "dilation_rate": [1],
                                               "groups": 1, "data_format": "channels_last"},
                          weights="conv1d", folds="activation"),
    "MaxPooling2D": Spec("MaxPooling2D", _POOL2D),
    "AveragePooling2D": Spec("AveragePooling2D", _POOL2D),
    "MaxPooling1D": Spec("MaxPooling1D", _POOL1D, fixed={"data_format": "channels_last"}),
    "AveragePooling1D": Spec("AveragePooling1D", _POOL1D,
                             fixed={"data_format": "channels_last"}),
    "GlobalMaxPooling2D": Spec("GlobalMaxPooling2D", _GLOBAL2D, fixed={"keepdims": False}),
    "GlobalAveragePooling2D": Spec("GlobalAveragePooling2D", _GLOBAL2D,
                                   fixed={"keepdims": False}),
    "GlobalMaxPooling1D": Spec("GlobalMaxPooling1D",
                               fixed={"keepdims": False, "data_format": "channels_last"}),
    "GlobalAveragePooling1D": Spec("GlobalAveragePooling1D",
                                   fixed={"keepdims": False, "data_format": "channels_last"}),
    "ZeroPadding1D": Spec("ZeroPadding1D", (("padding", "padding", "symmetric"),),
                          fixed={"data_format": "channels_last"}),
    "ZeroPadding2D": Spec("ZeroPadding2D", (("padding", "padding", "symmetric"),
                                            ("dim_ordering", "data_format", "ordering"))),
    "UpSampling1D": Spec("UpSampling1D", (("length", "size", "value"),)),
    "UpSampling2D": Spec("UpSampling2D", (("size", "size", "value"),
                                          ("dim_ordering", "data_format", "ordering")),
                         fixed={"interpolation": "nearest"}),
    "Embedding": Spec("Embedding", (("input_dim", "input_dim", "value"),
                                    ("output_dim", "output_dim", "value"),
                                    ("init", "embeddings_initializer", "init"),
                                    ("W_regularizer", "embeddings_regularizer", "reg"),
                                    ("mask_zero", "mask_zero", "value")),
                      ("activity_regularizer", "W_constraint", "dropout"),
                      {"embeddings_constraint": None, "activity_regularizer": None}),
    "BatchNormalization": Spec("BatchNormalization",
                               (("epsilon", "epsilon", "value"), ("axis", "axis", "value"),
                                ("momentum", "momentum", "value"),
                                ("gamma_regularizer", "gamma_regularizer", "reg"),
                                ("beta_regularizer", "beta_regularizer", "reg")),
                               ("mode",),
                               {"center": True, "scale": True, "beta_constraint": None,
                                "gamma_constraint": None, "renorm": False,
                                "synchronized": False}),
    "SimpleRNN": Spec("SimpleRNN", _RNN_ARGS, ("dropout_W", "dropout_U"), _RNN_FIXED,
                      weights="simple_rnn", folds="activation"),
    "GRU": Spec("GRU", _RNN_ARGS + (("inner_activation", "recurrent_activation", "activation"),),
                ("dropout_W", "dropout_U"), {**_RNN_FIXED, "reset_after": False},
                weights="gru", folds="gates"),
    "LSTM": Spec("LSTM", _RNN_ARGS + (("inner_activation", "recurrent_activation", "activation"),),
                 ("dropout_W", "dropout_U"), _RNN_FIXED, weights="lstm", folds="gates"),
    "TimeDistributed": Spec("TimeDistributed", weights="wrapper"),
    "Bidirectional": Spec("Bidirectional", (("merge_mode", "merge_mode", "value"),),
                          weights="wrapper"),
}

# Keras 1 Merge modes <-> Keras 3 merging layers (``Merge`` and ``merge()`` alike).
MERGE_MODES = {"concat": "Concatenate", "sum": "Add", "mul": "Multiply", "ave": "Average",
               "max": "Maximum", "dot": "Dot"}

# Keras 3 config keys that never change the computation (read and ignored).
NEUTRAL_KERAS3_KEYS = {"name", "trainable", "dtype", "seed", "input_length", "optional",
                       "ragged", "unit_forget_bias", "quantization_config", "lora_rank",
                       "lora_alpha", "renorm_clipping", "renorm_momentum",
                       "moving_mean_initializer", "moving_variance_initializer",
                       "beta_initializer", "gamma_initializer", "bias_initializer",
                       "input_shape", "build_config", "sparse", "implementation",
                       "use_cudnn", "backward_layer", "layer", "autocast"}


def masks_differ_message(where: str) -> str:
    return (f"{where}: Keras 3 outputs zeros at masked steps of this recurrent layer (as inside "
            f"every Bidirectional), Keras 1 repeats the previous output; with a Masking layer or "
            f"Embedding(mask_zero=True) in the model the two differ")


def keras3_classes() -> dict:
    """Keras 3 class name -> Keras 1 class name (the reverse of ``LAYERS``)."""
    return {spec.keras3: name for name, spec in LAYERS.items()}


def hard_sigmoid_columns(kind: str, units: int, inner: bool) -> list:
    """``[(start, stop)]`` of the fused kernel columns fed to the gate activation
    (``inner``) or to the cell activation, for the layouts Keras 3 uses."""
    u = units
    if kind == "lstm":
        return [(0, 2 * u), (3 * u, 4 * u)] if inner else [(2 * u, 3 * u)]
    if kind == "gru":
        return [(0, 2 * u)] if inner else [(2 * u, 3 * u)]
    return [(0, None)]  # Dense, convolution, SimpleRNN: every output column
