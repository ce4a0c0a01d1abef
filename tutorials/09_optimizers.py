"""Tutorial 9: the optimizers side by side on one problem.

Run it:  python tutorials/09_optimizers.py   (writes optimizers.png if matplotlib is installed)
"""
import numpy as np

from tinygrad_keras import backend as K
from tinygrad_keras.datasets import digits
from tinygrad_keras.layers import Dense
from tinygrad_keras.models import Sequential
from tinygrad_keras.optimizers import SGD, Adadelta, Adagrad, Adam, Adamax, Nadam, RMSprop
from tinygrad_keras.utils.np_utils import to_categorical

# --8<-- [start:one_step]
# An optimizer only ever sees parameters whose .grad holds the gradient, and updates
# their .data in place (under no_grad).  One SGD step with momentum, by hand:
w = K.variable(np.array([1.0, -2.0]), name="w")
loss = (w * w).sum()               # gradient 2w = [2, -4]
loss.backward()
sgd = SGD(lr=0.1, momentum=0.9)
sgd.update([w])
print("after one SGD step:", w.data, "= w - 0.1 * 2w")
# --8<-- [end:one_step]

# --8<-- [start:problem]
(X, y), (X_test, y_test) = digits.load_data()
X = X.reshape(len(X), 64).astype("float32") / 16
Y = to_categorical(y, 10)

np.random.seed(0)
template = Sequential([Dense(32, input_dim=64, activation="tanh"),
                       Dense(10, activation="softmax")])
start = template.get_weights()           # every optimizer starts from these weights
# --8<-- [end:problem]

# --8<-- [start:race]
optimizers = {
    "SGD": SGD(),
    "SGD momentum nesterov": SGD(lr=0.01, momentum=0.9, nesterov=True),
    "RMSprop": RMSprop(),
    "Adagrad": Adagrad(),
    "Adadelta": Adadelta(),
    "Adam": Adam(),
    "Adamax": Adamax(),
    "Nadam": Nadam(),
}
EPOCHS = 8
curves = {}
for name, optimizer in optimizers.items():
    np.random.seed(1)                     # the same shuffling for everyone
    model = Sequential([Dense(32, input_dim=64, activation="tanh"),
                        Dense(10, activation="softmax")])
    model.set_weights(start)
    model.compile(optimizer=optimizer, loss="categorical_crossentropy")
    history = model.fit(X, Y, nb_epoch=EPOCHS, batch_size=32, verbose=0)
    curves[name] = history.history["loss"]

print("\ntraining loss per epoch (digits, Dense 64-32-10, batch 32, default settings)")
print(f"{'optimizer':24s}" + "".join(f"{e:>7d}" for e in range(1, EPOCHS + 1)))
for name, losses in sorted(curves.items(), key=lambda kv: kv[1][-1]):
    print(f"{name:24s}" + "".join(f"{v:7.3f}" for v in losses))
# --8<-- [end:race]

# --8<-- [start:plot]
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("\n(matplotlib is not installed: the table above is the comparison)")
else:
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, losses in curves.items():
        ax.plot(range(1, EPOCHS + 1), losses, label=name)
    ax.set(xlabel="epoch", ylabel="training loss", yscale="log",
           title="Keras 1 optimizers, default settings, same start")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig("optimizers.png")
    print("\nplot written to optimizers.png")
# --8<-- [end:plot]

# Exercise (see the docs page): write adam_step in tutorials/solutions/09_optimizers.py, then check it with
#   python -m pytest tests/docs/test_exercises.py -k tutorial09
