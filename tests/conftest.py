"""Shared test setup: hypothesis profiles, seeding, and leak guards.

Profiles (choose with the ``HYPOTHESIS_PROFILE`` environment variable):

* ``dev`` (default): 15 examples per property, fast enough to run all the time;
* ``ci``: 60 examples, derandomized so CI failures reproduce;
* ``thorough``: 500 examples, for a long run before a release.
"""
from __future__ import annotations

import contextlib
import os
import tempfile

# The suite must not read the developer's ~/.keras/keras.json: an empty configuration folder
# (set before tinygrad_keras.backend is imported; subprocesses inherit it).
os.environ["KERAS_HOME"] = tempfile.mkdtemp(prefix="keras_home_")

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from tinygrad_keras.autodiff.grad_mode import is_grad_enabled, set_grad_enabled

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("dev", max_examples=15, deadline=None, suppress_health_check=_QUIET)
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                          suppress_health_check=_QUIET)
settings.register_profile("thorough", max_examples=500, deadline=None,
                          suppress_health_check=_QUIET)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _seed_numpy():
    """Every test starts from the same global numpy random state."""
    np.random.seed(1234)


def restore_grad_mode() -> bool:
    """Switch graph recording back on; True if it had been left off."""
    if is_grad_enabled():
        return False
    set_grad_enabled(True)
    return True


def reset_learning_phase() -> bool:
    """Put the learning phase back to 0 (test); True if it had been left at 1."""
    try:
        from tinygrad_keras import backend as K
    except ImportError:  # the backend is optional for autodiff-only checkouts
        return False
    if K.learning_phase() == 0:
        return False
    K.set_learning_phase(0)
    return True


@pytest.fixture(autouse=True)
def _no_grad_leak():
    """Fail a test that leaves graph recording switched off (a leaked ``no_grad``),
    after switching it back on so later tests are not affected."""
    yield
    if restore_grad_mode():
        pytest.fail("the test left graph recording off (a no_grad that was never exited)")


@pytest.fixture(autouse=True)
def _reset_learning_phase():
    """A test that leaves the learning phase at 1 must not leak it into the next."""
    yield
    reset_learning_phase()


@pytest.fixture
def one_blas_thread():
    """Limit BLAS to one thread for tests of small models: on a busy 2-core machine a
    second BLAS thread only spins.  threadpoolctl is optional; without it the tests
    just run with numpy's default threads."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        limit = contextlib.nullcontext()
    else:
        limit = threadpool_limits(limits=1, user_api="blas")
    with limit:
        yield
