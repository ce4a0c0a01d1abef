"""Image augmentation and loading (Keras 1.2.2 ``keras.preprocessing.image``).

``ImageDataGenerator`` yields batches of randomly transformed, standardized
images for ``fit_generator``; this is data preparation on numpy arrays, not part
of any model, so it may use scipy (``scipy.ndimage.affine_transform``, nearest
neighbour as in 1.2.2, and ``scipy.linalg.svd`` for ZCA).

An image is a 3-D array: 'th' ``(channels, rows, cols)``, 'tf' ``(rows, cols,
channels)``; a batch adds the sample axis in front.  ``load_img``, ``array_to_img``
and ``img_to_array`` need Pillow, which is optional.
"""
from __future__ import annotations

import os
import re

import numpy as np

from .. import backend as K

try:
    from PIL import Image as pil_image
except ImportError:  # Pillow is optional: only the PIL-facing helpers need it
    pil_image = None


def _need_pil(what: str) -> None:
    if pil_image is None:
        raise ImportError(f"{what} needs Pillow (PIL), which is not installed; "
                          f"install it with `pip install Pillow`.")


def _ordering(dim_ordering: str) -> str:
    dim_ordering = K.image_dim_ordering() if dim_ordering == "default" else dim_ordering
    if dim_ordering not in ("th", "tf"):
        raise ValueError(f"dim_ordering must be 'th' or 'tf', got {dim_ordering!r}")
    return dim_ordering


# ---- affine transforms of one image -------------------------------------------------
def transform_matrix_offset_center(matrix, x, y):
    """``matrix`` (3x3, homogeneous, acting on (row, col)) re-centred so it rotates and
    zooms about the middle of an ``x`` rows by ``y`` cols image.  The centre is
    ``size / 2 + 0.5`` as in Keras 1.2.2 (one cell past the geometric centre
    ``(size - 1) / 2``), kept so that augmentation matches 1.2.2 exactly."""
    o_x, o_y = float(x) / 2 + 0.5, float(y) / 2 + 0.5
    to_centre = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    back = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return to_centre @ matrix @ back


def apply_transform(x, transform_matrix, channel_axis=0, fill_mode="nearest", cval=0.0):
    """Resample each channel of ``x`` at ``transform_matrix @ (row, col, 1)``
    (output-to-input mapping, nearest neighbour); ``fill_mode`` is one of scipy's
    'constant', 'nearest', 'reflect', 'wrap'."""
    from scipy import ndimage

    x = np.moveaxis(x, channel_axis, 0)
    matrix, offset = transform_matrix[:2, :2], transform_matrix[:2, 2]
    channels = [ndimage.affine_transform(c, matrix, offset, order=0, mode=fill_mode, cval=cval)
                for c in x]
    return np.moveaxis(np.stack(channels), 0, channel_axis)


def _rotation(degrees: float) -> np.ndarray:
    t = np.deg2rad(degrees)
    return np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])


def _shear(angle: float) -> np.ndarray:
    return np.array([[1, -np.sin(angle), 0], [0, np.cos(angle), 0], [0, 0, 1]])


def random_rotation(x, rg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                    cval=0.0):
    """Rotate by an angle drawn from U(-rg, rg) degrees, about the centre."""
    m = transform_matrix_offset_center(_rotation(np.random.uniform(-rg, rg)),
                                       x.shape[row_axis], x.shape[col_axis])
    return apply_transform(x, m, channel_axis, fill_mode, cval)


def random_shift(x, wrg, hrg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.0):
    """Shift by fractions U(-hrg, hrg) of the height and U(-wrg, wrg) of the width."""
    tx = np.random.uniform(-hrg, hrg) * x.shape[row_axis]
    ty = np.random.uniform(-wrg, wrg) * x.shape[col_axis]
    m = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
    return apply_transform(x, m, channel_axis, fill_mode, cval)


def random_shear(x, intensity, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.0):
    """Shear by an angle drawn from U(-intensity, intensity) radians."""
    m = transform_matrix_offset_center(_shear(np.random.uniform(-intensity, intensity)),
                                       x.shape[row_axis], x.shape[col_axis])
    return apply_transform(x, m, channel_axis, fill_mode, cval)


def random_zoom(x, zoom_range, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                cval=0.0):
    """Zoom rows and cols by factors drawn from U(zoom_range[0], zoom_range[1])
    (a factor above 1 samples a wider area: the picture shrinks)."""
    if len(zoom_range) != 2:
        raise ValueError(f"zoom_range should be a tuple or list of two floats, got {zoom_range!r}")
    zx, zy = (1, 1) if tuple(zoom_range) == (1, 1) else np.random.uniform(*zoom_range, 2)
    m = transform_matrix_offset_center(np.diag([zx, zy, 1.0]), x.shape[row_axis],
                                       x.shape[col_axis])
    return apply_transform(x, m, channel_axis, fill_mode, cval)


def random_channel_shift(x, intensity, channel_axis=0):
    """Add U(-intensity, intensity) to each channel, clipped to the image's range."""
    lo, hi = np.min(x), np.max(x)
    x = np.moveaxis(x, channel_axis, 0)
    shifted = [np.clip(c + np.random.uniform(-intensity, intensity), lo, hi) for c in x]
    return np.moveaxis(np.stack(shifted), 0, channel_axis)


def flip_axis(x, axis):
    """``x`` reversed along ``axis``."""
    return np.flip(np.asarray(x), axis)


# ---- PIL bridges ---------------------------------------------------------------------
def array_to_img(x, dim_ordering="default", scale=True):
    """A 3-D array as a PIL image (1 channel -> 'L', 3 -> 'RGB'); ``scale`` maps the
    values onto 0..255 first."""
    _need_pil("array_to_img")
    x = np.asarray(x, dtype=K.floatx())
    if x.ndim != 3:
        raise ValueError(f"array_to_img expects a single image of rank 3, got shape {x.shape}")
    if _ordering(dim_ordering) == "th":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x + max(-np.min(x), 0)
        top = np.max(x)
        x = (x / top if top != 0 else x) * 255
    if x.shape[2] == 3:
        return pil_image.fromarray(x.astype("uint8"), "RGB")
    if x.shape[2] == 1:
        return pil_image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"array_to_img: unsupported number of channels {x.shape[2]} (expected 1 or 3)")


def img_to_array(img, dim_ordering="default"):
    """A PIL image as a float array, 'th' ``(channels, rows, cols)`` or 'tf' channels last."""
    th = _ordering(dim_ordering) == "th"
    x = np.asarray(img, dtype=K.floatx())
    if x.ndim == 2:
        x = x[None] if th else x[:, :, None]
    elif x.ndim == 3:
        x = x.transpose(2, 0, 1) if th else x
    else:
        raise ValueError(f"img_to_array: unsupported image shape {x.shape}")
    return x


def load_img(path, grayscale=False, target_size=None):
    """Open an image file as PIL ('L' if ``grayscale`` else 'RGB'), resized to
    ``target_size = (rows, cols)`` when given."""
    _need_pil("load_img")
    img = pil_image.open(path).convert("L" if grayscale else "RGB")
    if target_size:
        img = img.resize((target_size[1], target_size[0]))
    return img


def list_pictures(directory, ext="jpg|jpeg|bmp|png"):
    """Paths of the picture files under ``directory`` (recursively)."""
    pattern = re.compile(r"[\w]+\.(?:" + ext + ")")
    return [os.path.join(root, f) for root, _, files in os.walk(directory) for f in files
            if pattern.match(f)]


_GENERATOR_CLASSES = ("DirectoryIterator", "ImageDataGenerator", "Iterator", "NumpyArrayIterator")


def __getattr__(name: str):
    # The generator classes live in _image_generator.py, which uses this module's functions;
    # importing them on first use lets either module be imported first.
    if name in _GENERATOR_CLASSES:
        from . import _image_generator
        return getattr(_image_generator, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [  # noqa: F822 (the generator classes come from __getattr__)
    "DirectoryIterator",
    "ImageDataGenerator",
    "Iterator",
    "NumpyArrayIterator",
    "apply_transform",
    "array_to_img",
    "flip_axis",
    "img_to_array",
    "list_pictures",
    "load_img",
    "random_channel_shift",
    "random_rotation",
    "random_shear",
    "random_shift",
    "random_zoom",
    "transform_matrix_offset_center",
]
