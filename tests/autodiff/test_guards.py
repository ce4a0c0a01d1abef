"""The leak guards of tests/conftest.py do what they promise."""
from __future__ import annotations

from tests.conftest import reset_learning_phase, restore_grad_mode
from tinygrad_keras import backend as K
from tinygrad_keras import no_grad
from tinygrad_keras.autodiff import is_grad_enabled


def test_a_leaked_no_grad_is_detected_and_undone():
    assert restore_grad_mode() is False
    no_grad().__enter__()  # entered, never exited: the leak the fixture catches
    assert not is_grad_enabled()
    assert restore_grad_mode() is True and is_grad_enabled()


def test_a_leaked_training_phase_is_reset():
    assert reset_learning_phase() is False
    K.set_learning_phase(1)
    assert reset_learning_phase() is True and K.learning_phase() == 0
