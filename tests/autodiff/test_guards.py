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


def test_a_decorated_function_that_calls_itself_restores_recording():
    from tinygrad_keras.autodiff import enable_grad

    @no_grad()
    def countdown(n):  # the same decorator object is entered again before it is left
        assert not is_grad_enabled()
        with enable_grad():
            assert is_grad_enabled()
        return countdown(n - 1) if n else "done"

    assert countdown(3) == "done"
    assert is_grad_enabled()
