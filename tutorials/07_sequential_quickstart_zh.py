# %% [markdown]
# # 7. 快速开始 Sequential 模型（中文）
#
# 本页对应用户文档《快速开始Sequential模型》，逐节给出可以直接运行的代码。本页本身就是可运行的脚本
# `tutorials/07_sequential_quickstart_zh.py`（与英文版 `tutorials/07_sequential_quickstart.py`
# 运行完全相同的代码，只是注释为中文；测试会检查两者一致）：在仓库根目录运行
# `python tutorials/07_sequential_quickstart_zh.py`，或作为 notebook 打开。脚本开头调用一次
# `tinygrad_keras.install_keras_alias()`，之后 `from keras.models import Sequential`
# 导入的就是 tinygrad_keras，Keras 1 的脚本无需修改即可运行。文档中没有给出的数据，脚本用形状正确的
# 小随机数组代替；递归网络的例子在文档中用 1000 个随机样本训练 5 轮，脚本里减少了样本数和轮数，
# 使整个脚本几秒钟内跑完（注释里标明了改动）。（English version: [the Sequential quick start](07_sequential_quickstart.py).）
#
# ## Sequential：多个网络层的线性堆叠
#
# 可以把层的列表传给 `Sequential` 的构造函数，也可以用 `.add()` 逐个加入：

# %%
# ruff: noqa: I001  (import 语句保持原文写法)
import numpy as np

import tinygrad_keras

tinygrad_keras.install_keras_alias()   # 从这里开始，`import keras` 导入的就是 tinygrad_keras
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
# ## 指定输入数据的 shape
#
# 模型需要知道输入数据的 shape，所以第一层必须接收关于输入 shape 的参数，后面的层会自动推导。
# 方法有三种，彼此等价：
#
# - `input_shape`：一个 tuple，不含 batch 维，可以写 `None` 表示任意正整数；
# - `batch_input_shape`：包含 batch 大小，固定 batch 时使用（例如 stateful RNN）；
# - 某些层的简写：`Dense` 的 `input_dim`，时域层（如 `LSTM`）的 `input_dim` 加 `input_length`。

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
# ## Merge 层
#
# 多个 Sequential 可以经由一个 `Merge` 层合并为一个输出，`Merge` 的输出可以加入新的 Sequential。
# 训练时每个分支传入一个数组：

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
final_model.fit([input_data_1, input_data_2], targets, verbose=0)  # 每个输入一个数组

merged = Merge([left_branch, right_branch], mode=lambda x: x[0] - x[1])
print("merged (concat) model output:", final_model.output_shape)

# %% [markdown]
# 预定义的合并模式：`sum`（默认，逐元素相加）、`concat`（张量串联，用 `concat_axis` 指定轴）、
# `mul`（逐元素相乘）、`ave`（平均）、`max`（逐元素取最大）、`dot`（张量相乘，用 `dot_axes` 指定
# 要消去的轴）、`cos`（二维张量中各向量的余弦相似度）；也可以给 `mode` 传入任意函数。
# 各模式的 shape 详见第 8 篇。
#
# ## 编译
#
# 训练之前用 `compile` 配置学习过程，它接收三个参数：
#
# - 优化器 `optimizer`：预定义优化器的名字（如 `rmsprop`、`adagrad`），或一个 `Optimizer` 对象；
# - 损失函数 `loss`：预定义损失函数的名字（如 `categorical_crossentropy`、`mse`），或一个函数；
# - 指标列表 `metrics`：分类问题一般设为 `['accuracy']`；指标可以是预定义指标的名字，也可以是自定义
#   函数，函数返回单个张量，或一个 `指标名 -> 指标值` 的字典。

# %%
# 多分类问题
model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
# 二分类问题
model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
# 均方误差回归问题
model.compile(optimizer='rmsprop', loss='mse')

# 自定义评估指标
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
# `'accuracy'` 以 `acc` 报告；函数以函数名报告；返回字典时每个键成为一个单独的指标。文档里
# `false_rates` 的 `...` 在这里写成了真正的计算。
#
# ## 训练
#
# Keras 以 Numpy 数组作为输入数据和标签。训练一般用 `fit`。单输入、二分类：

# %%
# 单输入、两个类别（二分类）的模型：
model = Sequential()
model.add(Dense(1, input_dim=784, activation='sigmoid'))
model.compile(optimizer='rmsprop',
              loss='binary_crossentropy',
              metrics=['accuracy'])

# 生成虚拟数据
data = np.random.random((1000, 784))
labels = np.random.randint(2, size=(1000, 1))

# 训练模型，以 32 个样本为一个 batch 进行迭代
history = model.fit(data, labels, nb_epoch=10, batch_size=32, verbose=0)
print("binary: history keys", sorted(history.history), "final loss",
      round(history.history['loss'][-1], 4))

# %% [markdown]
# 多输入、10 类：标签用 `to_categorical` 转成 one-hot 矩阵，每个输入传一个数组：

# %%
# 多输入、10 个类别的模型：
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
labels = np.random.randint(10, size=(1000, 1))      # 0 到 9 之间的整数
labels = to_categorical(labels, 10)                  # 形状为 (1000, 10) 的二值矩阵（one-hot）
history = model.fit([data_1, data_2], labels, nb_epoch=10, batch_size=32, verbose=0)
print("two inputs: final loss", round(history.history['loss'][-1], 4))

# %% [markdown]
# ## 例子
#
# ### 基于多层感知器的 softmax 多分类

# %%
from keras.layers import Dropout
from keras.optimizers import SGD

X_train, y_train = np.random.random((500, 20)), np.eye(10)[np.random.randint(10, size=500)]
X_test, y_test = np.random.random((100, 20)), np.eye(10)[np.random.randint(10, size=100)]

model = Sequential()
# Dense(64) 是一个有 64 个隐藏单元的全连接层。
# 第一层必须指定输入数据的 shape：
# 这里是 20 维的向量。
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
# 随机标签上的测试准确率只是随机水平；在真实的手写数字上训练同样的网络请运行
# `python -m tinygrad_keras.demo`，其文档说明了为什么要调小学习率。
#
# ### 相似 MLP 的另一种实现，以及用于二分类的多层感知器

# %%
model = Sequential()
model.add(Dense(64, input_dim=20, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(64, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(10, activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer='adadelta', metrics=['accuracy'])
model.fit(X_train, y_train, nb_epoch=2, verbose=0)

# 用于二分类的多层感知器
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
# ### 类似 VGG 的卷积神经网络
#
# 输入为 `(样本数, 通道数, 行, 列)`，即本项目默认的 `'th'` 顺序。

# %%
from keras.layers import Flatten
from keras.layers import Convolution2D, MaxPooling2D

# 'th' 维度顺序（本项目的默认值）：图像为 (样本, 通道, 行, 列)。
X_train = np.random.random((4, 3, 100, 100))
Y_train = np.eye(10)[np.random.randint(10, size=4)]

model = Sequential()
# 输入：3 通道、100x100 的图像 -> (3, 100, 100) 的张量。
# 使用 32 个大小为 3x3 的卷积核。
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
# 注意：Keras 会自动推断 shape。
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
# ### 使用 LSTM 的序列分类

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
# ### 使用带门限的递归单元进行图像描述
#
# 卷积网络把图片编码为向量，重复到每个单词位置，与词嵌入序列串联后交给 GRU 预测下一个词。
# 文档中的结构示例先保存再加载权重文件；`TimeDistributed(Dense(128))` 一行在原文中少了一个括号，
# 这里已补上。

# %%
import os
import tempfile

from keras.layers import GRU, RepeatVector, TimeDistributed

max_caption_len = 16
vocab_size = 100  # 原文为 10000；这里取小一些，使脚本几秒内跑完

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

# 原文“从保存的文件中载入权重”：这里先写出一个权重文件，再载入它。
weight_file = os.path.join(tempfile.mkdtemp(), 'weight_file.h5')
image_model.save_weights(weight_file)
image_model.load_weights(weight_file)

language_model = Sequential()
language_model.add(Embedding(vocab_size, 256, input_length=max_caption_len))
language_model.add(GRU(output_dim=128, return_sequences=True))
language_model.add(TimeDistributed(Dense(128)))  # 原文在这里少了一个 ')'

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
# ### 用于序列分类的栈式 LSTM
#
# 前两层 LSTM 返回全部输出序列，第三层只返回最后一步，把序列变为单个向量：

# %%
data_dim = 16
timesteps = 8
nb_classes = 10

# 期望的输入数据 shape：(batch_size, timesteps, data_dim)
model = Sequential()
model.add(LSTM(32, return_sequences=True,
               input_shape=(timesteps, data_dim)))  # 返回维度为 32 的向量序列
model.add(LSTM(32, return_sequences=True))  # 返回维度为 32 的向量序列
model.add(LSTM(32))  # 返回一个维度为 32 的向量
model.add(Dense(10, activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer='rmsprop', metrics=['accuracy'])

# 256 个样本、2 轮（原文：1000 个样本、5 轮），使脚本几秒内跑完
x_train = np.random.random((256, timesteps, data_dim))
y_train = np.random.random((256, nb_classes))
x_val = np.random.random((64, timesteps, data_dim))
y_val = np.random.random((64, nb_classes))
history = model.fit(x_train, y_train, batch_size=64, nb_epoch=2, verbose=0,
                    validation_data=(x_val, y_val))
print("stacked LSTM: history keys", sorted(history.history))

# %% [markdown]
# ### 采用状态 LSTM 的相同模型
#
# 状态（stateful）LSTM 在处理完一个 batch 后，把内部状态作为下一个 batch 的初始状态：第 k 个
# batch 中第 i 个样本是第 k-1 个 batch 中第 i 个样本的后续。因此需要固定 batch 大小，第一层使用
# `batch_input_shape`：

# %%
batch_size = 32

# 第 k 个 batch 中下标为 i 的样本，是第 k-1 个 batch 中样本 i 的后续。
model = Sequential()
model.add(LSTM(32, return_sequences=True, stateful=True,
               batch_input_shape=(batch_size, timesteps, data_dim)))
model.add(LSTM(32, return_sequences=True, stateful=True))
model.add(LSTM(32, stateful=True))
model.add(Dense(10, activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer='rmsprop', metrics=['accuracy'])

x_train = np.random.random((batch_size * 4, timesteps, data_dim))   # 原文：* 10
y_train = np.random.random((batch_size * 4, nb_classes))
x_val = np.random.random((batch_size * 2, timesteps, data_dim))     # 原文：* 3
y_val = np.random.random((batch_size * 2, nb_classes))
model.fit(x_train, y_train, batch_size=batch_size, nb_epoch=2, verbose=0,
          validation_data=(x_val, y_val))
print("stateful LSTM trained on batches of", batch_size)

# %% [markdown]
# ### 将两个 LSTM 合并作为编码端来处理两路序列的分类

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

x_train_a = np.random.random((256, timesteps, data_dim))   # 原文：1000 个样本
x_train_b = np.random.random((256, timesteps, data_dim))
y_train = np.random.random((256, nb_classes))
x_val_a = np.random.random((64, timesteps, data_dim))
x_val_b = np.random.random((64, timesteps, data_dim))
y_val = np.random.random((64, nb_classes))
decoder.fit([x_train_a, x_train_b], y_train, batch_size=64, nb_epoch=2, verbose=0,
            validation_data=([x_val_a, x_val_b], y_val))
print("two LSTM encoders merged: output", decoder.output_shape)

# %% [markdown]
# ## 练习
#
# 在 `tutorials/exercises/07_sequential_quickstart.py` 中编写 `build_classifier(input_dim, nb_classes)`：
# 返回一个已编译的 Sequential 模型，在自带的手写数字数据（`tinygrad_keras.datasets.digits`，图片展平为
# 64 个 [0, 1] 之间的值）上用 `fit(batch_size=32)` 训练 10 轮后，测试准确率至少 0.9，并报告 `acc`。
# 在仓库根目录运行检查：
#
# ```bash
# python -m tinygrad_keras.exercises check 7
# ```
#
# 参考答案在 `tutorials/solutions/07_sequential_quickstart.py`，请先自己完成再看。
