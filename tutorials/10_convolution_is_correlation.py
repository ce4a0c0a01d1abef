# %% [markdown]
# # 10. Convolution is correlation
#
# A convolution layer slides a small kernel over the image and takes a dot product at
# every position. Strictly, that is *cross-correlation*; signal processing's convolution
# flips the kernel first. Since the kernel is learned, the flip makes no difference, and
# frameworks (Keras 1 included) skip it. This page writes the forward pass as a loop,
# derives the backward pass as two more correlations, and checks everything against the
# primitive `Correlate2D` (called through `F.conv2d`). The script is
# `tutorials/10_convolution_is_correlation.py`.
#
# ## The forward pass: a dot product per window
#
# Layout is channels first: input `(B, C, H, W)`, kernel `(F, C, kh, kw)`, output
# `(B, F, OH, OW)`. Each output cell is one window of the input times the kernel, summed
# over channels and the window:

# %%
import numpy as np

from tinygrad_keras import Tensor, gradcheck
from tinygrad_keras.autodiff import functional as F
from tinygrad_keras.autodiff.ops.conv import Correlate2D


def correlate_loop(x: np.ndarray, w: np.ndarray, stride: int = 1) -> np.ndarray:
    """'valid' cross-correlation by sliding windows.

    x (B, C, H, W), w (F, C, kh, kw) -> (B, F, OH, OW), OH = (H - kh) // stride + 1.
    """
    B, _, H, W = x.shape
    nf, _, kh, kw = w.shape
    oh, ow = (H - kh) // stride + 1, (W - kw) // stride + 1
    out = np.zeros((B, nf, oh, ow), dtype=x.dtype)
    for i in range(oh):
        for j in range(ow):
            window = x[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            # one dot product per (sample, filter): sum over channels and the window
            out[:, :, i, j] = np.einsum("bcuv,fcuv->bf", window, w)
    return out


rng = np.random.default_rng(0)
x = rng.normal(size=(2, 3, 6, 7))          # 2 images, 3 channels, 6x7 pixels
w = rng.normal(size=(4, 3, 3, 2))          # 4 filters of 3x2 over 3 channels
by_loop = correlate_loop(x, w)
by_primitive = F.conv2d(Tensor(x), Tensor(w)).data             # pads, then calls the primitive
assert np.array_equal(by_primitive, Correlate2D.apply(Tensor(x), Tensor(w)).data)
print("output shape:", by_primitive.shape, " loop == primitive:",
      np.allclose(by_loop, by_primitive))

# %% [markdown]
# The primitive computes the same numbers another way (every window copied once into a
# patch matrix, then one matrix product: "im2col"), which is what makes training fast
# enough. At stride 1 it goes one step further and never builds a patch matrix at all:
# with the image stored pixel by pixel, each kernel tap reads a fixed shift of the rows,
# so one output row is the sum of one matrix product per tap, each straight out of the
# image ("shifted", `tinygrad_keras/autodiff/ops/conv_shifted.py`).
#
# ## Correlation and convolution differ by a flip

# %%
# Convolution in the signal-processing sense flips the kernel before sliding it.
# A learned kernel has no preferred orientation, so frameworks skip the flip:
# correlating with w is convolving with w flipped in both spatial axes.
def convolve_loop(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """True convolution: out[i, j] = sum x[i + kh-1 - u, j + kw-1 - v] * w[u, v]."""
    return correlate_loop(x, w[:, :, ::-1, ::-1])


print("correlation with w == convolution with flipped w:",
      np.allclose(correlate_loop(x, w), convolve_loop(x, w[:, :, ::-1, ::-1])))

# %% [markdown]
# ## The backward pass: correlate with the flipped kernel
#
# Output cell `(i, j)` read the window starting at `(i, j)`, so its upstream gradient
# `g[i, j]` flows back to that window, weighted by the kernel. Collected per input pixel
# `(p, q)`, the sum runs over the cells whose window covered it, with kernel index
# `(p - i, q - j)`: as `i` grows the kernel index shrinks. That is a correlation of `g`
# with the **flipped** kernel, over every partial overlap (a *full* correlation: `g`
# padded by `k - 1` on each side), with the filter and channel axes swapped (gradient
# channels are filters, the result's are input channels).
#
# The kernel's gradient: weight `w[f, c, u, v]` met pixel `x[c, i + u, j + v]` at every
# output cell, so `dw[f, c, u, v] = sum over b, i, j of g[b, f, i, j] x[b, c, i + u, j + v]`:
# a correlation of `x` with `g` as the kernel, the batch axis summed like channels.

# %%
# Backward, by the engine: a random upstream gradient g, then read x.grad and w.grad.
xt, wt = Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)
out = F.conv2d(xt, wt)
g = rng.normal(size=out.shape)
out.backward(g)

# d x: every output cell (i, j) sent g[i, j] * w back to the window it read.
# Gathered per input pixel, that is a *full* correlation of g (padded by k - 1 on
# each side) with the kernel flipped in both spatial axes and its F, C axes swapped.
kh, kw = w.shape[2:]
g_full = np.pad(g, ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
dx = correlate_loop(g_full, w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))

# d w: each kernel weight met one pixel per output cell: correlate x with g as
# the kernel, batch axis playing the role of channels.
dw = correlate_loop(x.transpose(1, 0, 2, 3), g.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)

print("d x by flipped-kernel correlation == engine:", np.allclose(dx, xt.grad))
print("d w by correlation with g           == engine:", np.allclose(dw, wt.grad))

# %% [markdown]
# ## Checked numerically
#
# `gradcheck` compares the primitive's backward with central differences in float64, for a
# random upstream gradient, with stride and padding:

# %%
# The primitive's backward against central differences, with stride and padding.
# gradcheck works in float64 and uses a random upstream gradient.
small_x = Tensor(rng.normal(size=(1, 2, 5, 5)), requires_grad=True)
small_w = Tensor(rng.normal(size=(3, 2, 3, 3)), requires_grad=True)
for stride, padding in [(1, "valid"), (2, "valid"), (1, "same"), (2, "same"), (1, "full")]:
    ok = gradcheck(lambda a, b, s=stride, p=padding: F.conv2d(a, b, stride=s, padding=p),
                   small_x, small_w)
    print(f"gradcheck stride={stride} padding={padding!r:8s}: {ok}")

# %% [markdown]
# ## Stride and padding shapes
#
# `border_mode` (Keras 1's name for padding) decides the output size. With input length
# `n`, kernel `k`, stride `s`:
#
# | mode | padding | output length |
# |---|---|---|
# | `'valid'` | none | `(n - k) // s + 1` |
# | `'same'` | `k - 1` in total, the extra cell after (TensorFlow's rule) | `ceil(n / s)` |
# | `'full'` | `k - 1` on each side | `(n + k - 2) // s + 1` |

# %%
# Output sizes.  A 'valid' window must fit inside; 'same' pads so that
# out = ceil(n / stride); 'full' pads k - 1 on each side (every partial overlap).
def out_size(n: int, k: int, stride: int, mode: str) -> int:
    pad = {"valid": 0, "full": 2 * (k - 1)}.get(mode)
    if pad is None:                       # 'same'
        return -(-n // stride)
    return (n + pad - k) // stride + 1    # windows that fit in the padded input

print(f"\n{'n':>3} {'k':>2} {'stride':>6} {'mode':>6} {'formula':>8} {'conv2d':>7}")
for n, k, stride, mode in [(8, 3, 1, "valid"), (8, 3, 1, "same"), (8, 3, 1, "full"),
                           (8, 3, 2, "valid"), (8, 3, 2, "same"), (7, 2, 3, "valid"),
                           (7, 2, 3, "same")]:
    got = F.conv2d(Tensor(np.zeros((1, 1, n, n))), Tensor(np.zeros((1, 1, k, k))),
                   stride=stride, padding=mode).shape[2]
    print(f"{n:3d} {k:2d} {stride:6d} {mode:>6} {out_size(n, k, stride, mode):8d} {got:7d}")

# %% [markdown]
# ## Exercise
#
# The backward above is for stride 1. With stride `s`, output cell `(i, j)` read the window
# starting at `(s i, s j)`. Write `input_grad_strided(g, w, stride, input_hw)` in
# `tutorials/exercises/10_convolution_is_correlation.py`: the gradient of a 'valid',
# strided correlation with respect to its input, in numpy, by the flipped-kernel rule.
# Hint: put `s - 1` zeros between the entries of `g` (so that each one sits where its
# window starts), pad for a full correlation, correlate with the flipped, axis-swapped
# kernel; pixels past the last window get no gradient. The check compares with the engine
# for several strides and shapes:
#
# ```bash
# python -m tinygrad_keras.exercises check 10
# ```
#
# The reference answer is in `tutorials/solutions/10_convolution_is_correlation.py`; read it after your own attempt passes.
