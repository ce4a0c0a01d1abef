"""``K.gradients`` is differentiable, eagerly and inside a Keras 1 loss (a gradient penalty)."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_keras.backend as K
from tinygrad_keras import Tensor
from tinygrad_keras.layers import Dense, Input
from tinygrad_keras.models import Model
from tinygrad_keras.optimizers import SGD

PENALTY = 10.0


def test_gradients_of_gradients_eagerly():
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    g = K.gradients(K.sum(x * x * x), [x])[0]
    assert g.tolist() == [3.0, 12.0]
    assert K.gradients(K.sum(g), [x])[0].tolist() == [6.0, -12.0]  # 6x, not zeros


def _penalised_model(seed: int = 0):
    rng = np.random.default_rng(seed)
    inp = Input(shape=(3,))
    hidden = Dense(4, activation="tanh")
    out = Dense(1)
    model = Model(inp, out(hidden(inp)))
    weights = [rng.standard_normal(w.shape).astype("float32") * 0.7 for w in model.get_weights()]
    model.set_weights(weights)

    def wgan_gp_loss(y_true, y_pred):
        grads = K.gradients(K.sum(y_pred), [inp])[0]      # closes over the model's Input
        norm = K.sqrt(K.sum(K.square(grads), axis=1))
        return K.mean(K.square(y_pred - y_true), axis=-1) + PENALTY * K.square(norm - 1.0)

    model.compile(SGD(lr=0.05), wgan_gp_loss)
    return model, weights


def _torch_step(weights, x, y, lr):
    torch = pytest.importorskip("torch")
    w1, b1, w2, b2 = [torch.tensor(w.astype(np.float64), requires_grad=True) for w in weights]
    xt = torch.tensor(x.astype(np.float64), requires_grad=True)
    pred = torch.tanh(xt @ w1 + b1) @ w2 + b2
    g, = torch.autograd.grad(pred.sum(), xt, create_graph=True)
    norm = g.square().sum(1).sqrt()
    loss = ((pred - torch.tensor(y, dtype=torch.float64)) ** 2).mean(-1) + PENALTY * (norm - 1) ** 2
    loss = loss.mean()
    loss.backward()
    return loss.item(), [(p - lr * p.grad).detach().numpy() for p in (w1, b1, w2, b2)]


def test_gradient_penalty_one_step_update_equals_pytorch():
    model, weights = _penalised_model()
    rng = np.random.default_rng(1)
    x = rng.standard_normal((8, 3)).astype("float32")
    y = rng.standard_normal((8, 1)).astype("float32")
    loss = model.train_on_batch(x, y)
    torch_loss, torch_weights = _torch_step(weights, x, y, lr=0.05)
    assert loss == pytest.approx(torch_loss, rel=1e-5)
    for ours, theirs in zip(model.get_weights(), torch_weights):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)


def test_the_penalty_reaches_the_weights():
    """Without differentiable gradients the penalty would not change the update."""
    model, weights = _penalised_model()
    x = np.random.default_rng(2).standard_normal((8, 3)).astype("float32")
    y = np.zeros((8, 1), dtype="float32")
    model.train_on_batch(x, y)
    penalised = [w.copy() for w in model.get_weights()]
    plain = Model(model.inputs, model.outputs)  # the same layers, trained without penalty
    plain.compile(SGD(lr=0.05), "mse")
    plain.set_weights(weights)
    plain.train_on_batch(x, y)
    assert not np.allclose(penalised[0], plain.get_weights()[0])


def test_fit_evaluate_and_predict_with_a_gradient_penalty():
    model, _ = _penalised_model()
    rng = np.random.default_rng(3)
    x = rng.standard_normal((64, 3)).astype("float32")
    y = np.tanh(x[:, :1]).astype("float32")
    before = model.evaluate(x, y, verbose=0)  # evaluate first: records the graph it needs
    model.fit(x, y, nb_epoch=5, batch_size=16, verbose=0)
    after = model.evaluate(x, y, verbose=0)
    assert np.isfinite(after) and after < before
    assert model.predict(x).shape == (64, 1)


def test_a_metric_may_use_gradients_too():
    inp = Input(shape=(2,))
    model = Model(inp, Dense(1)(inp))

    def gradient_norm(y_true, y_pred):
        return K.sqrt(K.sum(K.square(K.gradients(K.sum(y_pred), [inp])[0]), axis=1))

    model.compile(SGD(lr=0.01), "mse", metrics=[gradient_norm])
    x, y = np.ones((4, 2), dtype="float32"), np.zeros((4, 1), dtype="float32")
    _, norm = model.evaluate(x, y, verbose=0)
    w = model.get_weights()[0]
    assert norm == pytest.approx(float(np.linalg.norm(w)), rel=1e-5)


def test_gradients_of_a_loss_that_does_not_use_the_input_is_a_clear_error():
    inp = Input(shape=(2,))
    model = Model(inp, Dense(1)(inp))

    def odd_loss(y_true, y_pred):
        return K.mean(K.square(y_pred - y_true), axis=-1) + K.sum(K.gradients(K.sum(y_true),
                                                                              [inp])[0])

    model.compile(SGD(lr=0.01), odd_loss)
    with pytest.raises(Exception, match="K.gradients inside a loss or metric"):
        model.train_on_batch(np.ones((4, 2), "float32"), np.zeros((4, 1), "float32"))


def _gradient_layer_model():
    """Dense, then a Lambda whose output is K.gradients of sum(x^2): 2x, the Dense output
    doubled (Keras 1 computed it symbolically in predict as well)."""
    from tinygrad_keras.layers import Lambda
    from tinygrad_keras.models import Sequential
    np.random.seed(0)
    model = Sequential([Dense(3, input_dim=4),
                        Lambda(lambda x: K.gradients(K.sum(x * x), [x])[0], output_shape=(3,))])
    model.compile(SGD(lr=0.01), "mse")
    x = np.random.default_rng(1).random((5, 4), dtype=np.float32)
    w, b = model.layers[0].get_weights()
    return model, x, 2 * (x @ w + b)


def test_gradients_taken_by_a_layer_in_predict_are_the_real_ones_not_zeros():
    model, x, want = _gradient_layer_model()
    for _ in range(2):  # the first batch finds out, the next ones run that way
        np.testing.assert_allclose(model.predict(x, batch_size=2), want, rtol=1e-5)
    np.testing.assert_allclose(model.predict_on_batch(x), want, rtol=1e-5)


def test_gradients_taken_by_a_layer_in_k_function_and_evaluate_are_the_real_ones():
    model, x, want = _gradient_layer_model()
    got = K.function([model.input], [model.output])([x])[0]
    np.testing.assert_allclose(got, want, rtol=1e-5)
    loss = model.evaluate(x, np.zeros_like(want), verbose=0)
    np.testing.assert_allclose(loss, np.mean(want ** 2), rtol=1e-5)


def test_gradients_of_a_loss_computed_without_recording_is_a_clear_error():
    from tinygrad_keras.autodiff import no_grad
    from tinygrad_keras.engine.bound_values import GraphNeeded
    with no_grad():
        t = Tensor(np.array([1.0, 2.0]))
        with pytest.raises(GraphNeeded, match="no graph recorded"):
            K.gradients(K.sum(t * t), [t])
