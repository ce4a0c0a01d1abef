"""Tutorial 11: a small CNN on the bundled 8x8 digits, and what its filters learned.

Run it:  python tutorials/11_cnn_on_digits.py
(writes cnn_filters.png and cnn_feature_maps.png if matplotlib is installed;
prints the same pictures as text either way)
"""
import numpy as np

from tinygrad_keras import backend as K
from tinygrad_keras.datasets import digits
from tinygrad_keras.layers import Convolution2D, Dense, Flatten, MaxPooling2D
from tinygrad_keras.models import Model, Sequential
from tinygrad_keras.optimizers import Adam
from tinygrad_keras.utils.np_utils import to_categorical

# --8<-- [start:data]
# 'th' ordering (the project default): images are (channels, rows, cols) = (1, 8, 8).
print("image ordering:", K.image_dim_ordering())
(X, y), (X_test, y_test) = digits.load_data()
X = X.reshape(-1, 1, 8, 8).astype("float32") / 16        # pixel values 0..16 -> 0..1
X_test = X_test.reshape(-1, 1, 8, 8).astype("float32") / 16
Y, Y_test = to_categorical(y, 10), to_categorical(y_test, 10)
print("train", X.shape, "test", X_test.shape)
# --8<-- [end:data]

# --8<-- [start:model]
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
# --8<-- [end:model]

# --8<-- [start:text_view]
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
# --8<-- [end:text_view]

# --8<-- [start:filters]
# The first layer's kernel, 'th' layout: (nb_filter, channels, rows, cols).
W, b = model.layers[0].get_weights()
print("\nkernel", W.shape, "- the 16 learned 3x3 filters (dark = large weight):")
print(side_by_side([W[f, 0] for f in range(8)]))
print()
print(side_by_side([W[f, 0] for f in range(8, 16)]))
# --8<-- [end:filters]

# --8<-- [start:maps]
# Feature maps: a Model from the network's input to the first layer's output
# shares the trained weights, and its predict is what the first layer sees.
first_layer = Model(input=model.input, output=model.layers[0].output)
digit = X_test[:1]
maps = first_layer.predict(digit)                 # (1, 16, 8, 8), after relu
print(f"\na test digit (label {y_test[0]}) and the maps of filters 0-5:")
print(side_by_side([digit[0, 0]] + [maps[0, f] for f in range(6)]))
# --8<-- [end:maps]

# --8<-- [start:plot]
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("\n(matplotlib is not installed: the text pictures above are the pictures)")
else:
    fig, axes = plt.subplots(2, 8, figsize=(8, 2.4))
    for f, ax in enumerate(axes.flat):
        ax.imshow(W[f, 0], cmap="gray")
        ax.set_axis_off()
    fig.suptitle("the 16 first-layer filters")
    fig.savefig("cnn_filters.png")
    fig, axes = plt.subplots(1, 7, figsize=(8, 1.6))
    for k, ax in enumerate(axes):
        ax.imshow(digit[0, 0] if k == 0 else maps[0, k - 1], cmap="gray")
        ax.set_axis_off()
    fig.savefig("cnn_feature_maps.png")
# --8<-- [end:plot]
