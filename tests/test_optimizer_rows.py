"""Sparse Embedding updates: plain SGD updates only the looked-up rows, with exactly the
numbers of the dense rule (parameters and moments); every other rule, and clipping, runs
the dense rule on the dense gradient."""
import numpy as np
import pytest

from tinygrad_keras import backend as K
from tinygrad_keras import optimizers
from tinygrad_keras.autodiff import Tensor
from tinygrad_keras.autodiff.row_grad import row_grad_of
from tinygrad_keras.layers import Dense, Embedding, Flatten
from tinygrad_keras.models import Sequential

RNG = np.random.RandomState(0)
TABLE0 = RNG.randn(30, 4).astype(np.float32)
BATCHES = [RNG.randint(0, 30, (5, 6)) for _ in range(4)]
WEIGHTS = [RNG.randn(5, 6, 4).astype(np.float32) for _ in range(4)]


def train(opt, dense: bool, state_after=None, read=None):
    """Steps of ``opt`` on a lookup; ``dense`` reads ``.grad`` first (the dense rule);
    ``state_after = (k, weights)``: ``opt.set_weights(weights)`` after step ``k``;
    ``read(opt, step)`` runs after each update (reads, sets, switches)."""
    table = Tensor(TABLE0.copy(), requires_grad=True, name="embedding_1_W")
    used_rows = []
    for step, (idx, w) in enumerate(zip(BATCHES, WEIGHTS)):
        if state_after is not None and step == state_after[0]:
            opt.set_weights(state_after[1])
        table.zero_grad()
        (table[idx] * Tensor(w)).sum().backward()
        if dense is True or (dense is not False and dense[step]):
            assert isinstance(table.grad, np.ndarray)
        used_rows.append(row_grad_of(table) is not None)
        opt.update([table])
        used_rows[-1] = used_rows[-1] and row_grad_of(table) is not None  # never made dense
        if read is not None:
            read(opt, step)
    return table.data, [s.data.copy() for s in opt.weights], used_rows


@pytest.mark.parametrize("hyper", [{}, {"lr": 0.3, "decay": 0.1}, {"nesterov": True}])
def test_plain_sgd_rows_equal_the_dense_rule_bit_for_bit(hyper):
    fast, fast_state, used = train(optimizers.SGD(**hyper), dense=False)
    slow, slow_state, _ = train(optimizers.SGD(**hyper), dense=True)
    assert all(used)
    np.testing.assert_array_equal(fast, slow)
    for a, b in zip(fast_state, slow_state):  # iterations, moments (-lr g; -lr 0 elsewhere)
        np.testing.assert_array_equal(a, b)
        assert np.array_equal(np.signbit(a), np.signbit(b))
    untouched = np.setdiff1d(np.arange(30), np.concatenate([b.ravel() for b in BATCHES]))
    np.testing.assert_array_equal(fast[untouched], TABLE0[untouched])


def test_row_and_dense_steps_mixed():
    """A step whose gradient someone read (dense rule) between row steps: the same bits."""
    fast, fast_state, used = train(optimizers.SGD(), dense=[False, True, False, False])
    slow, slow_state, _ = train(optimizers.SGD(), dense=True)
    assert used == [True, False, True, True]
    for a, b in zip([fast] + fast_state, [slow] + slow_state):
        np.testing.assert_array_equal(a, b)


def test_moments_set_between_steps_are_replaced_as_by_the_dense_rule():
    """set_weights puts new moments (nonzero on rows the next batch does not look up):
    the next row update writes the whole moment, as the dense rule does."""
    state = [np.float32(0.0), np.random.RandomState(3).randn(30, 4).astype(np.float32)]
    fast, fast_state, used = train(optimizers.SGD(), dense=False, state_after=(2, state))
    slow, slow_state, _ = train(optimizers.SGD(), dense=True, state_after=(2, state))
    assert all(used)
    for a, b in zip([fast] + fast_state, [slow] + slow_state):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("opt", [lambda: optimizers.SGD(momentum=0.9), optimizers.Adam,
                                 optimizers.RMSprop, lambda: optimizers.SGD(clipnorm=0.5),
                                 lambda: optimizers.SGD(clipvalue=0.01)])
def test_other_rules_take_the_dense_path(opt):
    """Momentum and moment estimates move rows whose gradient is zero: the rows are not
    used (the dense gradient is), and the result is the dense rule's."""
    fast, fast_state, used = train(opt(), dense=False)
    slow, slow_state, _ = train(opt(), dense=True)
    assert not any(used)
    np.testing.assert_array_equal(fast, slow)
    for a, b in zip(fast_state, slow_state):
        np.testing.assert_array_equal(a, b)


def test_momentum_switched_on_later_takes_the_dense_path():
    opt = optimizers.SGD()
    train(opt, dense=False)
    opt.momentum.data = np.asarray(0.5, opt.momentum.dtype)
    assert not opt.rows_update_exact()


def model_weights_after_training(monkeypatch, rows: bool):
    if not rows:
        monkeypatch.setattr(optimizers.SGD, "rows_update_exact", lambda self: False)
    np.random.seed(1)
    model = Sequential([Embedding(30, 4, input_length=6), Flatten(), Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.SGD(lr=0.5), loss="binary_crossentropy")
    for idx in BATCHES:
        model.train_on_batch(idx, (idx[:, :1] > 15).astype(np.float32))
        assert (row_grad_of(model.layers[0].W) is not None) == rows  # rows used, never dense
    monkeypatch.undo()
    return model.get_weights() + model.optimizer.get_weights()


def test_a_keras_model_trains_to_the_same_weights(monkeypatch):
    fast = model_weights_after_training(monkeypatch, rows=True)
    slow = model_weights_after_training(monkeypatch, rows=False)
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow):
        np.testing.assert_array_equal(a, b)


def equal_bits(fast, slow):
    for a, b in zip(fast, slow):
        np.testing.assert_array_equal(a, b)
        assert np.array_equal(np.signbit(a), np.signbit(b))


@pytest.mark.parametrize("read", [
    lambda opt, step: opt.get_weights(),                                 # a checkpoint
    lambda opt, step: step == 1 and K.set_value(opt.weights[1], np.ones((30, 4))),
    lambda opt, step: step == 1 and opt.set_weights([np.float32(0), np.full((30, 4), 2.0)]),
    lambda opt, step: step == 1 and opt.weights[1].data.__setitem__(0, 7.0),  # written through
    lambda opt, step: step == 2 and K.set_value(opt.momentum, 0.5),    # the dense rule reads m
])
def test_the_moment_a_row_step_holds_is_the_dense_rules_whenever_read(read):
    """A row step keeps its moment unwritten until ``.data`` is read; whatever reads or
    writes it between steps, every value is the dense rule's, to the bit."""
    fast, fast_state, used = train(optimizers.SGD(lr=0.1), dense=False, read=read)
    slow, slow_state, _ = train(optimizers.SGD(lr=0.1), dense=True, read=read)
    assert used[0]
    equal_bits([fast] + fast_state, [slow] + slow_state)


def test_a_row_step_does_not_write_the_moment_until_it_is_read():
    opt = optimizers.SGD(lr=0.1)
    train(opt, dense=False)
    moment = opt.slots["moments"][0]
    stored = Tensor.data.__get__(moment)  # the array behind .data, read without writing
    before = stored.copy()
    table = Tensor(TABLE0.copy(), requires_grad=True)
    (table[BATCHES[0]] * Tensor(WEIGHTS[0])).sum().backward()
    opt.update([table])
    assert moment.shape == (30, 4) and moment.dtype == np.float32  # (no write either)
    np.testing.assert_array_equal(stored, before)
    written = moment.data
    assert written is stored and not np.array_equal(written, before)


def test_a_saved_and_loaded_model_carries_the_dense_rules_moment(tmp_path, monkeypatch):
    """save_model after row steps writes the moment the dense rule would have (it is read
    for the file), and the loaded model trains on to the same weights."""
    from tinygrad_keras.models import load_model

    def run(rows: bool):
        if not rows:
            monkeypatch.setattr(optimizers.SGD, "rows_update_exact", lambda self: False)
        np.random.seed(2)
        model = Sequential([Embedding(30, 4, input_length=6), Flatten(),
                            Dense(1, activation="sigmoid")])
        model.compile(optimizer=optimizers.SGD(lr=0.5), loss="binary_crossentropy")
        for idx in BATCHES[:2]:
            model.train_on_batch(idx, (idx[:, :1] > 15).astype(np.float32))
        path = str(tmp_path / f"rows_{rows}.h5")
        model.save(path)
        monkeypatch.undo()
        loaded = load_model(path)
        state = loaded.optimizer.get_weights()
        for idx in BATCHES[2:]:
            loaded.train_on_batch(idx, (idx[:, :1] > 15).astype(np.float32))
        return state, loaded.get_weights() + loaded.optimizer.get_weights()

    (fast_state, fast), (slow_state, slow) = run(rows=True), run(rows=False)
    equal_bits(fast_state, slow_state)
    table_moment = [m for m in fast_state if np.shape(m) == (30, 4)]
    assert len(table_moment) == 1 and table_moment[0].any()  # saved, and not zeros
    equal_bits(fast, slow)
