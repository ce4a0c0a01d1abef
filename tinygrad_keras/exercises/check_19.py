"""Checker of exercise 19 (tutorial "Inside a pretrained network")."""
from __future__ import annotations

import numpy as np

from ..applications.imagenet_utils import preprocess_input


def _pictures(rng) -> np.ndarray:
    """Two RGB uint8 pictures (rows 5, cols 7), with extreme values to test clipping."""
    pics = rng.integers(0, 256, size=(2, 5, 7, 3)).astype("uint8")
    pics[0, 0, 0] = [255, 0, 0]                      # pure red: tells RGB from BGR
    return pics


def _check_deprocess(module, rng) -> None:
    for ordering in ("th", "tf"):
        pics = _pictures(rng)
        batch = pics.transpose(0, 3, 1, 2) if ordering == "th" else pics
        x = preprocess_input(batch.astype("float32"), dim_ordering=ordering)[:1]
        got = np.asarray(module.deprocess_image(x, ordering))
        assert got.shape == (5, 7, 3), (f"deprocess_image({ordering!r}) should return "
                                        f"(rows, cols, 3) = (5, 7, 3); got {got.shape}")
        assert got.dtype == np.uint8, f"deprocess_image should return uint8, got {got.dtype}"
        assert tuple(got[0, 0]) == (255, 0, 0), (
            f"a pure red pixel came back as {tuple(got[0, 0])}: are the channels turned from "
            f"BGR back to RGB? ({ordering!r} ordering)")
        assert np.abs(got.astype(int) - pics[0]).max() <= 1, (
            f"deprocess_image(preprocess_input(pictures)) should give the pictures back "
            f"({ordering!r}); largest difference {np.abs(got.astype(int) - pics[0]).max()}")
        far = x * 10
        out = np.asarray(module.deprocess_image(far, ordering))
        assert out.dtype == np.uint8 and out.max() == 255 and out.min() == 0, (
            "values outside 0..255 must be clipped before the cast to uint8 (a cast alone "
            "wraps 300 round to 44)")


def _check_saliency(module, rng) -> None:
    grad = rng.normal(size=(1, 3, 4, 6))
    grad[0, 2, 1, 1] = -9.0                          # the strongest, and negative
    for ordering in ("th", "tf"):
        g = grad if ordering == "th" else grad.transpose(0, 2, 3, 1)
        got = np.asarray(module.saliency_map(g, ordering))
        want = np.abs(grad[0]).max(axis=0) / 9.0
        assert got.shape == (4, 6), (f"saliency_map({ordering!r}) should be (rows, cols) = "
                                     f"(4, 6); got {got.shape}")
        assert np.isclose(got[1, 1], 1.0), ("the strongest gradient is negative (-9): the map "
                                            "uses |grad|, so that pixel should be 1")
        assert np.allclose(got, want), (f"saliency_map({ordering!r}) should be max over the "
                                        f"channels of |grad|, divided by its maximum")
    zeros = np.asarray(module.saliency_map(np.zeros((1, 3, 2, 2)), "th"))
    assert np.all(zeros == 0) and np.all(np.isfinite(zeros)), \
        "an all-zero gradient should give an all-zero map (not NaN from 0/0)"


def check(module) -> None:
    """Raise AssertionError (in the learner's terms) unless both functions are right."""
    rng = np.random.default_rng(19)
    _check_deprocess(module, rng)
    _check_saliency(module, rng)
