# %% [markdown]
# # 19. Inside a pretrained network
#
# Keras 1.2.2 shipped networks trained on ImageNet (1.2 million photos, 1000 classes) in
# `keras.applications`. This page loads **VGG16**, classifies a picture, and then looks
# inside: the filters of its first layer, what a middle layer responds to, which pixels
# its decision rests on (a *saliency map*, from `K.gradients`), and a picture that the
# network scores as a class (gradient *ascent* on the input). The script is
# `tutorials/19_inside_a_pretrained_network.py`.
#
# **About the weights.** `VGG16(weights='imagenet')` downloads the released weight file
# once (about 550 MB, into `~/.keras/models/`) and loads it; later runs read the cached file.
# The test suite and the build of this site run offline, so below the pretrained weights
# are used only when that file is already in the cache; otherwise the same network is
# built with `weights=None` (random weights) and every picture on the page shows an
# *untrained* VGG16. The code is the same either way: run it on a machine with the
# weights to see the trained network's answers.

# %%
import os
import time

import matplotlib.pyplot as plt
import numpy as np

from tinygrad_keras import backend as K
from tinygrad_keras.applications import VGG16
from tinygrad_keras.applications.imagenet_utils import decode_predictions, preprocess_input
from tinygrad_keras.autodiff import Tensor

K.set_image_dim_ordering("th")            # images are (samples, 3, rows, cols)
np.random.seed(0)
MODELS = os.path.expanduser(os.path.join("~", ".keras", "models"))
WEIGHTS_FILE = os.path.join(MODELS, "vgg16_weights_th_dim_ordering_th_kernels.h5")
weights = "imagenet" if os.path.exists(WEIGHTS_FILE) else None
start = time.perf_counter()
model = VGG16(weights=weights)
print(f"VGG16 with weights={weights!r}: {len(model.layers)} layers, "
      f"{sum(w.size for w in model.get_weights()):,} numbers, "
      f"built in {time.perf_counter() - start:.0f} s")
print("input", model.input_shape, "-> output", model.output_shape)

# %% [markdown]
# Thirteen 3x3 convolutions in five blocks, each block ending in a 2x2 max pooling, then
# three Dense layers: 138 million numbers, 102 million of them in the first Dense layer.
#
# ## Classify a picture
#
# We draw a 224x224 picture with numpy (no file, no download): a sky, a meadow, and an
# orange ball. The network was trained on photos whose channels were reordered to
# BGR and centred on the ImageNet mean pixel; `preprocess_input` does that to ours.

# %%
rows, cols = np.mgrid[0:224, 0:224]
picture = np.zeros((224, 224, 3))
picture[:] = [120, 170, 235]                                       # sky
picture[rows > 140] = [70, 150, 60]                                # meadow
ball = (rows - 120) ** 2 + (cols - 110) ** 2 < 55 ** 2
shade = 1.1 - 0.5 * np.hypot(rows - 100, cols - 90) / 80           # light from the top left
picture[ball] = np.clip(np.array([255, 140, 20]) * shade[ball, None], 0, 255)
picture = picture.astype("uint8")

x = preprocess_input(picture.transpose(2, 0, 1)[None])             # (1, 3, 224, 224)
probs = model.predict(x)
top5 = np.argsort(probs[0])[::-1][:5]
if os.path.exists(os.path.join(MODELS, "imagenet_class_index.json")):
    print("top 5:", decode_predictions(probs))
else:   # decode_predictions would download the class names (35 kB) once
    print("top 5 class numbers:", top5, "scores:", np.round(probs[0, top5], 4))
plt.imshow(picture)
plt.title(f"our picture; top class {top5[0]} ({probs[0, top5[0]]:.3f})")
plt.axis("off")
plt.show()

# %% [markdown]
# With random weights the 1000 scores are all close to $1/1000$; with the pretrained
# weights one class stands out.
#
# ## The first layer's filters
#
# `block1_conv1` holds 64 kernels of shape $3\times 3\times 3$ (filter, colour channel,
# row, column). Each is a tiny colour image: rescaled to $[0, 1]$ we can look at them.
# Trained filters are colour blobs and oriented edges; random ones are noise.

# %%
kernels = model.get_layer("block1_conv1").get_weights()[0]       # (64, 3, 3, 3)
print("block1_conv1 kernels:", kernels.shape)
fig, axes = plt.subplots(4, 16, figsize=(12, 3))
for kernel, ax in zip(kernels, axes.flat):
    rgb = kernel[::-1].transpose(1, 2, 0)                           # BGR -> RGB, channels last
    ax.imshow((rgb - rgb.min()) / (rgb.max() - rgb.min() + 1e-8))
    ax.axis("off")
fig.suptitle("the 64 filters of block1_conv1")
plt.show()

# %% [markdown]
# ## Feature maps of a middle layer
#
# `K.function([model.input], [layer.output])` runs the network from the input to any
# layer. `block3_conv3` gives 256 maps of 56x56: each says where in the picture its
# filter found its pattern. We show the first 16.

# %%
middle = K.function([model.input], [model.get_layer("block3_conv3").output])
maps = middle([x])[0][0]                                          # (256, 56, 56)
print("block3_conv3 output:", maps.shape, "fraction of zeros (ReLU):",
      round(float(np.mean(maps == 0)), 2))
fig, axes = plt.subplots(2, 8, figsize=(12, 3.2))
for fmap, ax in zip(maps, axes.flat):
    ax.imshow(fmap, cmap="viridis")
    ax.axis("off")
fig.suptitle("16 of the 256 feature maps of block3_conv3")
plt.show()

# %% [markdown]
# ## A saliency map: which pixels does the score depend on?
#
# Let $p_c(x)$ be the probability the network gives class $c$ for the image $x$. The
# gradient $\partial \log p_c / \partial x$ has one number per pixel and channel: how
# much a small change of that pixel would move the class's log-probability. Its largest
# absolute value over the three channels, per pixel, is the *saliency map*
# (Simonyan et al., 2013). We take the log because the softmax saturates: far from
# the decision its gradient is almost zero, while $\log p_c$ keeps a useful slope.
#
# Calling the model on a `Tensor` that requires a gradient records the graph;
# `K.gradients(score, [x])` differentiates through it. We only need the gradient with
# respect to the *input*, so we switch the weights' gradients off first: the backward
# pass then skips 138 million weight gradients and runs about twice as fast.

# %%
for w in model.weights:
    w.requires_grad = False
image = Tensor(x, requires_grad=True)
c = int(top5[0])
log_p = K.log(model(image)[:, c])
grad = K.gradients(log_p, [image])[0].data[0]                     # (3, 224, 224)
saliency = np.abs(grad).max(axis=0)
saliency /= saliency.max() + 1e-12
print(f"saliency of class {c}: shape {saliency.shape}, "
      f"brightest pixel at {tuple(int(i) for i in np.unravel_index(saliency.argmax(), saliency.shape))}")
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 4))
left.imshow(picture)
right.imshow(saliency, cmap="hot")
for ax, title in ((left, "picture"), (right, f"saliency of class {c}")):
    ax.set_title(title)
    ax.axis("off")
plt.show()

# %% [markdown]
# ## A class visualization: gradient ascent on the input
#
# Turn the question around: which image would the network score as class $c$? Start
# from a grey image and follow the gradient *uphill*, changing the pixels, not the
# weights:
#
# $$x \leftarrow x + \eta \, \frac{g}{\sqrt{\operatorname{mean}(g^2)} + 10^{-5}},
# \qquad g = \frac{\partial \log p_c}{\partial x}$$
#
# Dividing by the root mean square of $g$ makes every step the same size, whatever the
# scale of the gradient. Each step costs one forward and one backward pass through the
# whole network (several seconds here), so the page takes only `STEPS = 3`; with the
# pretrained weights, 20 to 50 steps show the class's textures.

# %%
STEPS, ETA = 3, 20.0
# grey plus a little noise: from exactly the mean pixel every ReLU input would be 0, where
# the gradient is 0 (relu'(0) = 0), and the ascent could not start
ascent = np.random.normal(0.0, 10.0, size=(1, 3, 224, 224)).astype("float32")
log_ps = []
for step in range(STEPS):
    image = Tensor(ascent, requires_grad=True)
    log_p = K.log(model(image)[:, c])
    log_ps.append(float(log_p.data[0]))
    g = K.gradients(log_p, [image])[0].data
    ascent += ETA * g / (np.sqrt(np.mean(g ** 2)) + 1e-5)
print(f"log p(class {c}) before each step:", np.array2string(np.array(log_ps), precision=9))

def to_picture(batch: np.ndarray) -> np.ndarray:
    """(1, 3, rows, cols) preprocessed BGR -> (rows, cols, 3) RGB uint8 for imshow."""
    bgr = batch[0] + np.array([103.939, 116.779, 123.68]).reshape(3, 1, 1)
    return np.clip(bgr[::-1].transpose(1, 2, 0), 0, 255).astype("uint8")


plt.imshow(to_picture(ascent))
plt.title(f"gradient ascent on class {c}, {STEPS} steps")
plt.axis("off")
plt.show()

# %% [markdown]
# The log-probability rises at every step: the image moves towards what the network
# calls class $c$. For the untrained network the picture stays noise; with the pretrained
# weights, textures of the class appear after 20 to 50 steps. Nothing in the loop is specific to VGG16 or to classes; the same
# few lines maximise a single filter's activation (Keras 1's
# `examples/conv_filter_visualization.py`) or a mix of layers (`deep_dream.py`).
#
# ## Exercise
#
# In `tutorials/exercises/19_inside_a_pretrained_network.py`, write
#
# 1. `deprocess_image(x, dim_ordering)`: undo `preprocess_input` for one image of a
#    batch, `x` of shape `(1, 3, rows, cols)` ('th') or `(1, rows, cols, 3)` ('tf'):
#    add the mean pixel back (BGR order: 103.939, 116.779, 123.68), turn BGR into RGB,
#    clip to 0..255 and return a `(rows, cols, 3)` `uint8` array;
# 2. `saliency_map(grad, dim_ordering)`: from a gradient of the same shape, the
#    `(rows, cols)` map of the largest absolute value over the channels, divided by its
#    maximum (all zeros stay zeros).
#
# Check it with `python -m tinygrad_keras.exercises check 19`.
