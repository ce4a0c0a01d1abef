"""text_to_word_sequence, one_hot, Tokenizer (Keras 1.2.2 semantics)."""
import numpy as np
import pytest

from tinygrad_keras.preprocessing.text import Tokenizer, one_hot, text_to_word_sequence

TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "Dog, dog; cat."]


def test_text_to_word_sequence():
    assert text_to_word_sequence("Hello, World!\tIt's  fine") == ["hello", "world", "it's", "fine"]
    assert text_to_word_sequence("A-B", filters="", lower=False) == ["A-B"]
    assert text_to_word_sequence("a,b,,c", filters="", split=",") == ["a", "b", "c"]


def test_one_hot_is_stable_and_in_range():
    out = one_hot("the cat and the hat", 10)
    assert len(out) == 5 and all(1 <= i < 10 for i in out) and out[0] == out[3]
    assert one_hot("the cat and the hat", 10) == out
    with pytest.raises(ValueError, match="at least 2"):
        one_hot("x", 1)


def test_fit_on_texts_ranks_by_frequency():
    tok = Tokenizer()
    tok.fit_on_texts(TEXTS)
    assert tok.document_count == 3
    assert tok.word_counts["the"] == 3 and tok.word_counts["dog"] == 3
    assert tok.word_docs["dog"] == 2 and tok.word_docs["the"] == 2
    # ties keep first-seen order: 'the' before 'dog', then 'cat' (2)
    assert [w for w, _ in sorted(tok.word_index.items(), key=lambda kv: kv[1])][:3] == \
        ["the", "dog", "cat"]
    assert tok.index_docs[tok.word_index["cat"]] == 2
    assert sorted(tok.word_index.values()) == list(range(1, len(tok.word_counts) + 1))


def test_texts_to_sequences_respects_nb_words_and_unknown_words():
    tok = Tokenizer(nb_words=3)
    tok.fit_on_texts(TEXTS)
    # only indices 1 ('the') and 2 ('dog') are < nb_words; 'unicorn' is unknown
    assert tok.texts_to_sequences(["the dog and the cat", "unicorn"]) == [[1, 2, 1], []]
    assert list(tok.texts_to_sequences_generator(["dog"])) == [[2]]


def test_char_level():
    tok = Tokenizer(char_level=True)
    tok.fit_on_texts(["abba", "ac"])
    assert tok.word_index == {"a": 1, "b": 2, "c": 3}
    assert tok.texts_to_sequences(["cab"]) == [[3, 1, 2]]


def test_sequences_to_matrix_modes():
    tok = Tokenizer(nb_words=4)
    tok.fit_on_sequences([[1, 2, 2], [2, 3]])
    seqs = [[1, 2, 2, 5], []]
    np.testing.assert_array_equal(tok.sequences_to_matrix(seqs, "binary"), [[0, 1, 1, 0], [0] * 4])
    np.testing.assert_array_equal(tok.sequences_to_matrix(seqs, "count"), [[0, 1, 2, 0], [0] * 4])
    np.testing.assert_allclose(tok.sequences_to_matrix(seqs, "freq")[0], [0, 0.25, 0.5, 0])
    tfidf = tok.sequences_to_matrix(seqs, "tfidf")[0]
    # index 2 occurs twice, in both documents; index 1 once, in one document
    np.testing.assert_allclose(tfidf, [0, np.log(1 + 2 / 2), (1 + np.log(2)) * np.log(1 + 2 / 3), 0])
    assert tok.sequences_to_matrix(seqs).dtype == np.float64


def test_texts_to_matrix_width_from_vocabulary():
    tok = Tokenizer()
    tok.fit_on_texts(TEXTS)
    m = tok.texts_to_matrix(["the the cat"], mode="count")
    assert m.shape == (1, len(tok.word_index) + 1)
    assert m[0, tok.word_index["the"]] == 2 and m[0, 0] == 0


def test_matrix_errors():
    with pytest.raises(ValueError, match="nb_words argument"):
        Tokenizer().sequences_to_matrix([[1]])
    with pytest.raises(ValueError, match="before using tfidf"):
        Tokenizer(nb_words=3).sequences_to_matrix([[1]], mode="tfidf")
    with pytest.raises(ValueError, match="Unknown vectorization mode: 'bag'"):
        Tokenizer(nb_words=3).sequences_to_matrix([[1]], mode="bag")
