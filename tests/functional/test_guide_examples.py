"""Every example of the Keras 1.2.2 functional-API guide, with small shapes.

The code follows the guide line by line; only sizes are reduced (vocabulary,
sequence lengths, image sizes, filter counts) so the tests stay fast.  Each
model also goes through ``save``/``load_model`` and must predict the same.
"""
import warnings

import numpy as np
import pytest

from tinygrad_keras.layers import (
    LSTM,
    Convolution2D,
    Dense,
    Embedding,
    Flatten,
    Input,
    MaxPooling2D,
    TimeDistributed,
    merge,
)
from tinygrad_keras.models import Model, Sequential, load_model


def same_after_reload(model, x, tmp_path, custom_objects=None):
    path = str(tmp_path / f"{model.name}.h5")
    model.save(path)
    with warnings.catch_warnings():  # uncompiled models load with a warning, as in 1.2.2
        warnings.simplefilter("ignore")
        loaded = load_model(path, custom_objects)
    expected, got = model.predict(x), loaded.predict(x)
    for a, b in zip(expected if isinstance(expected, list) else [expected],
                    got if isinstance(got, list) else [got]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    return loaded


def dense_classifier():
    inputs = Input(shape=(12,))
    x = Dense(8, activation="relu")(inputs)
    x = Dense(8, activation="relu")(x)
    predictions = Dense(3, activation="softmax")(x)
    return Model(input=inputs, output=predictions)


def test_first_example_fully_connected(tmp_path):
    model = dense_classifier()
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    data, labels = np.random.random((20, 12)), np.eye(3)[np.random.randint(0, 3, 20)]
    history = model.fit(data, labels, nb_epoch=2, verbose=0)
    assert sorted(history.history) == ["acc", "loss"]
    same_after_reload(model, data, tmp_path)


def test_models_are_callable_and_time_distributed_model(tmp_path):
    model = dense_classifier()
    x = Input(shape=(12,))
    y = model(x)
    assert y.shape == (None, 3)
    input_sequences = Input(shape=(4, 12))
    processed_sequences = TimeDistributed(model)(input_sequences)
    assert processed_sequences.shape == (None, 4, 3)
    video = Model(input=input_sequences, output=processed_sequences)
    frames = np.random.random((2, 4, 12)).astype("float32")
    out = video.predict(frames)
    np.testing.assert_allclose(out[:, 1], model.predict(frames[:, 1]), rtol=1e-5, atol=1e-6)
    assert video.count_params() == model.count_params()  # the weights are shared
    same_after_reload(video, frames, tmp_path)


def news_model(seq_len=10, vocab=50):
    main_input = Input(shape=(seq_len,), dtype="int32", name="main_input")
    x = Embedding(output_dim=8, input_dim=vocab, input_length=seq_len)(main_input)
    lstm_out = LSTM(4)(x)
    auxiliary_output = Dense(1, activation="sigmoid", name="aux_output")(lstm_out)
    auxiliary_input = Input(shape=(5,), name="aux_input")
    x = merge([lstm_out, auxiliary_input], mode="concat")
    x = Dense(6, activation="relu")(x)
    x = Dense(6, activation="relu")(x)
    x = Dense(6, activation="relu")(x)
    main_output = Dense(1, activation="sigmoid", name="main_output")(x)
    return Model(input=[main_input, auxiliary_input], output=[main_output, auxiliary_output])


def test_multi_input_multi_output_news_model(tmp_path):
    headline_data = np.random.randint(1, 50, (16, 10))
    additional_data = np.random.random((16, 5))
    labels = np.random.randint(0, 2, (16, 1))
    model = news_model()
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", loss_weights=[1., 0.2])
    history = model.fit([headline_data, additional_data], [labels, labels], nb_epoch=2,
                        batch_size=8, verbose=0)
    assert sorted(history.history) == ["aux_output_loss", "loss", "main_output_loss"]
    model.compile(optimizer="rmsprop",
                  loss={"main_output": "binary_crossentropy",
                        "aux_output": "binary_crossentropy"},
                  loss_weights={"main_output": 1., "aux_output": 0.2}, metrics=["accuracy"])
    history = model.fit({"main_input": headline_data, "aux_input": additional_data},
                        {"main_output": labels, "aux_output": labels}, nb_epoch=2,
                        batch_size=8, verbose=0)
    assert {"main_output_acc", "aux_output_acc"} <= set(history.history)
    same_after_reload(model, [headline_data, additional_data], tmp_path)


def test_shared_lstm_and_layer_nodes(tmp_path):
    tweet_a, tweet_b = Input(shape=(6, 8)), Input(shape=(6, 8))
    shared_lstm = LSTM(4)
    encoded_a = shared_lstm(tweet_a)
    encoded_b = shared_lstm(tweet_b)
    merged_vector = merge([encoded_a, encoded_b], mode="concat", concat_axis=-1)
    predictions = Dense(1, activation="sigmoid")(merged_vector)
    model = Model(input=[tweet_a, tweet_b], output=predictions)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    data_a, data_b = np.random.random((8, 6, 8)), np.random.random((8, 6, 8))
    model.fit([data_a, data_b], np.random.randint(0, 2, (8, 1)), nb_epoch=1, verbose=0)
    assert shared_lstm.get_output_at(0) is encoded_a
    assert shared_lstm.get_output_at(1) is encoded_b
    with pytest.raises(RuntimeError, match="get_output_at"):
        _ = shared_lstm.output
    # swapping the two tweets swaps the halves of the merged encoding (same weights)
    encoder = Model(input=[tweet_a, tweet_b], output=merged_vector)
    ab, ba = encoder.predict([data_a, data_b]), encoder.predict([data_b, data_a])
    np.testing.assert_allclose(ab[:, :4], ba[:, 4:], rtol=1e-6)
    same_after_reload(model, [data_a, data_b], tmp_path)


def test_single_node_output_and_conv_input_shapes():
    a = Input(shape=(6, 8))
    lstm = LSTM(4)
    encoded_a = lstm(a)
    assert lstm.output == encoded_a
    a, b = Input(shape=(3, 8, 8)), Input(shape=(3, 12, 12))
    conv = Convolution2D(4, 3, 3, border_mode="same")
    conv(a)
    assert conv.input_shape == (None, 3, 8, 8)
    conv(b)
    assert conv.get_input_shape_at(0) == (None, 3, 8, 8)
    assert conv.get_input_shape_at(1) == (None, 3, 12, 12)
    assert conv.get_output_shape_at(1) == (None, 4, 12, 12)


def test_inception_module(tmp_path):
    input_img = Input(shape=(3, 8, 8))
    tower_1 = Convolution2D(4, 1, 1, border_mode="same", activation="relu")(input_img)
    tower_1 = Convolution2D(4, 3, 3, border_mode="same", activation="relu")(tower_1)
    tower_2 = Convolution2D(4, 1, 1, border_mode="same", activation="relu")(input_img)
    tower_2 = Convolution2D(4, 5, 5, border_mode="same", activation="relu")(tower_2)
    tower_3 = MaxPooling2D((3, 3), strides=(1, 1), border_mode="same")(input_img)
    tower_3 = Convolution2D(4, 1, 1, border_mode="same", activation="relu")(tower_3)
    output = merge([tower_1, tower_2, tower_3], mode="concat", concat_axis=1)
    assert output.shape == (None, 12, 8, 8)
    model = Model(input_img, output)
    x = np.random.random((2, 3, 8, 8)).astype("float32")
    assert model.predict(x).shape == (2, 12, 8, 8)
    same_after_reload(model, x, tmp_path)


def test_residual_connection(tmp_path):
    x = Input(shape=(3, 6, 6))
    y = Convolution2D(3, 3, 3, border_mode="same")(x)
    z = merge([x, y], mode="sum")
    model = Model(x, z)
    conv_only = Model(x, y)
    data = np.random.random((2, 3, 6, 6)).astype("float32")
    np.testing.assert_allclose(model.predict(data), data + conv_only.predict(data), rtol=1e-5,
                               atol=1e-6)
    same_after_reload(model, data, tmp_path)


def test_shared_vision_model(tmp_path):
    digit_input = Input(shape=(1, 9, 9))
    x = Convolution2D(4, 3, 3)(digit_input)
    x = Convolution2D(4, 3, 3)(x)
    x = MaxPooling2D((2, 2))(x)
    out = Flatten()(x)
    vision_model = Model(digit_input, out)
    digit_a, digit_b = Input(shape=(1, 9, 9)), Input(shape=(1, 9, 9))
    out_a = vision_model(digit_a)
    out_b = vision_model(digit_b)
    concatenated = merge([out_a, out_b], mode="concat")
    out = Dense(1, activation="sigmoid")(concatenated)
    classification_model = Model([digit_a, digit_b], out)
    assert classification_model.count_params() == vision_model.count_params() + 2 * 16 + 1
    classification_model.compile("sgd", "binary_crossentropy")
    pair = [np.random.random((4, 1, 9, 9)), np.random.random((4, 1, 9, 9))]
    classification_model.train_on_batch(pair, np.array([[0], [1], [0], [1]]))
    same_after_reload(classification_model, pair, tmp_path)


def vqa_parts(size=12, words=20, vocab=30):
    vision_model = Sequential()
    vision_model.add(Convolution2D(4, 3, 3, activation="relu", border_mode="same",
                                   input_shape=(3, size, size)))
    vision_model.add(Convolution2D(4, 3, 3, activation="relu"))
    vision_model.add(MaxPooling2D((2, 2)))
    vision_model.add(Convolution2D(8, 3, 3, activation="relu", border_mode="same"))
    vision_model.add(Convolution2D(8, 3, 3, activation="relu"))
    vision_model.add(MaxPooling2D((2, 2)))
    vision_model.add(Flatten())
    image_input = Input(shape=(3, size, size))
    encoded_image = vision_model(image_input)
    question_input = Input(shape=(words,), dtype="int32")
    embedded_question = Embedding(input_dim=vocab, output_dim=6, input_length=words)(
        question_input)
    encoded_question = LSTM(6)(embedded_question)
    merged = merge([encoded_question, encoded_image], mode="concat")
    output = Dense(10, activation="softmax")(merged)
    vqa_model = Model(input=[image_input, question_input], output=output)
    return vision_model, question_input, encoded_question, vqa_model


def test_visual_question_answering(tmp_path):
    _, _, _, vqa_model = vqa_parts()
    vqa_model.compile("rmsprop", "categorical_crossentropy")
    images, questions = np.random.random((2, 3, 12, 12)), np.random.randint(1, 30, (2, 20))
    answers = np.eye(10)[[1, 2]]
    vqa_model.train_on_batch([images, questions], answers)
    same_after_reload(vqa_model, [images, questions], tmp_path)


def test_video_question_answering(tmp_path):
    vision_model, question_input, encoded_question, _ = vqa_parts()
    video_input = Input(shape=(3, 3, 12, 12))
    encoded_frame_sequence = TimeDistributed(vision_model)(video_input)
    encoded_video = LSTM(6)(encoded_frame_sequence)
    question_encoder = Model(input=question_input, output=encoded_question)
    video_question_input = Input(shape=(20,), dtype="int32")
    encoded_video_question = question_encoder(video_question_input)
    merged = merge([encoded_video, encoded_video_question], mode="concat")
    output = Dense(10, activation="softmax")(merged)
    video_qa_model = Model(input=[video_input, video_question_input], output=output)
    video = np.random.random((2, 3, 3, 12, 12)).astype("float32")
    questions = np.random.randint(1, 30, (2, 20))
    assert video_qa_model.predict([video, questions]).shape == (2, 10)
    same_after_reload(video_qa_model, [video, questions], tmp_path)
