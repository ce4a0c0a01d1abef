"""The inputs the example runner feeds the Keras 1.2.2 scripts: the bAbI and Nietzsche
files in the layout the scripts read, fetched through ``get_file`` from the cache
without a network, and the documented one-line edits of the variants."""
import os
import tarfile

import pytest

from tests.datasets import fake_keras_datasets as fake
from tests.examples.test_keras_examples import SCRIPTS, prepared_source, script_source
from tinygrad_keras.utils import data_utils


def parse_babi(lines):
    """(story sentences, question, answer, supporting ids) per question line, the bAbI way."""
    samples, story = [], []
    for line in lines:
        nid, text = line.split(" ", 1)
        if int(nid) == 1:
            story = []
        if "\t" in text:
            question, answer, support = text.split("\t")
            samples.append((list(story), question, answer, [int(i) for i in support.split()]))
            story.append(None)  # question lines keep their id in the numbering
        else:
            story.append(text)
    return samples


@pytest.mark.parametrize("member", ["en/qa2_two-supporting-facts_train.txt",
                                    "en-10k/qa1_single-supporting-fact_test.txt"])
def test_babi_archive_answers_follow_from_the_supporting_lines(tmp_path, member):
    path = fake.write_babi(tmp_path, n_stories=5, n_questions=4, seed=3)
    with tarfile.open(path) as archive:
        lines = archive.extractfile("tasks_1-20_v1-2/" + member).read().decode("utf-8").splitlines()
    samples = parse_babi(lines)
    assert len(samples) == 5 * 4
    for story, question, answer, support in samples:
        assert question.startswith("Where is") and question.endswith("? ")
        assert support and all(story[i - 1] is not None for i in support)
        # the last supporting sentence names the place that answers the question
        assert story[support[-1] - 1].rstrip(".").endswith(" " + answer)


def test_get_file_finds_the_fake_files_in_the_keras_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    folder = fake.datasets_dir(tmp_path)
    fake.write_babi(folder)
    fake.write_nietzsche(folder, n_chars=500)

    def refuse(*args, **kwargs):
        raise AssertionError("get_file must not download a cached file")
    monkeypatch.setattr(data_utils.urllib.request, "urlopen", refuse)
    babi = data_utils.get_file("babi-tasks-v1-2.tar.gz", origin="https://example.invalid/babi")
    text = data_utils.get_file("nietzsche.txt", origin="https://example.invalid/n.txt")
    assert os.path.dirname(babi) == folder and tarfile.is_tarfile(babi)
    with open(text) as f:
        corpus = f.read()
    assert len(corpus) == 500 and len(set(corpus.lower())) < 30


def test_fake_text_files_are_deterministic(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for write in (fake.write_nietzsche, fake.write_babi):
        first, second = write(tmp_path / "a"), write(tmp_path / "b")
        if write is fake.write_babi:  # gzip stores a timestamp: compare the members
            with tarfile.open(first) as a, tarfile.open(second) as b:
                assert [a.extractfile(m).read() for m in a] == [b.extractfile(m).read() for m in b]
        else:
            with open(first, "rb") as a, open(second, "rb") as b:
                assert a.read() == b.read()


EDITED = sorted(k for k, example in SCRIPTS.items() if example.edits)


@pytest.mark.parametrize("test_id", EDITED)
def test_each_edit_replaces_one_line_of_the_real_script(test_id):
    example = SCRIPTS[test_id]
    source = script_source(example.script)
    if source is None:
        pytest.skip("set KERAS_EXAMPLES_DIR or KERAS_REPO to read the Keras 1.2.2 examples")
    edited = prepared_source(example, source)
    changed = [(a, b) for a, b in zip(source.splitlines(), edited.splitlines()) if a != b]
    assert len(source.splitlines()) == len(edited.splitlines())
    assert len(changed) == len(example.edits)
    for _old, new, why in example.edits:
        assert why and sum(new.strip("\n") in line for _, line in changed) == 1


def test_prepared_source_refuses_an_edit_that_does_not_match():
    example = SCRIPTS[EDITED[0]]
    with pytest.raises(AssertionError, match="expected one"):
        prepared_source(example, "print('no such line')\n")
