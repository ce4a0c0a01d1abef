# %% [markdown]
# # 8. Merge: two branches, every mode
#
# A `Merge` layer combines the outputs of several models into one Tensor. As the first
# layer of a `Sequential`, it turns that Sequential into a model with one input per branch:
# `fit`, `evaluate` and `predict` then take a list of arrays. The script is
# `tutorials/08_merge.py`.
#
# ## Two branches with known weights

# %%
import numpy as np

from tinygrad_keras.layers import Dense, Merge
from tinygrad_keras.models import Sequential

np.random.seed(0)

# Two branches; each maps a (None, 4) input to (None, 3).  We fix their weights so the
# merged results can be checked by hand with numpy.
def branch(scale: float) -> Sequential:
    model = Sequential([Dense(3, input_dim=4)])
    W = scale * np.arange(12, dtype="float32").reshape(4, 3) / 12
    model.set_weights([W, np.zeros(3, "float32")])
    return model


x1 = np.random.random((5, 4)).astype("float32")
x2 = np.random.random((5, 4)).astype("float32")
a = branch(1.0).predict(x1)     # what the left branch outputs, (5, 3)
b = branch(-0.5).predict(x2)    # what the right branch outputs, (5, 3)
print("branch outputs:", a.shape, b.shape)

# %% [markdown]
# ## The modes, with their shapes

# %%
def merged(mode, **kwargs) -> Sequential:
    """A Sequential whose first layer merges fresh copies of the two branches."""
    model = Sequential([Merge([branch(1.0), branch(-0.5)], mode=mode, **kwargs)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def l2_normalize(v):
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


expected = {
    "sum": a + b,                                 # same shapes in, same shape out
    "mul": a * b,
    "ave": (a + b) / 2,
    "max": np.maximum(a, b),
    "concat": np.concatenate([a, b], axis=-1),    # sizes add up on concat_axis
    "dot": (a * b).sum(axis=1, keepdims=True),    # dot_axes contracted away -> (None, 1)
    "cos": (l2_normalize(a) * l2_normalize(b)).sum(axis=1, keepdims=True),
}
for mode, want in expected.items():
    kwargs = {"dot_axes": 1} if mode in ("dot", "cos") else {}
    model = merged(mode, **kwargs)
    got = model.predict([x1, x2])                 # one input array per branch
    assert got.shape == want.shape and np.allclose(got, want, atol=1e-5), mode
    print(f"{mode:7s} (None, 3) + (None, 3) -> {model.output_shape}  ok")

# %% [markdown]
# | mode | inputs | output | shape, for two `(None, 3)` inputs |
# |---|---|---|---|
# | `sum` (default) | any number, identical shapes | elementwise sum | `(None, 3)` |
# | `mul` | any number, identical shapes | elementwise product | `(None, 3)` |
# | `ave` | any number, identical shapes | elementwise mean | `(None, 3)` |
# | `max` | any number, identical shapes | elementwise maximum | `(None, 3)` |
# | `concat` | equal except on `concat_axis` (default `-1`) | concatenation | `(None, 6)` |
# | `dot` | exactly two; equal size on `dot_axes` | sum of products over `dot_axes` (batch-wise) | `(None, 1)` |
# | `cos` | exactly two, identical shapes | cosine of the angle between the two vectors | `(None, 1)` |
# | a function | any | whatever it returns; needs `output_shape` | as declared |
#
# `concat_axis` and `dot_axes` count the batch axis as 0, so `-1` (the last axis) and `1` are
# the same for 2-D inputs. For `dot` on 3-D inputs, `dot_axes=[2, 2]` contracts the feature
# axes of `(None, S, E)` and `(None, Q, E)` into `(None, S, Q)`, the attention matrix of the
# Keras 1 memory-network example.
#
# Each mode is a few Tensor operations (`+`, `*`, `maximum`, `concatenate`, a batched
# `matmul`, `sqrt`), so the gradients to both branches come from the engine.
#
# ## Concatenating along another axis

# %%
# concat_axis counts the batch axis as 0: with 3-D branches, axis 1 stacks time steps.
from tinygrad_keras.layers import RepeatVector

seq_a = Sequential([Dense(3, input_dim=4), RepeatVector(2)])       # (None, 2, 3)
seq_b = Sequential([Dense(3, input_dim=4), RepeatVector(5)])       # (None, 5, 3)
model = Sequential([Merge([seq_a, seq_b], mode="concat", concat_axis=1)])
print("concat_axis=1: (None, 2, 3) + (None, 5, 3) ->", model.output_shape)

# %% [markdown]
# ## Your own mode

# %%
# Any function of the list of inputs; give the output shape (a tuple without the batch
# axis, or a function of the input shapes).
model = Sequential([Merge([branch(1.0), branch(-0.5)], mode=lambda t: t[0] - t[1],
                          output_shape=(3,))])
model.compile(optimizer="sgd", loss="mse")
print("lambda x: x[0] - x[1] ->", model.output_shape,
      "ok" if np.allclose(model.predict([x1, x2]), a - b, atol=1e-5) else "WRONG")

# %% [markdown]
# A function mode receives the list of branch outputs (Tensors) and returns a Tensor.
# Since nothing runs until there is data, the layer cannot guess the output shape: pass
# `output_shape`, a tuple without the batch axis or a function of the list of input shapes.
# A model with a function mode is saved with its shape but not its code: to load it, pass
# the function in `custom_objects` (the project never runs code from a file).
#
# ## Both branches learn

# %%
# Gradients flow into both branches: train the merged model and watch both change.
left, right = branch(1.0), branch(-0.5)
model = Sequential([Merge([left, right], mode="concat"), Dense(1)])
model.compile(optimizer="sgd", loss="mse")
before = [left.get_weights()[0].copy(), right.get_weights()[0].copy()]
model.fit([x1, x2], np.ones((5, 1)), nb_epoch=3, verbose=0)
changed = [not np.allclose(w0, m.get_weights()[0]) for w0, m in zip(before, (left, right))]
print("both branches were updated:", changed)

# %% [markdown]
# ## Exercise
#
# Write `l1_distance(tensors)` in `tutorials/exercises/08_merge.py`: a Merge mode that takes
# two `(None, n)` branch outputs and returns their L1 distance, `sum(|a - b|)` over the
# last axis, with shape `(None, 1)` (the distance of a Siamese network). The check builds
# `Merge([left, right], mode=l1_distance, output_shape=(1,))`, compares with numpy, and
# trains it:
#
# ```bash
# python -m tinygrad_keras.exercises check 8
# ```
#
# The reference answer is in `tutorials/solutions/08_merge.py`; read it after your own attempt passes.
