"""The ``>>>`` examples in the docstrings of the 3-D, locally connected, convolutional
recurrent and CTC modules run, and each module has some."""
import doctest
import importlib

import pytest

MODULES = ["tinygrad_keras.layers._volumetric", "tinygrad_keras.layers.local",
           "tinygrad_keras.layers.convolutional_recurrent", "tinygrad_keras.layers.pooling",
           "tinygrad_keras.layers._time_dense", "tinygrad_keras.autodiff.volumetric",
           "tinygrad_keras._backend.ctc"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
