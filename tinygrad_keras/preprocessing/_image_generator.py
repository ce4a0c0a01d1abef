"""``ImageDataGenerator`` and the batch iterators behind ``flow`` and
``flow_from_directory`` (re-exported by ``preprocessing.image``)."""
from __future__ import annotations

import os
import threading
import warnings

import numpy as np

from .. import backend as K
from . import image as I

_PICTURE_EXTENSIONS = ("png", "jpg", "jpeg", "bmp")


class ImageDataGenerator:
    """Random augmentation plus standardization of image batches, Keras 1.2.2 arguments.

    Augmentation (``random_transform``, per image): one affine map combining a
    rotation (``rotation_range`` degrees), a shift (``width_shift_range``,
    ``height_shift_range``: fractions of the size), a shear (``shear_range``
    radians) and a zoom (``zoom_range``: z -> U(1-z, 1+z), or a pair), resampled
    nearest-neighbour with ``fill_mode``/``cval``; then ``channel_shift_range``
    and random horizontal/vertical flips.

    Standardization (``standardize``, in this order): ``preprocessing_function``,
    ``rescale``, samplewise centering / std normalization (as in 1.2.2: over the
    *channel axis* of each pixel), featurewise centering / std normalization and
    ZCA whitening with the statistics learnt by ``fit``.
    """

    def __init__(self, featurewise_center=False, samplewise_center=False,
                 featurewise_std_normalization=False, samplewise_std_normalization=False,
                 zca_whitening=False, rotation_range=0.0, width_shift_range=0.0,
                 height_shift_range=0.0, shear_range=0.0, zoom_range=0.0,
                 channel_shift_range=0.0, fill_mode="nearest", cval=0.0, horizontal_flip=False,
                 vertical_flip=False, rescale=None, preprocessing_function=None,
                 dim_ordering="default"):
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = zca_whitening
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.shear_range = shear_range
        self.channel_shift_range = channel_shift_range
        self.fill_mode, self.cval = fill_mode, cval
        self.horizontal_flip, self.vertical_flip = horizontal_flip, vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.dim_ordering = I._ordering(dim_ordering)
        self.channel_axis, self.row_axis, self.col_axis = (
            (1, 2, 3) if self.dim_ordering == "th" else (3, 1, 2))
        self.mean = self.std = self.principal_components = None
        if np.isscalar(zoom_range):
            self.zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif len(zoom_range) == 2:
            self.zoom_range = [zoom_range[0], zoom_range[1]]
        else:
            raise ValueError(f"ImageDataGenerator: `zoom_range` must be a float or a pair of "
                             f"floats, got {zoom_range!r}")

    # ---- batches ---------------------------------------------------------------
    def flow(self, X, y=None, batch_size=32, shuffle=True, seed=None, save_to_dir=None,
             save_prefix="", save_format="jpeg"):
        """Endless iterator of ``(x_batch, y_batch)`` (or ``x_batch`` when ``y`` is None)."""
        return NumpyArrayIterator(X, y, self, batch_size=batch_size, shuffle=shuffle, seed=seed,
                                  dim_ordering=self.dim_ordering, save_to_dir=save_to_dir,
                                  save_prefix=save_prefix, save_format=save_format)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode="rgb",
                            classes=None, class_mode="categorical", batch_size=32, shuffle=True,
                            seed=None, save_to_dir=None, save_prefix="", save_format="jpeg",
                            follow_links=False):
        """Endless iterator over pictures in one sub-directory per class (needs Pillow)."""
        return DirectoryIterator(directory, self, target_size=target_size, color_mode=color_mode,
                                 classes=classes, class_mode=class_mode,
                                 dim_ordering=self.dim_ordering, batch_size=batch_size,
                                 shuffle=shuffle, seed=seed, save_to_dir=save_to_dir,
                                 save_prefix=save_prefix, save_format=save_format,
                                 follow_links=follow_links)

    # ---- one image ---------------------------------------------------------------
    def standardize(self, x):
        """Normalize one image (a new array; the input is not changed)."""
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        x = np.array(x, dtype=K.floatx())
        if self.rescale:
            x *= self.rescale
        channel = self.channel_axis - 1
        if self.samplewise_center:
            x -= np.mean(x, axis=channel, keepdims=True)
        if self.samplewise_std_normalization:
            x /= np.std(x, axis=channel, keepdims=True) + 1e-7
        if self.featurewise_center:
            x = self._with_fitted("mean", "featurewise_center", lambda m: x - m, x)
        if self.featurewise_std_normalization:
            x = self._with_fitted("std", "featurewise_std_normalization",
                                  lambda s: x / (s + 1e-7), x)
        if self.zca_whitening:
            x = self._with_fitted("principal_components", "zca_whitening",
                                  lambda pc: (x.reshape(-1) @ pc).reshape(x.shape), x)
        return x.astype(K.floatx(), copy=False)

    def _with_fitted(self, attr, option, apply, x):
        value = getattr(self, attr)
        if value is None:
            warnings.warn(f"This ImageDataGenerator specifies `{option}`, but it hasn't been "
                          f"fit on any training data. Fit it first by calling `.fit(numpy_data)`.")
            return x
        return apply(value)

    def _affine(self, h, w):
        """The combined random affine map (3x3, on (row, col)), or None for identity."""
        theta = np.random.uniform(-self.rotation_range, self.rotation_range) \
            if self.rotation_range else 0.0
        tx = np.random.uniform(-self.height_shift_range, self.height_shift_range) * h \
            if self.height_shift_range else 0.0
        ty = np.random.uniform(-self.width_shift_range, self.width_shift_range) * w \
            if self.width_shift_range else 0.0
        shear = np.random.uniform(-self.shear_range, self.shear_range) \
            if self.shear_range else 0.0
        zx, zy = (1, 1) if self.zoom_range[0] == 1 and self.zoom_range[1] == 1 else \
            np.random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        shift = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
        m = I._rotation(theta) @ shift @ I._shear(shear) @ np.diag([zx, zy, 1.0])
        if np.allclose(m, np.eye(3)):
            return None
        return I.transform_matrix_offset_center(m, h, w)

    def random_transform(self, x):
        """One randomly augmented copy of the image ``x`` (3-D, this generator's ordering)."""
        row, col, channel = self.row_axis - 1, self.col_axis - 1, self.channel_axis - 1
        m = self._affine(x.shape[row], x.shape[col])
        if m is not None:
            x = I.apply_transform(x, m, channel, self.fill_mode, self.cval)
        if self.channel_shift_range != 0:
            x = I.random_channel_shift(x, self.channel_shift_range, channel)
        if self.horizontal_flip and np.random.random() < 0.5:
            x = I.flip_axis(x, col)
        if self.vertical_flip and np.random.random() < 0.5:
            x = I.flip_axis(x, row)
        return x

    # ---- statistics ------------------------------------------------------------------
    def fit(self, x, augment=False, rounds=1, seed=None):
        """Learn the featurewise mean/std and the ZCA matrix from ``x`` (rank 4),
        optionally over ``rounds`` augmented passes."""
        from scipy import linalg

        x = np.array(x, dtype=K.floatx())
        _check_images(x, self.channel_axis, self.dim_ordering, "ImageDataGenerator.fit")
        if seed is not None:
            np.random.seed(seed)
        if augment:
            x = np.stack([self.random_transform(img) for _ in range(rounds) for img in x])
        shape = [1, 1, 1]
        shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        axes = (0, self.row_axis, self.col_axis)
        if self.featurewise_center:
            self.mean = np.mean(x, axis=axes).reshape(shape)
            x = x - self.mean
        if self.featurewise_std_normalization:
            self.std = np.std(x, axis=axes).reshape(shape)
            x = x / (self.std + K.epsilon())
        if self.zca_whitening:
            flat = x.reshape(len(x), -1)
            sigma = flat.T @ flat / len(flat)
            u, s, _ = linalg.svd(sigma)
            self.principal_components = (u * (1.0 / np.sqrt(s + 1e-6))) @ u.T


def _check_images(x, channel_axis, dim_ordering, where):
    if x.ndim != 4:
        raise ValueError(f"{where}: expected a rank-4 array of images, got shape {x.shape}")
    if x.shape[channel_axis] not in (1, 3, 4):
        raise ValueError(f"{where}: with dim_ordering {dim_ordering!r} the channels are on axis "
                         f"{channel_axis} and must number 1, 3 or 4; got shape {x.shape} "
                         f"({x.shape[channel_axis]} channels)")


class Iterator:
    """Endless batches of indices into ``n`` samples; reshuffled at each pass when
    ``shuffle``; the last batch of a pass is smaller when ``batch_size`` does not
    divide ``n``.  Thread-safe ``next()``."""

    def __init__(self, n, batch_size, shuffle, seed):
        self.n, self.batch_size, self.shuffle, self.seed = n, batch_size, shuffle, seed
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_generator = self._flow_index()

    def reset(self):
        self.batch_index = 0

    def _flow_index(self):
        order = np.arange(self.n)
        while True:
            if self.seed is not None:  # as 1.2.2: reproducible batches from the seed
                np.random.seed(self.seed + self.total_batches_seen)
            if self.batch_index == 0:
                order = np.random.permutation(self.n) if self.shuffle else np.arange(self.n)
            start = (self.batch_index * self.batch_size) % self.n
            size = min(self.batch_size, self.n - start)
            self.batch_index = self.batch_index + 1 if start + size < self.n else 0
            self.total_batches_seen += 1
            yield order[start:start + size], start, size

    def __iter__(self):
        return self

    def __next__(self):
        return self.next()

    def _save(self, batch_x, start):
        for i, img in enumerate(batch_x):
            name = f"{self.save_prefix}_{start + i}_{np.random.randint(10 ** 4)}.{self.save_format}"
            I.array_to_img(img, self.dim_ordering, scale=True).save(
                os.path.join(self.save_to_dir, name))


class NumpyArrayIterator(Iterator):
    """Batches of ``image_data_generator``-transformed images from arrays ``x`` (and ``y``)."""

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False, seed=None,
                 dim_ordering="default", save_to_dir=None, save_prefix="", save_format="jpeg"):
        if y is not None and len(x) != len(y):
            raise ValueError(f"X (images) and y (labels) should have the same length; found "
                             f"X.shape = {np.asarray(x).shape}, y.shape = {np.asarray(y).shape}")
        self.dim_ordering = I._ordering(dim_ordering)
        self.x = np.asarray(x, dtype=K.floatx())
        _check_images(self.x, 3 if self.dim_ordering == "tf" else 1, self.dim_ordering,
                      "NumpyArrayIterator")
        self.y = None if y is None else np.asarray(y)
        self.image_data_generator = image_data_generator
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        super().__init__(len(self.x), batch_size, shuffle, seed)

    def next(self):
        with self.lock:
            index, start, _ = next(self.index_generator)
        gen = self.image_data_generator
        batch_x = np.stack([gen.standardize(gen.random_transform(self.x[j])) for j in index])
        if self.save_to_dir:
            self._save(batch_x, start)
        return batch_x if self.y is None else (batch_x, self.y[index])


class DirectoryIterator(Iterator):
    """Batches of pictures read from ``directory/<class>/*.png|jpg|...`` (needs Pillow).

    ``class_mode``: 'categorical' (one-hot), 'binary', 'sparse' (class index) or
    None (images only).  Classes are the sub-directory names in sorted order.
    """

    def __init__(self, directory, image_data_generator, target_size=(256, 256),
                 color_mode="rgb", dim_ordering="default", classes=None,
                 class_mode="categorical", batch_size=32, shuffle=True, seed=None,
                 save_to_dir=None, save_prefix="", save_format="jpeg", follow_links=False):
        if color_mode not in ("rgb", "grayscale"):
            raise ValueError(f"color_mode must be 'rgb' or 'grayscale', got {color_mode!r}")
        if class_mode not in ("categorical", "binary", "sparse", None):
            raise ValueError(f"class_mode must be 'categorical', 'binary', 'sparse' or None, "
                             f"got {class_mode!r}")
        self.directory, self.image_data_generator = directory, image_data_generator
        self.target_size, self.color_mode = tuple(target_size), color_mode
        self.dim_ordering = I._ordering(dim_ordering)
        depth = (3,) if color_mode == "rgb" else (1,)
        self.image_shape = (depth + self.target_size if self.dim_ordering == "th"
                            else self.target_size + depth)
        self.class_mode = class_mode
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        classes = classes or sorted(d for d in os.listdir(directory)
                                    if os.path.isdir(os.path.join(directory, d)))
        self.nb_class = len(classes)
        self.class_indices = {c: i for i, c in enumerate(classes)}
        self.filenames, labels = [], []
        for c in classes:
            root = os.path.join(directory, c)
            for base, _, files in sorted(os.walk(root, followlinks=follow_links)):
                for f in sorted(files):
                    if f.lower().rsplit(".", 1)[-1] in _PICTURE_EXTENSIONS:
                        self.filenames.append(os.path.relpath(os.path.join(base, f), directory))
                        labels.append(self.class_indices[c])
        self.nb_sample = len(self.filenames)
        self.classes = np.array(labels, dtype="int32")
        print(f"Found {self.nb_sample} images belonging to {self.nb_class} classes.")
        super().__init__(self.nb_sample, batch_size, shuffle, seed)

    def next(self):
        with self.lock:
            index, start, _ = next(self.index_generator)
        gen, grayscale = self.image_data_generator, self.color_mode == "grayscale"
        images = []
        for j in index:
            img = I.load_img(os.path.join(self.directory, self.filenames[j]), grayscale,
                             self.target_size)
            x = I.img_to_array(img, dim_ordering=self.dim_ordering)
            images.append(gen.standardize(gen.random_transform(x)))
        batch_x = np.stack(images).astype(K.floatx())
        if self.save_to_dir:
            self._save(batch_x, start)
        labels = self.classes[index]
        if self.class_mode is None:
            return batch_x
        if self.class_mode == "sparse":
            return batch_x, labels
        if self.class_mode == "binary":
            return batch_x, labels.astype(K.floatx())
        return batch_x, np.eye(self.nb_class, dtype=K.floatx())[labels]
