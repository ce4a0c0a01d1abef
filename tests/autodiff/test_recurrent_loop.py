"""``LSTMLoop``, the whole LSTM time loop as one primitive: gradients by the op harness
(float64 central differences, against a numpy reference of the loop), values equal to
the readable step-by-step loop of fused cells, and the layer wired to it."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.autodiff import op_draws
from tests.autodiff.harness import check_case, covered_ops, with_options
from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.autodiff import functional as F
from tinygrad_keras.autodiff.ops.kept import Spare
from tinygrad_keras.autodiff.ops.recurrent import lstm_cell
from tinygrad_keras.autodiff.ops.recurrent_loop import LSTMLoop, _column_parts, lstm_loop


def numpy_loop(xz, U, h0, c0, gate="sigmoid", sequence=True, pre_activations=None):
    """The LSTM recurrence in plain numpy: ``(T, B, 2u)`` of ``[h_t, c_t]`` (with
    ``sequence=False`` the last ``(B, 2u)`` only)."""
    u, h, c, out = h0.shape[1], h0, c0, []
    for t in range(xz.shape[0]):
        z = xz[t] + h @ U
        if pre_activations is not None:
            pre_activations.append(z[:, :3 * u])
        s = 1 / (1 + np.exp(-z[:, :3 * u])) if gate == "sigmoid" else np.clip(z[:, :3 * u], 0, 1)
        c = s[:, u:2 * u] * c + s[:, :u] * np.tanh(z[:, 3 * u:])
        h = s[:, 2 * u:] * np.tanh(c)
        out.append(np.concatenate([h, c], axis=1))
    return np.stack(out) if sequence else out[-1]


def off_the_clip_kinks(xz, U, h0, c0, gate="sigmoid", sequence=True):
    """Central differences straddling clip's kinks at 0 and 1 would be wrong."""
    if gate != "clip":
        return True
    pre = []
    numpy_loop(xz, U, h0, c0, gate, sequence, pre)
    return all(np.all(np.abs(p) > 1e-3) and np.all(np.abs(p - 1) > 1e-3) for p in pre)


CASES = [with_options("lstm_loop", lstm_loop, numpy_loop, op_draws.lstm_loop(),
                      covers=("LSTMLoop",), valid=off_the_clip_kinks)]
TESTED_OPS = covered_ops(CASES)


@pytest.mark.parametrize("case", CASES, ids=repr)
@given(data=st.data())
def test_op(case, data):
    check_case(case, data.draw(case.draw))


def readable_loop(xz, U, h0, c0, gate):
    """The same loop as the LSTM layer's readable path: ``h . U`` then ``LSTMCell``."""
    u, h, hc, outs = h0.shape[1], h0, F.concatenate([h0, c0], axis=1), []
    for t in range(xz.shape[0]):
        hc = lstm_cell(xz[t], h @ U, hc, gate)
        h = hc[:, :u]
        outs.append(F.reshape(hc, (1,) + hc.shape))
    return F.concatenate(outs, axis=0)


def draw_inputs(seed, dtype="float64", steps=6, batch=3, units=4):
    rng = np.random.RandomState(seed)
    return [rng.uniform(-1.5, 1.5, shape).astype(dtype) for shape in
            [(steps, batch, 4 * units), (units, 4 * units), (batch, units), (batch, units)]]


@pytest.mark.parametrize("sequence", [True, False])
@pytest.mark.parametrize("gate", ["sigmoid", "clip"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_equals_the_readable_loop(gate, dtype, sequence):
    """Forward values identical (same arithmetic in the same order); every gradient
    equal to rounding (the U gradient is summed in another order).  With
    ``sequence=False`` the loop's result is the readable loop's last step."""
    arrays = draw_inputs(0, dtype)
    weights = np.random.RandomState(1).standard_normal((6, 3, 8)).astype(dtype)
    if not sequence:
        weights = weights[-1]
    results = []
    for fn in (lstm_loop, readable_loop):
        ts = [Tensor(a, requires_grad=True) for a in arrays]
        out = fn(*ts, gate=gate) if fn is readable_loop else fn(*ts, gate=gate,
                                                                  sequence=sequence)
        if not sequence and fn is readable_loop:
            out = out[-1]
        (out * Tensor(weights)).sum().backward()
        results.append((out, [t.grad for t in ts]))
    (fast, fast_grads), (slow, slow_grads) = results
    assert fast.dtype == np.dtype(dtype) and np.array_equal(fast.data, slow.data)
    tol = 1e-12 if dtype == "float64" else 1e-5
    for name, a, b in zip(["xz", "U", "h0", "c0"], fast_grads, slow_grads):
        assert a.dtype == np.dtype(dtype), name
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=name)


@pytest.mark.parametrize("batch", [32, 128])
@pytest.mark.parametrize("gate", ["sigmoid", "clip"])
def test_equals_the_readable_loop_at_the_benchmarks_size(gate, batch):
    """With 32 rows and u = 128 (the benchmark) the loop computes each step's products
    by blocks of columns (``_column_parts``), with 128 rows whole: either way the
    forward values must be the readable loop's bits, and the gradients agree to
    rounding."""
    arrays = draw_inputs(3, "float32", steps=3, batch=batch, units=128)
    arrays[1] *= 0.1  # keep the gates off their flat parts
    cut = _column_parts(arrays[1], list(np.empty((4, batch, 128), "float32")), batch, 64)
    assert (cut is not None) == (batch == 32)
    weights = np.random.RandomState(4).standard_normal((3, batch, 256)).astype("float32")
    results = []
    for fn in (lstm_loop, readable_loop):
        ts = [Tensor(a, requires_grad=True) for a in arrays]
        out = fn(*ts, gate=gate)
        (out * Tensor(weights)).sum().backward()
        results.append((out.data, [t.grad for t in ts]))
    (fast, fast_grads), (slow, slow_grads) = results
    assert np.array_equal(fast, slow)
    for name, a, b in zip(["xz", "U", "h0", "c0"], fast_grads, slow_grads):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5, err_msg=name)


def test_declared_first_order_only_and_bad_gate_named():
    assert LSTMLoop.first_order_only is True
    with pytest.raises(ValueError, match="LSTMLoop: gate must be"):
        lstm_loop(*[Tensor(a) for a in draw_inputs(0)], gate="relu")


def gradients_of(arrays, gate, weights, repeat=1):
    ts = [Tensor(a, requires_grad=True) for a in arrays]
    out = lstm_loop(*ts, gate=gate)
    for _ in range(repeat):
        (out * Tensor(weights)).sum().backward(retain_graph=True)
    return out.data.copy(), [t.grad for t in ts]


@pytest.mark.parametrize("gate", ["sigmoid", "clip"])
def test_reused_buffers_never_shared_by_live_loops(gate):
    """The loop's scratch arrays go back to a spare pool only when its op is freed: two
    loops alive at once, a second backward through a kept graph, and loops run after
    them all give the numbers of a loop run alone."""
    first, second = draw_inputs(0, "float32"), draw_inputs(5, "float32")
    weights = np.random.RandomState(2).standard_normal((6, 3, 8)).astype("float32")
    alone = [gradients_of(a, gate, weights) for a in (first, second)]
    ts = [[Tensor(a, requires_grad=True) for a in arrays] for arrays in (first, second)]
    outs = [lstm_loop(*t, gate=gate) for t in ts]  # both alive before either backward
    for out, t, (value, grads) in zip(outs[::-1], ts[::-1], alone[::-1]):
        (out * Tensor(weights)).sum().backward()
        np.testing.assert_array_equal(out.data, value)
        for got, want in zip([x.grad for x in t], grads):
            np.testing.assert_array_equal(got, want)
    value, twice = gradients_of(first, gate, weights, repeat=2)
    for got, want in zip(twice, alone[0][1]):
        np.testing.assert_allclose(got, 2 * want, rtol=1e-6, atol=1e-6)


def test_a_lent_array_is_lent_again_only_when_no_view_of_it_is_left():
    spare = Spare()
    first = spare.lend((3, 2), np.float32)
    part = first[1:]  # a view of a view: still the same array underneath
    del first
    second = spare.lend((3, 2), np.float32)
    assert not np.shares_memory(second, part)
    kept_id = id(part.base)  # (an id: a reference would keep it in use)
    del part, second
    again = spare.lend((3, 2), np.float32)
    assert id(again.base) == kept_id
