"""The ``>>>`` examples in the docstrings of utils, datasets and preprocessing modules run."""
import doctest
import importlib

import pytest

MODULES = ["tinygrad_keras.utils.np_utils", "tinygrad_keras.utils.generic_utils",
           "tinygrad_keras.utils.data_utils", "tinygrad_keras.datasets.digits",
           "tinygrad_keras.preprocessing.sequence", "tinygrad_keras.preprocessing.text",
           "tinygrad_keras.callbacks"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_examples_exist():
    found = sum(doctest.testmod(importlib.import_module(n)).attempted for n in MODULES)
    assert found >= 4
