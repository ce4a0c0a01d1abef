# %% [markdown]
# # 4. Your own op, property-tested
#
# Every primitive in tinygrad_keras is a small class with two methods on plain numpy
# arrays: `forward` computes the result (and keeps what the backward pass needs), and
# `backward` turns the gradient of the result into one gradient per input. Everything
# else (`sigmoid`, losses, layers) is composed from primitives and has no backward code
# of its own. The script is `tutorials/04_your_own_op.py`.
#
# ## A one-input op

# %%
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_keras import Function, Tensor, gradcheck
from tinygrad_keras.testing import strategies as tst


class Softplus(Function):
    """softplus(x) = log(1 + exp(x)), elementwise.

    Forward uses np.logaddexp(0, x), which never overflows; the derivative is
    sigmoid(x), written with tanh so that it never overflows either.
    """

    def forward(self, x):
        self.x = x                      # keep what backward needs
        return np.logaddexp(0, x)

    def backward(self, grad):           # grad = d loss / d output
        return grad * 0.5 * (1 + np.tanh(self.x / 2))


x = Tensor(np.array([-2.0, 0.0, 3.0]), requires_grad=True)
y = Softplus.apply(x)
print("softplus:", y.data, "| op recorded as", y.op)
print("gradcheck:", gradcheck(lambda t: Softplus.apply(t), x))

# %% [markdown]
# `Softplus.apply(x)` runs `forward` on `x.data` and, when `x` requires a gradient,
# records the op (its name is the class name) so that `backward()` can find it.
#
# `gradcheck(fn, *inputs)` copies the inputs to float64, computes the gradient with your
# `backward`, and compares it element by element with central differences of `fn`. It
# returns `True` or raises an `AssertionError` naming the input and the worst element.
#
# ## It catches mistakes

# %%
class BadSoftplus(Softplus):
    def backward(self, grad):           # a typical slip: forgot the 1/2 inside tanh
        return grad * 0.5 * (1 + np.tanh(self.x))


try:
    gradcheck(lambda t: BadSoftplus.apply(t), x)
except AssertionError as err:
    print("gradcheck caught it:", err)

# %% [markdown]
# Near zero the wrong formula happens to be close (both are 1/2 at 0), which is why
# checks run on more than one point, and why the next step draws points at random.
#
# ## Two inputs and broadcasting

# %%
class Hypot(Function):
    """sqrt(a^2 + b^2) for broadcastable a and b (keep away from a = b = 0)."""

    def forward(self, a, b):
        self.a, self.b = a, b
        self.out = np.hypot(a, b)
        return self.out

    def backward(self, grad):
        # Gradients in the broadcast shape of the output: the engine sums them
        # back to each input's shape (tutorial 3).
        return grad * self.a / self.out, grad * self.b / self.out


a = Tensor(np.array([[3.0], [5.0]]), requires_grad=True)        # (2, 1)
b = Tensor(np.array([4.0, 12.0, 0.5]), requires_grad=True)      # (3,)
print("hypot:\n", Hypot.apply(a, b).data)
print("gradcheck:", gradcheck(lambda p, q: Hypot.apply(p, q), a, b))

# %% [markdown]
# `backward` returns its gradients in the broadcast shape `(2, 3)`; the engine sums them
# back to `(2, 1)` and `(3,)`. An op never has to think about broadcasting.
#
# ## Property testing with hypothesis
#
# One hand-picked example proves little. [hypothesis](https://hypothesis.readthedocs.io/)
# draws many: shapes that broadcast together (with missing and size-1 axes), and values
# inside the op's *domain*, where it is smooth and finite differences mean something.
# `tinygrad_keras.testing.strategies` has the strategies the project's own tests use:

# %%
@settings(max_examples=30, deadline=None)
@given(st.data())
def test_hypot(data):
    shape_a, shape_b = data.draw(tst.broadcastable_shapes(num_shapes=2))
    a = data.draw(tst.tensors(shape_a, domain="nonzero"))
    b = data.draw(tst.tensors(shape_b, domain="nonzero"))
    out = Hypot.apply(a, b)
    np.testing.assert_allclose(out.data, np.sqrt(a.data**2 + b.data**2))   # forward
    assert gradcheck(lambda p, q: Hypot.apply(p, q), a, b)                   # backward


test_hypot()  # hypothesis runs the body on 30 drawn shape pairs and values
print("property test passed: forward matches numpy, backward matches finite differences")

# %% [markdown]
# | strategy | draws |
# |---|---|
# | `shapes()` | array shapes, size-1 axes included |
# | `broadcastable_shapes(n)` | `n` shapes that broadcast together |
# | `arrays(shape, domain)`, `tensors(shape, domain)` | float64 values in `"real"`, `"positive"`, `"nonzero"` or `"unit"` |
# | `away_from(x, points)`, `well_separated(x)` | predicates for `hypothesis.assume`, to stay off kinks and ties |
#
# In a test file you would leave out the final call: pytest finds `test_hypot` and
# hypothesis runs it. For large inputs, `gradcheck_directional` checks a few random
# directions instead of every element.
#
# ## Exercise
#
# Write `LogAddExp`, `log(exp(a) + exp(b))` for broadcastable `a` and `b`, as a `Function`
# in `tutorials/exercises/04_your_own_op.py`. It must stay finite for inputs of
# ±1e4 in float32 (hint: the derivatives are two softmax weights). The check compares the
# forward with numpy, the backward with gradcheck on several broadcasting shapes, and the
# large inputs:
#
# ```bash
# python -m tinygrad_keras.exercises check 4
# ```
#
# The reference answer is in `tutorials/solutions/04_your_own_op.py`; read it after your own attempt passes.
