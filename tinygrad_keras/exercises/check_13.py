"""Exercise 13: ``lstm_by_hand_gpu(x, weights)``, an LSTM from the fused (consume_less='gpu')
weights ``[W, U, b]``, gate blocks in the order i, f, c, o."""
import numpy as np

from ._helpers import close


def check(module) -> None:
    from tinygrad_keras.layers import LSTM
    from tinygrad_keras.models import Sequential

    np.random.seed(10)
    model = Sequential([LSTM(4, consume_less="gpu", return_sequences=True, input_shape=(6, 2))])
    layer = model.layers[0]
    x = np.random.normal(size=(3, 6, 2)).astype("float32")
    close(module.lstm_by_hand_gpu(x, layer.get_weights()), model.predict(x),
          "all states with the initial weights", rtol=1e-4, atol=1e-5)
    # blocks pushed apart (i open, f half, o nearly closed): a block-order mistake shows
    W, U, b = layer.get_weights()
    b = np.concatenate([np.full(4, 2.0), np.zeros(4), np.full(4, 0.5), np.full(4, -2.0)])
    layer.set_weights([W * 2, U, b.astype("float32")])
    close(module.lstm_by_hand_gpu(x, layer.get_weights()), model.predict(x),
          "all states with b_i = 2, b_f = 0, b_c = 0.5, b_o = -2 (are the blocks in the order "
          "i, f, c, o?)", rtol=1e-4, atol=1e-5)
