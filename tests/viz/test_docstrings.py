"""The ``>>>`` examples in the docstrings of the inspection modules run."""
import doctest
import importlib

import pytest

MODULES = ["tinygrad_keras.engine.inspection", "tinygrad_keras.callbacks.inspection",
           "tinygrad_keras.utils.plotting", "tinygrad_keras.utils.visualize_util",
           "tinygrad_keras.autodiff.profiler", "tinygrad_keras.autodiff.viz"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
