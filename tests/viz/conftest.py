"""Layer names (dense_1, ...) start from 1 in every test of this directory."""
import pytest

from tinygrad_keras import backend as K


@pytest.fixture(autouse=True)
def _fresh_layer_names():
    K.reset_uids()
    yield
