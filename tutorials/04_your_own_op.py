"""Tutorial 4: write your own differentiable op and property-test it.

Run it:  python tutorials/04_your_own_op.py   (needs hypothesis: pip install -e ".[test]")
"""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_keras import Function, Tensor, gradcheck
from tinygrad_keras.testing import strategies as tst


# --8<-- [start:softplus]
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
# --8<-- [end:softplus]

# --8<-- [start:bug]
class BadSoftplus(Softplus):
    def backward(self, grad):           # a typical slip: forgot the 1/2 inside tanh
        return grad * 0.5 * (1 + np.tanh(self.x))


try:
    gradcheck(lambda t: BadSoftplus.apply(t), x)
except AssertionError as err:
    print("gradcheck caught it:", err)
# --8<-- [end:bug]

# --8<-- [start:hypot]
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
# --8<-- [end:hypot]

# --8<-- [start:property]
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
# --8<-- [end:property]

# Exercise (see the docs page): write the LogAddExp op in tutorials/solutions/04_your_own_op.py, then check it with
#   python -m pytest tests/docs/test_exercises.py -k tutorial04
