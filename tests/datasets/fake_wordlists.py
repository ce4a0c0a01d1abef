"""A planted stand-in for the word lists Keras 1.2.2's ``examples/image_ocr.py`` downloads
(``wordlists.tgz``: ``wordlist_mono_clean.txt``, one word a line, and
``wordlist_bi_clean.txt``, word pairs), so the example runs offline.

The words are generated letter strings, not English: the script only needs lowercase
strings short enough for its curriculum (16 000 monograms of at most 4 letters for
its first epochs), and generated text carries no licence question.
"""
from __future__ import annotations

import io
import itertools
import os
import string
import tarfile

MONOGRAMS = 16000      # image_ocr.py's first build_word_list(16000, 4, 1)
BIGRAMS = 16000        # its later build_word_list(32000, 12, 0.5) takes half from here


def _words() -> list:
    short = ["".join(p) for n in (1, 2, 3) for p in itertools.product(string.ascii_lowercase,
                                                                      repeat=n)]
    return short[:MONOGRAMS]


def write_wordlists(folder: str) -> str:
    """``<folder>/wordlists.tgz.tar.gz``, the archive ``get_file('wordlists.tgz', ...,
    untar=True)`` extracts into ``folder``."""
    words = _words()
    pairs = [f"{a} {b} {n}" for n, (a, b) in enumerate(zip(words, reversed(words)))][:BIGRAMS]
    path = os.path.join(folder, "wordlists.tgz.tar.gz")
    with tarfile.open(path, "w:gz") as archive:
        for name, lines in (("wordlist_mono_clean.txt", words),
                            ("wordlist_bi_clean.txt", pairs)):
            data = ("\n".join(lines) + "\n").encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path
