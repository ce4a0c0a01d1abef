# %% [markdown]
# # 11. A CNN on the digits, and what it learned
#
# The bundled digits are 8×8 grey images (1797 of them, split 1440/357). A single
# convolution layer with 16 filters, a max-pooling layer and a softmax classify them
# in a few seconds. Then we look at what the
# filters became and what they see in a digit. The script is `tutorials/11_cnn_on_digits.py`.
#
# ## Images in 'th' order
#
# tinygrad_keras defaults to Theano's dimension ordering (`K.image_dim_ordering() == 'th'`):
# an image is `(channels, rows, cols)`, a batch `(samples, channels, rows, cols)`, and a
# `Convolution2D` kernel is `(nb_filter, channels, nb_row, nb_col)`.

# %%
import matplotlib.pyplot as plt
import numpy as np

from tinygrad_keras import backend as K
from tinygrad_keras.datasets import digits
from tinygrad_keras.layers import Convolution2D, Dense, Flatten, MaxPooling2D
from tinygrad_keras.models import Model, Sequential
from tinygrad_keras.optimizers import Adam
from tinygrad_keras.utils.np_utils import to_categorical

# 'th' ordering (the project default): images are (channels, rows, cols) = (1, 8, 8).
print("image ordering:", K.image_dim_ordering())
(X, y), (X_test, y_test) = digits.load_data()
X = X.reshape(-1, 1, 8, 8).astype("float32") / 16        # pixel values 0..16 -> 0..1
X_test = X_test.reshape(-1, 1, 8, 8).astype("float32") / 16
Y, Y_test = to_categorical(y, 10), to_categorical(y_test, 10)
print("train", X.shape, "test", X_test.shape)

# %% [markdown]
# ## The model
#
# `border_mode='same'` keeps the 8×8 size, `MaxPooling2D` halves it, `Flatten` turns the
# 16 maps of 4×4 into 256 features for the softmax. Eight epochs of Adam reach about 0.96 test
# accuracy here (the exercise test checks 0.95 or more for
# three seeds).

# %%
np.random.seed(0)
model = Sequential([
    Convolution2D(16, 3, 3, border_mode="same", activation="relu", input_shape=(1, 8, 8)),
    MaxPooling2D(pool_size=(2, 2)),           # (16, 8, 8) -> (16, 4, 4)
    Flatten(),                                # -> 256
    Dense(10, activation="softmax"),
])
model.compile(Adam(lr=0.005), "categorical_crossentropy", metrics=["accuracy"])
model.summary()
model.fit(X, Y, nb_epoch=8, batch_size=32, verbose=2)
loss, acc = model.evaluate(X_test, Y_test, verbose=0)
print(f"test accuracy: {acc:.3f}")

# %% [markdown]
# ## Pictures, in text and with matplotlib
#
# The filters and maps are small, so a character per value (two, to look square) is enough
# to see them in a terminal; below each printout, matplotlib draws the same arrays with
# labels and a colour scale.

# %%
SHADES = " .:-=+*#%@"


def as_text(image: np.ndarray) -> list:
    """Rows of characters for a 2-D array, darkest character for its largest value."""
    lo, hi = image.min(), image.max()
    levels = np.round((image - lo) / (hi - lo + 1e-12) * (len(SHADES) - 1)).astype(int)
    return ["".join(SHADES[v] * 2 for v in row) for row in levels]


def side_by_side(images: list, gap: str = "  ") -> str:
    """Several 2-D arrays as text pictures next to each other."""
    blocks = [as_text(im) for im in images]
    return "\n".join(gap.join(rows) for rows in zip(*blocks))

# %% [markdown]
# ## The learned filters
#
# Each filter is a 3×3 pattern; its map is large where the image looks like the pattern.
# Look for edge detectors (a dark row or column next to a light one) and for blobs.

# %%
# The first layer's kernel, 'th' layout: (nb_filter, channels, rows, cols).
W, b = model.layers[0].get_weights()
print("\nkernel", W.shape, "- the 16 learned 3x3 filters (dark = large weight):")
print(side_by_side([W[f, 0] for f in range(8)]))
print()
print(side_by_side([W[f, 0] for f in range(8, 16)]))

# %%
def show_grid(images: list, titles: list, suptitle: str, ncols: int = 8, cmap: str = "RdBu_r",
              symmetric: bool = True) -> None:
    """2-D arrays in a grid, each with its title and one shared colour scale."""
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.3 * ncols, 1.5 * nrows + 0.4),
                             squeeze=False)
    top = max(np.abs(im).max() for im in images)
    lo = -top if symmetric else 0.0
    for ax in axes.flat:
        ax.axis("off")
    for ax, im, title in zip(axes.flat, images, titles):
        shown = ax.imshow(im, cmap=cmap, vmin=lo, vmax=top)
        ax.set_title(title, fontsize=8)
    fig.suptitle(suptitle, fontsize=10)
    fig.colorbar(shown, ax=axes.ravel().tolist(), shrink=0.8)
    plt.show()


show_grid([W[f, 0] for f in range(16)], [f"filter {f}" for f in range(16)],
          "the 16 learned 3x3 filters of the first layer (red = positive weight)")
#
# ## Feature maps
#
# To see the output of a hidden layer, make a functional `Model` from the network's input to
# that layer's output: it shares the trained layers, so `predict` gives what the layer
# computes inside the network (the Keras 1 FAQ's recipe).

# %%
# Feature maps: a Model from the network's input to the first layer's output
# shares the trained weights, and its predict is what the first layer sees.
first_layer = Model(input=model.input, output=model.layers[0].output)
digit = X_test[:1]
maps = first_layer.predict(digit)                 # (1, 16, 8, 8), after relu
print(f"\na test digit (label {y_test[0]}) and the maps of filters 0-3:")
print(side_by_side([digit[0, 0]] + [maps[0, f] for f in range(4)]))

# %%
show_grid([digit[0, 0]], [f"test digit, label {y_test[0]}"], "the input", ncols=1,
          cmap="gray_r", symmetric=False)
show_grid([maps[0, f] for f in range(16)], [f"map of filter {f}" for f in range(16)],
          "the 16 feature maps of the first layer for that digit (after relu)",
          cmap="viridis", symmetric=False)

# %% [markdown]
# ## Exercise
#
# Which digits excite which filter? Write `class_filter_means(model, X, y)` in
# `tutorials/exercises/11_cnn_on_digits.py`: for a model whose first layer is a
# `Convolution2D`, return the `(10, nb_filter)` array whose entry `[d, f]` is the mean of
# filter `f`'s output map (after the layer's activation) over all pixels and over the
# samples of `X` with label `d`. The check compares your numbers with a direct
# computation on the layer's weights:
#
# ```bash
# python -m tinygrad_keras.exercises check 11
# ```
#
# The reference answer is in `tutorials/solutions/11_cnn_on_digits.py`; read it after your own attempt passes.
