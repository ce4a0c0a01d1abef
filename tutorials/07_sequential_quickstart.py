# %% [markdown]
# # 7. The Sequential model: quick start
#
# This is the Keras 1 guide "Getting started with the Sequential model", run on tinygrad_keras.
# Every code example of the guide is in `tutorials/07_sequential_quickstart.py` and runs
# unchanged: the script calls `tinygrad_keras.install_keras_alias()` once, after which
# `from keras.models import Sequential` imports tinygrad_keras. Where the guide leaves the data
# undefined, the script makes small random arrays of the right shapes, and where the guide's
# recurrent examples train on 1000 random samples for 5 epochs, it uses fewer, so that the whole
# script runs in seconds (the comments say where). (Chinese version:
# [快速开始 Sequential 模型](07_sequential_quickstart_zh.py).)
#
# ## A linear stack of layers
#
# A `Sequential` model is a list of layers applied one after the other. Pass the list to the
# constructor, or `add` layers one at a time:

# %%
# ruff: noqa: I001  (the guide's import lines, kept as the guide writes them)
import numpy as np

import tinygrad_keras

tinygrad_keras.install_keras_alias()   # from here on, `import keras` means tinygrad_keras
np.random.seed(1337)

from keras.models import Sequential
from keras.layers import Dense, Activation

model = Sequential([
    Dense(32, input_dim=784),
    Activation('relu'),
    Dense(10),
    Activation('softmax'),
])

model = Sequential()
model.add(Dense(32, input_dim=784))
model.add(Activation('relu'))
print("layers:", [layer.name for layer in model.layers], "output", model.output_shape)

# %% [markdown]
# ## Telling the first layer its input shape
#
# The first layer must know the shape of one sample; every later layer infers its own. Three
# equivalent ways: `input_shape` (a tuple without the batch axis, `None` allowed), or
# `batch_input_shape` (with the batch axis, for a fixed batch size, needed by stateful RNNs),
# or, for some layers, shortcuts such as `input_dim` (Dense) and `input_dim` + `input_length`
# (recurrent layers):

# %%
model = Sequential()
model.add(Dense(32, input_shape=(784,)))
model = Sequential()
model.add(Dense(32, batch_input_shape=(None, 784)))
model = Sequential()
model.add(Dense(32, input_dim=784))
print("Dense input shape:", model.input_shape)

from keras.layers import LSTM

for first in (LSTM(32, input_shape=(10, 64)),
              LSTM(32, batch_input_shape=(None, 10, 64)),
              LSTM(32, input_length=10, input_dim=64)):
    print("LSTM input shape:", Sequential([first]).input_shape)

# %% [markdown]
# ## Merging branches
#
# Several Sequential models can feed one `Merge` layer, whose output can be added to a new
# Sequential. The model then takes one input array per branch:

# %%
from keras.layers import Merge

left_branch = Sequential()
left_branch.add(Dense(32, input_dim=784))
right_branch = Sequential()
right_branch.add(Dense(32, input_dim=784))
merged = Merge([left_branch, right_branch], mode='concat')

final_model = Sequential()
final_model.add(merged)
final_model.add(Dense(10, activation='softmax'))

final_model.compile(optimizer='rmsprop', loss='categorical_crossentropy')
input_data_1 = np.random.random((64, 784))
input_data_2 = np.random.random((64, 784))
targets = np.eye(10)[np.random.randint(10, size=64)]
final_model.fit([input_data_1, input_data_2], targets, verbose=0)  # one array per input

merged = Merge([left_branch, right_branch], mode=lambda x: x[0] - x[1])
print("merged (concat) model output:", final_model.output_shape)

# %% [markdown]
# The modes are `sum` (the default), `concat` (along `concat_axis`), `mul`, `ave`, `max`,
# `dot` (along `dot_axes`), `cos` (cosine proximity of 2-D inputs), or any function of the
# list of inputs. Tutorial 8 goes through each mode with shapes.
#
# ## Compilation
#
# `compile` configures learning: an **optimizer** (a name such as `'rmsprop'`, `'adagrad'`, or an
# `Optimizer` object), a **loss** (a name such as `'categorical_crossentropy'`, `'mse'`, or a
# function `loss(y_true, y_pred)`), and a list of **metrics**: `'accuracy'` for
# classification, names of metric functions, or your own functions, which return a scalar or a
# dict of named scalars.

# %%
# for a multi-class classification problem
model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
# for a binary classification problem
model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
# for a mean squared error regression problem
model.compile(optimizer='rmsprop', loss='mse')

# for custom metrics
import keras.backend as K


def mean_pred(y_true, y_pred):
    return K.mean(y_pred)


def false_rates(y_true, y_pred):
    predicted = K.cast(K.greater(y_pred, 0.5), K.floatx())
    false_neg = K.mean(y_true * (1 - predicted))
    false_pos = K.mean((1 - y_true) * predicted)
    return {
        'false_neg': false_neg,
        'false_pos': false_pos,
    }


model = Sequential([Dense(1, input_dim=784, activation='sigmoid')])
model.compile(optimizer='rmsprop', loss='binary_crossentropy',
              metrics=['accuracy', mean_pred, false_rates])
print("metrics reported:", model.metrics_names)

# %% [markdown]
# `'accuracy'` is reported as `acc`; a function is reported under its name; each key of a
# returned dict becomes its own metric.
#
# ## Training
#
# Models train on numpy arrays with `fit`. One input:

# %%
# for a single-input model with 2 classes (binary):
model = Sequential()
model.add(Dense(1, input_dim=784, activation='sigmoid'))
model.compile(optimizer='rmsprop',
              loss='binary_crossentropy',
              metrics=['accuracy'])

# generate dummy data
data = np.random.random((1000, 784))
labels = np.random.randint(2, size=(1000, 1))

# train the model, iterating on the data in batches of 32 samples
history = model.fit(data, labels, nb_epoch=10, batch_size=32, verbose=0)
print("binary: history keys", sorted(history.history), "final loss",
      round(history.history['loss'][-1], 4))

# %% [markdown]
# Two inputs (one array per branch of the Merge), with labels turned into one-hot rows by
# `to_categorical` for `categorical_crossentropy`:

# %%
# for a multi-input model with 10 classes:
from keras.utils.np_utils import to_categorical

left_branch = Sequential()
left_branch.add(Dense(32, input_dim=784))
right_branch = Sequential()
right_branch.add(Dense(32, input_dim=784))
merged = Merge([left_branch, right_branch], mode='concat')

model = Sequential()
model.add(merged)
model.add(Dense(10, activation='softmax'))
model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])

data_1 = np.random.random((1000, 784))
data_2 = np.random.random((1000, 784))
labels = np.random.randint(10, size=(1000, 1))      # integers between 0 and 9
labels = to_categorical(labels, 10)                  # a binary matrix of shape (1000, 10)
history = model.fit([data_1, data_2], labels, nb_epoch=10, batch_size=32, verbose=0)
print("two inputs: final loss", round(history.history['loss'][-1], 4))

# %% [markdown]
# ## Examples
#
# ### Multilayer perceptron for multi-class softmax classification

# %%
from keras.layers import Dropout
from keras.optimizers import SGD

X_train, y_train = np.random.random((500, 20)), np.eye(10)[np.random.randint(10, size=500)]
X_test, y_test = np.random.random((100, 20)), np.eye(10)[np.random.randint(10, size=100)]

model = Sequential()
# Dense(64) is a fully-connected layer with 64 hidden units.
# in the first layer, you must specify the expected input data shape:
# here, 20-dimensional vectors.
model.add(Dense(64, input_dim=20, init='uniform'))
model.add(Activation('tanh'))
model.add(Dropout(0.5))
model.add(Dense(64, init='uniform'))
model.add(Activation('tanh'))
model.add(Dropout(0.5))
model.add(Dense(10, init='uniform'))
model.add(Activation('softmax'))

sgd = SGD(lr=0.1, decay=1e-6, momentum=0.9, nesterov=True)
model.compile(loss='categorical_crossentropy', optimizer=sgd, metrics=['accuracy'])
model.fit(X_train, y_train, nb_epoch=20, batch_size=16, verbose=0)
score = model.evaluate(X_test, y_test, batch_size=16, verbose=0)
print("MLP softmax: test [loss, acc] =", np.round(score, 4))

# %% [markdown]
# On random labels the test accuracy is chance level, and with this learning rate the
# loss may well grow: the demo (`python -m tinygrad_keras.demo`) trains the same layers on
# real digits and explains the settings it changes.
#
# ### Two other MLPs: relu with Adadelta, and binary classification

# %%
model = Sequential()
model.add(Dense(64, input_dim=20, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(64, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(10, activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer='adadelta', metrics=['accuracy'])
model.fit(X_train, y_train, nb_epoch=2, verbose=0)

# a multilayer perceptron for binary classification
model = Sequential()
model.add(Dense(64, input_dim=20, init='uniform', activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(64, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(1, activation='sigmoid'))
model.compile(loss='binary_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
model.fit(X_train, np.random.randint(2, size=(500, 1)), nb_epoch=2, verbose=0)
print("alternative MLPs trained")

# %% [markdown]
# ### A VGG-like convnet

# %%
from keras.layers import Flatten
from keras.layers import Convolution2D, MaxPooling2D

# 'th' ordering (the project default): images are (samples, channels, rows, cols).
X_train = np.random.random((4, 3, 100, 100))
Y_train = np.eye(10)[np.random.randint(10, size=4)]

model = Sequential()
# input: 100x100 images with 3 channels -> (3, 100, 100) tensors.
# this applies 32 convolution filters of size 3x3 each.
model.add(Convolution2D(32, 3, 3, border_mode='valid', input_shape=(3, 100, 100)))
model.add(Activation('relu'))
model.add(Convolution2D(32, 3, 3))
model.add(Activation('relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))

model.add(Convolution2D(64, 3, 3, border_mode='valid'))
model.add(Activation('relu'))
model.add(Convolution2D(64, 3, 3))
model.add(Activation('relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))

model.add(Flatten())
# Note: Keras does automatic shape inference.
model.add(Dense(256))
model.add(Activation('relu'))
model.add(Dropout(0.5))

model.add(Dense(10))
model.add(Activation('softmax'))

sgd = SGD(lr=0.1, decay=1e-6, momentum=0.9, nesterov=True)
model.compile(loss='categorical_crossentropy', optimizer=sgd)
model.fit(X_train, Y_train, batch_size=32, nb_epoch=1, verbose=0)
print("VGG-like convnet: output", model.output_shape, "params", model.count_params())

# %% [markdown]
# Images are channels-first, `(samples, channels, rows, cols)`, the project's default
# `image_dim_ordering` (`'th'`); pass `dim_ordering='tf'` for channels-last.
#
# ### Sequence classification with an LSTM

# %%
from keras.layers import Embedding

max_features, maxlen = 1000, 20
X_train = np.random.randint(1, max_features, size=(32, maxlen))
Y_train = np.random.randint(2, size=(32, 1))

model = Sequential()
model.add(Embedding(max_features, 256, input_length=maxlen))
model.add(LSTM(output_dim=128, activation='sigmoid', inner_activation='hard_sigmoid'))
model.add(Dropout(0.5))
model.add(Dense(1))
model.add(Activation('sigmoid'))

model.compile(loss='binary_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
model.fit(X_train, Y_train, batch_size=16, nb_epoch=1, verbose=0)
score = model.evaluate(X_train, Y_train, batch_size=16, verbose=0)
print("LSTM sequence classification: [loss, acc] =", np.round(score, 4))

# %% [markdown]
# ### Image captioning with a gated recurrent unit
#
# The guide's architecture sketch: a convnet encodes an image into a vector, which is
# repeated for every word position and concatenated with the embedded partial caption; a
# GRU reads that sequence and predicts the next word.

# %%
import os
import tempfile

from keras.layers import GRU, RepeatVector, TimeDistributed

max_caption_len = 16
vocab_size = 100  # the guide uses 10000; smaller here so the script runs in seconds

image_model = Sequential()
image_model.add(Convolution2D(32, 3, 3, border_mode='valid', input_shape=(3, 100, 100)))
image_model.add(Activation('relu'))
image_model.add(Convolution2D(32, 3, 3))
image_model.add(Activation('relu'))
image_model.add(MaxPooling2D(pool_size=(2, 2)))
image_model.add(Convolution2D(64, 3, 3, border_mode='valid'))
image_model.add(Activation('relu'))
image_model.add(Convolution2D(64, 3, 3))
image_model.add(Activation('relu'))
image_model.add(MaxPooling2D(pool_size=(2, 2)))
image_model.add(Flatten())
image_model.add(Dense(128))

# "let's load the weights from a save file": we write one first, then load it.
weight_file = os.path.join(tempfile.mkdtemp(), 'weight_file.h5')
image_model.save_weights(weight_file)
image_model.load_weights(weight_file)

language_model = Sequential()
language_model.add(Embedding(vocab_size, 256, input_length=max_caption_len))
language_model.add(GRU(output_dim=128, return_sequences=True))
language_model.add(TimeDistributed(Dense(128)))  # the guide misses a ')' here

image_model.add(RepeatVector(max_caption_len))

model = Sequential()
model.add(Merge([image_model, language_model], mode='concat', concat_axis=-1))
model.add(GRU(256, return_sequences=False))
model.add(Dense(vocab_size))
model.add(Activation('softmax'))
model.compile(loss='categorical_crossentropy', optimizer='rmsprop')

images = np.random.random((4, 3, 100, 100))
partial_captions = np.random.randint(vocab_size, size=(4, max_caption_len))
next_words = np.eye(vocab_size)[np.random.randint(vocab_size, size=4)]
model.fit([images, partial_captions], next_words, batch_size=16, nb_epoch=1, verbose=0)
print("image captioning model: output", model.output_shape)

# %% [markdown]
# ### Stacked LSTMs for sequence classification
#
# The first two LSTMs return their whole output sequence, the third only its last step:

# %%
data_dim = 16
timesteps = 8
nb_classes = 10

# expected input data shape: (batch_size, timesteps, data_dim)
model = Sequential()
model.add(LSTM(32, return_sequences=True,
               input_shape=(timesteps, data_dim)))  # returns a sequence of vectors of dimension 32
model.add(LSTM(32, return_sequences=True))  # returns a sequence of vectors of dimension 32
model.add(LSTM(32))  # return a single vector of dimension 32
model.add(Dense(10, activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer='rmsprop', metrics=['accuracy'])

# 256 samples and 2 epochs (the guide: 1000 and 5), so that the script runs in seconds
x_train = np.random.random((256, timesteps, data_dim))
y_train = np.random.random((256, nb_classes))
x_val = np.random.random((64, timesteps, data_dim))
y_val = np.random.random((64, nb_classes))
history = model.fit(x_train, y_train, batch_size=64, nb_epoch=2, verbose=0,
                    validation_data=(x_val, y_val))
print("stacked LSTM: history keys", sorted(history.history))

# %% [markdown]
# ### The same stack, stateful
#
# A stateful LSTM keeps its state from one batch to the next: sample `i` of batch `k`
# continues sample `i` of batch `k - 1`. That needs a fixed batch size, so the first layer
# gets `batch_input_shape`:

# %%
batch_size = 32

# the sample of index i in batch k is the follow-up for the sample i in batch k-1.
model = Sequential()
model.add(LSTM(32, return_sequences=True, stateful=True,
               batch_input_shape=(batch_size, timesteps, data_dim)))
model.add(LSTM(32, return_sequences=True, stateful=True))
model.add(LSTM(32, stateful=True))
model.add(Dense(10, activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer='rmsprop', metrics=['accuracy'])

x_train = np.random.random((batch_size * 4, timesteps, data_dim))   # the guide: * 10
y_train = np.random.random((batch_size * 4, nb_classes))
x_val = np.random.random((batch_size * 2, timesteps, data_dim))     # the guide: * 3
y_val = np.random.random((batch_size * 2, nb_classes))
model.fit(x_train, y_train, batch_size=batch_size, nb_epoch=2, verbose=0,
          validation_data=(x_val, y_val))
print("stateful LSTM trained on batches of", batch_size)

# %% [markdown]
# ### Two merged LSTM encoders
#
# Two input sequences are encoded by two LSTMs, concatenated, and classified:

# %%
encoder_a = Sequential()
encoder_a.add(LSTM(32, input_shape=(timesteps, data_dim)))
encoder_b = Sequential()
encoder_b.add(LSTM(32, input_shape=(timesteps, data_dim)))

decoder = Sequential()
decoder.add(Merge([encoder_a, encoder_b], mode='concat'))
decoder.add(Dense(32, activation='relu'))
decoder.add(Dense(nb_classes, activation='softmax'))
decoder.compile(loss='categorical_crossentropy', optimizer='rmsprop', metrics=['accuracy'])

x_train_a = np.random.random((256, timesteps, data_dim))   # the guide: 1000 samples
x_train_b = np.random.random((256, timesteps, data_dim))
y_train = np.random.random((256, nb_classes))
x_val_a = np.random.random((64, timesteps, data_dim))
x_val_b = np.random.random((64, timesteps, data_dim))
y_val = np.random.random((64, nb_classes))
decoder.fit([x_train_a, x_train_b], y_train, batch_size=64, nb_epoch=2, verbose=0,
            validation_data=([x_val_a, x_val_b], y_val))
print("two LSTM encoders merged: output", decoder.output_shape)

# %% [markdown]
# ## Exercise
#
# Write `build_classifier(input_dim, nb_classes)` in
# `tutorials/exercises/07_sequential_quickstart.py`: a compiled Sequential model that reaches
# at least 0.9 test accuracy on the bundled digits (`tinygrad_keras.datasets.digits`, images
# flattened to 64 values in [0, 1]) within 10 epochs of `fit(batch_size=32)`, reporting
# `acc`. The check trains it and measures:
#
# ```bash
# python -m tinygrad_keras.exercises check 7
# ```
#
# The reference answer is in `tutorials/solutions/07_sequential_quickstart.py`; read it after your own attempt passes.
