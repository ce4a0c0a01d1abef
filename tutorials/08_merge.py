"""Tutorial 8: Merge, two branches, every mode with its shapes.

Run it:  python tutorials/08_merge.py
"""
import numpy as np

from tinygrad_keras.layers import Dense, Merge
from tinygrad_keras.models import Sequential

np.random.seed(0)

# --8<-- [start:branches]
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
# --8<-- [end:branches]

# --8<-- [start:modes]
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
# --8<-- [end:modes]

# --8<-- [start:concat_axis]
# concat_axis counts the batch axis as 0: with 3-D branches, axis 1 stacks time steps.
from tinygrad_keras.layers import RepeatVector

seq_a = Sequential([Dense(3, input_dim=4), RepeatVector(2)])       # (None, 2, 3)
seq_b = Sequential([Dense(3, input_dim=4), RepeatVector(5)])       # (None, 5, 3)
model = Sequential([Merge([seq_a, seq_b], mode="concat", concat_axis=1)])
print("concat_axis=1: (None, 2, 3) + (None, 5, 3) ->", model.output_shape)
# --8<-- [end:concat_axis]

# --8<-- [start:callable]
# Any function of the list of inputs; give the output shape (a tuple without the batch
# axis, or a function of the input shapes).
model = Sequential([Merge([branch(1.0), branch(-0.5)], mode=lambda t: t[0] - t[1],
                          output_shape=(3,))])
model.compile(optimizer="sgd", loss="mse")
print("lambda x: x[0] - x[1] ->", model.output_shape,
      "ok" if np.allclose(model.predict([x1, x2]), a - b, atol=1e-5) else "WRONG")
# --8<-- [end:callable]

# --8<-- [start:train]
# Gradients flow into both branches: train the merged model and watch both change.
left, right = branch(1.0), branch(-0.5)
model = Sequential([Merge([left, right], mode="concat"), Dense(1)])
model.compile(optimizer="sgd", loss="mse")
before = [left.get_weights()[0].copy(), right.get_weights()[0].copy()]
model.fit([x1, x2], np.ones((5, 1)), nb_epoch=3, verbose=0)
changed = [not np.allclose(w0, m.get_weights()[0]) for w0, m in zip(before, (left, right))]
print("both branches were updated:", changed)
# --8<-- [end:train]

# Exercise (see the docs page): write the l1_distance Merge mode in tutorials/solutions/08_merge.py, then check it with
#   python -m pytest tests/docs/test_exercises.py -k tutorial08
