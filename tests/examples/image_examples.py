"""The four Keras 1.2.2 examples that stand on ``keras.applications``: what to plant and
how to run them (registered in ``test_keras_examples.SCRIPTS``).

``conv_filter_visualization.py``, ``deep_dream.py``, ``neural_style_transfer.py`` and
``neural_doodle.py`` load VGG16/VGG19 with ``weights='imagenet'`` and read pictures
named on their command line.  The runner plants, under the run's ``HOME``:

* the release file 1.2.2 fetches (``vgg16_weights_th_dim_ordering_th_kernels_notop.h5``
  and so on) in ``~/.keras/models``, with random weights of the right names and shapes
  (``tests/applications/fake_releases.py``).  ``get_file`` warns that its MD5 is not the
  published one and uses it.  Each file is written once per test session and linked
  into each run's folder (VGG19's is 80 MB);
* small PNG pictures (and, for the doodle, two-colour masks) in the run's folder.

Their own bugs on today's libraries, each recorded as an expected failure of the
unchanged script and fixed by a one-line edit in the variants:

* ``from scipy.misc import imsave`` (and ``imread``): SciPy 1.2 removed both (they
  needed PIL).  The edit defines them with PIL itself: ``imsave`` saves the array as
  8-bit pixels (the scripts pass uint8 pictures, or, in the filter visualisation,
  floats holding whole numbers 0-255, which ``np.uint8`` keeps; scipy would have
  stretched that picture's range to 0-255 first), ``imread`` gives the pixels as an
  array.
* ``neural_doodle.py`` uses Python 2's ``xrange`` (three lines): ``range``.

The ``*_tf`` runs write a ``keras.json`` choosing 'tf' (channels last) and plant the 'tf'
release: the scripts branch on ``K.image_dim_ordering()``.

Fast-run edits (``*_short``) cut picture sizes, iterations and, for the filter
visualisation, the number of filters; the picture sizes are kept large enough that
every layer the loss reads has pixels left after the scripts' border crops.
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import numpy as np

IMSAVE_ERROR = "cannot import name 'imsave' from 'scipy.misc'"
IMREAD_ERROR = "cannot import name 'imread' from 'scipy.misc'"
PIL_IMSAVE = ("from scipy.misc import imsave",
              ("from PIL.Image import fromarray; "
              "imsave = lambda path, arr: fromarray(np.uint8(arr)).save(path)"),
              "SciPy 1.2 removed scipy.misc.imsave; PIL (which it wrapped) saves the pixels")
PIL_IMREAD_IMSAVE = (
    "from scipy.misc import imread, imsave",
    ("from PIL.Image import fromarray, open as pil_open; "
    "imread = lambda path: np.asarray(pil_open(path)); "
    "imsave = lambda path, arr: fromarray(np.uint8(arr)).save(path)"),
    "SciPy 1.2 removed scipy.misc.imread and imsave; PIL (which they wrapped) does both")
PY3_XRANGE = (
    ("style_mask = np.stack([style_mask_label == r for r in xrange(nb_labels)],",
     "style_mask = np.stack([style_mask_label == r for r in range(nb_labels)],",
     "Python 3 has no xrange (it is range)"),
    ("target_mask = np.stack([target_mask_label == r for r in xrange(nb_labels)],",
     "target_mask = np.stack([target_mask_label == r for r in range(nb_labels)],",
     "the same, second line"),
    ("    for i in xrange(nb_labels):", "    for i in range(nb_labels):", "the same, third line"))

_PLANTED: dict = {}   # (network, ordering) -> path of the release file written this session


def _session_folder() -> str:
    if "folder" not in _PLANTED:
        folder = tempfile.mkdtemp(prefix="tinygrad_keras_releases_")
        atexit.register(shutil.rmtree, folder, True)
        _PLANTED["folder"] = folder
    return _PLANTED["folder"]


def _release_file(network: str, ordering: str) -> str:
    """The no-top ImageNet release of ``network`` ('vgg16' or 'vgg19') for ``ordering``,
    written (random weights) on first use and reused for the rest of the session."""
    key = (network, ordering)
    if key not in _PLANTED:
        from tests.applications.fake_releases import write_release
        from tinygrad_keras import backend as K
        from tinygrad_keras.applications import vgg16, vgg19
        module = vgg16 if network == "vgg16" else vgg19
        build = module.VGG16 if network == "vgg16" else module.VGG19
        previous = K.image_dim_ordering()
        K.set_image_dim_ordering(ordering)
        try:
            model = build(weights=None, include_top=False)
        finally:
            K.set_image_dim_ordering(previous)
        path = os.path.join(_session_folder(), module.RELEASES[(ordering, False)].fname)
        write_release(model, path)
        _PLANTED[key] = path
    return _PLANTED[key]


def plant_release(network: str, ordering: str = "th"):
    """A writer (called with ``<home>/.keras/datasets``) linking the release into
    ``<home>/.keras/models``."""
    def write(datasets_folder: str) -> None:
        path = _release_file(network, ordering)
        models = os.path.join(os.path.dirname(datasets_folder), "models")
        os.makedirs(models, exist_ok=True)
        os.symlink(path, os.path.join(models, os.path.basename(path)))
    write.__name__ = f"plant_{network}_{ordering}"
    return write


def _home(datasets_folder: str) -> str:
    return os.path.dirname(os.path.dirname(datasets_folder))


def picture(rows: int, cols: int, seed: int) -> np.ndarray:
    """A smooth colourful ``(rows, cols, 3)`` uint8 picture (sums of random waves)."""
    rng = np.random.default_rng(seed)
    r, c = np.mgrid[0:rows, 0:cols] / max(rows, cols)
    channels = [np.sin(2 * np.pi * (rng.uniform(0.5, 3) * r + rng.uniform(0.5, 3) * c)
                       + rng.uniform(0, 2 * np.pi)) for _ in range(3)]
    return np.clip(127.5 + 120 * np.stack(channels, axis=-1), 0, 255).astype("uint8")


def mask(rows: int, cols: int, split: float) -> np.ndarray:
    """A two-colour ``(rows, cols, 3)`` uint8 doodle: red above ``split`` of the height,
    blue below."""
    out = np.zeros((rows, cols, 3), dtype="uint8")
    cut = int(rows * split)
    out[:cut, :, 0] = 255
    out[cut:, :, 2] = 255
    return out


def plant_pictures(**files):
    """A writer saving ``{file_name: array}`` as PNG files in the run's folder."""
    def write(datasets_folder: str) -> None:
        from PIL import Image
        for name, array in files.items():
            Image.fromarray(array).save(os.path.join(_home(datasets_folder), name + ".png"))
    return write


TF_ORDERING = '{"image_dim_ordering": "tf", "floatx": "float32", "epsilon": 1e-07}'
FILTERS_SHORT = (
    ("img_width = 128", "img_width = 48", "fast run: 48x48 pictures, not 128x128"),
    ("img_height = 128", "img_height = 48", "the same, height"),
    ("for filter_index in range(0, 200):", "for filter_index in range(0, 4):",
     "fast run: 4 of the 200 filters"),
    ("for i in range(20):", "for i in range(3):", "fast run: 3 of the 20 ascent steps"),
    ("n = 8", "n = 1", ("fast run: save the best filter (1x1), not 64; with random "
                          "weights some filters stay at 0 and are dropped")))
DREAM_SHORT = (
    ("img_height = 600", "img_height = 96", ("fast run: 96x96 dreams, not 600x600 (block5 "
                                            "keeps 2x2 pixels inside its 2-pixel border)")),
    ("img_width = 600", "img_width = 96", "the same, width"),
    ("for i in range(5):", "for i in range(1):", "fast run: 1 of the 5 jitter rounds"),
    ("maxfun=7)", "maxfun=3)", "fast run: 3 of the 7 L-BFGS evaluations per round"))
STYLE_SHORT = (("img_nrows = 400", "img_nrows = 32", "fast run: 32-row pictures, not 400"),
               ("maxfun=20)", "maxfun=5)", "fast run: 5 of the 20 L-BFGS evaluations"))
DOODLE_SHORT = (("for i in range(50):", "for i in range(1):", "fast run: 1 of 50 rounds"),
                ("maxfun=20)", "maxfun=5)", "fast run: 5 of the 20 L-BFGS evaluations"))
DOODLE_ARGS = ("--nlabels", "2", "--style-image", "style.png", "--style-mask", "style_mask.png",
               "--target-mask", "target_mask.png", "--target-image-prefix", "doodle")


def image_scripts(example) -> dict:
    """test id -> ``example(...)`` (the runner's Example class) for the four scripts.

    Wall times of the short runs on the loaded 2-core machine, planting included: filter
    visualisation 16 s ('th') and 16 s ('tf'), deep dream 18 s, style transfer 19 s and
    21 s ('tf'), doodle 33 s (writing the 80 MB VGG19 file is part of it).  The full doodle
    took 50-70 s per round (50 rounds); the other full runs compute on 128-600 pixel
    pictures for up to an hour or more.
    """
    vgg16_th, vgg19_th = plant_release("vgg16"), plant_release("vgg19")
    vgg16_tf = plant_release("vgg16", "tf")
    photos = plant_pictures(base=picture(40, 48, 1), style=picture(48, 48, 2))
    doodles = plant_pictures(style=picture(32, 32, 3), content=picture(32, 32, 4),
                             style_mask=mask(32, 32, 0.4), target_mask=mask(32, 32, 0.6))
    style_args = ("base.png", "style.png", "styled")
    return {
        "conv_filter_visualization": example("conv_filter_visualization.py", (), False, "",
                                             fails_with=IMSAVE_ERROR),
        "conv_filter_visualization_pil_short": example(
            "conv_filter_visualization.py", (vgg16_th,), False,
            ("Current loss value:", "Filter 3 processed"), edits=(PIL_IMSAVE,) + FILTERS_SHORT,
            outputs=("stitched_filters_1x1.png",)),
        "conv_filter_visualization_pil_short_tf": example(
            "conv_filter_visualization.py", (vgg16_tf,), False,
            ("Current loss value:", "Filter 3 processed"), edits=(PIL_IMSAVE,) + FILTERS_SHORT,
            outputs=("stitched_filters_1x1.png",), keras_json=TF_ORDERING),
        "conv_filter_visualization_pil": example(
            "conv_filter_visualization.py", (vgg16_th,), True, "Filter 199 processed",
            edits=(PIL_IMSAVE,), outputs=("stitched_filters_8x8.png",)),
        "deep_dream": example("deep_dream.py", (), False, "", fails_with=IMSAVE_ERROR,
                              args=("base.png", "dream")),
        "deep_dream_pil_short": example(
            "deep_dream.py", (vgg16_th, photos), False,
            ("Current loss value:", "Iteration 0 completed"), edits=(PIL_IMSAVE,) + DREAM_SHORT,
            args=("base.png", "dream"), outputs=("dream_at_iteration_0.png",)),
        "deep_dream_pil": example(
            "deep_dream.py", (vgg16_th, photos), True, "Iteration 4 completed",
            edits=(PIL_IMSAVE,), args=("base.png", "dream"),
            outputs=("dream_at_iteration_4.png",)),
        "neural_style_transfer": example("neural_style_transfer.py", (), False, "",
                                         fails_with=IMSAVE_ERROR, args=style_args),
        "neural_style_transfer_pil_short": example(
            "neural_style_transfer.py", (vgg16_th, photos), False,
            ("Current loss value:", "Iteration 0 completed"), edits=(PIL_IMSAVE,) + STYLE_SHORT,
            args=style_args + ("--iter", "1"), outputs=("styled_at_iteration_0.png",)),
        "neural_style_transfer_pil_short_tf": example(
            "neural_style_transfer.py", (vgg16_tf, photos), False,
            ("Current loss value:", "Iteration 0 completed"), edits=(PIL_IMSAVE,) + STYLE_SHORT,
            args=style_args + ("--iter", "1"), outputs=("styled_at_iteration_0.png",),
            keras_json=TF_ORDERING),
        "neural_style_transfer_pil": example(
            "neural_style_transfer.py", (vgg16_th, photos), True, "Iteration 9 completed",
            edits=(PIL_IMSAVE,), args=style_args, outputs=("styled_at_iteration_9.png",)),
        "neural_doodle": example("neural_doodle.py", (), False, "", fails_with=IMREAD_ERROR,
                                 args=DOODLE_ARGS),
        "neural_doodle_pil_py3_short": example(
            "neural_doodle.py", (vgg19_th, doodles), False,
            ("Current loss value:", "Iteration 0 completed"),
            edits=(PIL_IMREAD_IMSAVE,) + PY3_XRANGE + DOODLE_SHORT,
            args=DOODLE_ARGS + ("--content-image", "content.png"),
            outputs=("doodle_at_iteration_0.png",), needs=("sklearn",)),
        "neural_doodle_pil_py3": example(
            "neural_doodle.py", (vgg19_th, doodles), True, "Iteration 49 completed",
            edits=(PIL_IMREAD_IMSAVE,) + PY3_XRANGE, args=DOODLE_ARGS,
            outputs=("doodle_at_iteration_49.png",)),
    }
