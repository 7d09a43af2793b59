"""Image feature networks: any Keras model, and InceptionV3 pool features.

`ImageFeatures(model, image_size)` turns a Keras model into a feature
function for the statistics in `keras_gans.metrics`: it takes NHWC images
(uint8 in [0, 255] or floats in [-1, 1]), repeats grey images to three
channels when the model wants three, resizes them with bilinear
interpolation (no antialiasing: `keras.layers.Resizing(..., "bilinear")`,
half-pixel centres on every backend) and returns float32 features in batches.

`InceptionV3Features()` is that for `keras.applications.InceptionV3
(include_top=False, pooling="avg")`: 2,048 pool features of 299x299 images in
[-1, 1] (the scaling Keras' `inception_v3.preprocess_input` produces). The
protocol, to write next to every score: "Keras InceptionV3 ImageNet weights,
avg-pool features (2048), images in [-1, 1], bilinear resize to 299x299".

Keras' ImageNet InceptionV3 is not the 2015 TensorFlow graph
(`pt_inception-2015-12-05`) behind published FIDs, so these scores rank
models against each other but are not comparable with numbers in papers.
"""

import hashlib
import os

import keras
import numpy as np

from keras_gans.utils import check_positive_int

INCEPTION_V3_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
    "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
)
# The checksum Keras itself pins for this file (an md5, the only one Keras
# publishes; keras/src/applications/inception_v3.py).
INCEPTION_V3_HASH = "bcbd6486424b2319ff4ef7d526e38f63"
INCEPTION_V3_FILENAME = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
INCEPTION_PROTOCOL = (
    "Keras InceptionV3 (ImageNet weights, include_top=False, pooling='avg', 2048 features); "
    "images in [-1, 1], grey repeated to RGB, bilinear resize (no antialias) to 299x299"
)


def _file_hash(path, algorithm):
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_file_hash(path, expected, arg="weights"):
    """Raises a ValueError unless the file's sha256 (64 hex digits) or md5
    (32) equals `expected`."""
    expected = expected.lower()
    if len(expected) == 64:
        algorithm = "sha256"
    elif len(expected) == 32:
        algorithm = "md5"
    else:
        raise ValueError(
            f"`file_hash` must be a sha256 (64 hex digits) or md5 (32); received {expected!r}."
        )
    actual = _file_hash(path, algorithm)
    if actual != expected:
        raise ValueError(
            f"The file passed as `{arg}` ({path!r}) has {algorithm} {actual}, but "
            f"{expected} was expected: it is not the file these scores are defined with "
            "(damaged or a different download). Delete it and fetch it again."
        )


class ImageFeatures:
    """Features of images from any Keras model, resized and batched.

    Args:
        model: a Keras model from `(batch, height, width, channels)` images
            in [-1, 1] to `(batch, d)` features.
        image_size: `(height, width)` the model takes; images of another
            size are resized with bilinear interpolation (no antialiasing).
        batch_size: images per forward pass.

    Calling it on `(n, h, w, c)` images returns float32 `(n, d)` features.
    """

    def __init__(self, model, image_size=None, batch_size=50):
        self.model = model
        self.batch_size = check_positive_int(batch_size, "batch_size")
        shape = model.input_shape
        self.channels = shape[-1]
        if image_size is None:
            image_size = tuple(shape[1:3])
        if len(image_size) != 2 or not all(
            isinstance(s, (int, np.integer)) and s > 0 for s in image_size
        ):
            raise ValueError(
                f"`image_size` must be (height, width) positive integers; received {image_size!r}."
            )
        self.image_size = tuple(int(s) for s in image_size)
        self._wrappers = {}

    def _wrapper(self, shape):
        if shape not in self._wrappers:
            inputs = keras.Input(shape)
            x = inputs
            if shape[-1] == 1 and self.channels == 3:
                x = keras.layers.Concatenate(axis=-1)([x, x, x])
            elif shape[-1] != self.channels:
                raise ValueError(
                    f"`images` have {shape[-1]} channels but the feature network takes "
                    f"{self.channels}."
                )
            if tuple(shape[:2]) != self.image_size:
                x = keras.layers.Resizing(*self.image_size, interpolation="bilinear")(x)
            self._wrappers[shape] = keras.Model(inputs, self.model(x))
        return self._wrappers[shape]

    def __call__(self, images):
        images = np.asarray(keras.ops.convert_to_numpy(images))
        if images.ndim == 3:
            images = images[..., None]
        if images.ndim != 4 or len(images) == 0:
            raise ValueError(
                f"`images` must have shape (n, height, width, channels) with n >= 1; "
                f"received {images.shape}."
            )
        if images.dtype == np.uint8:
            images = images.astype("float32") / 127.5 - 1.0
        images = images.astype("float32")
        if not np.all(np.isfinite(images)):
            raise ValueError("`images` contains NaN or infinite values.")
        wrapper = self._wrapper(tuple(images.shape[1:]))
        features = wrapper.predict(images, batch_size=self.batch_size, verbose=0)
        features = np.asarray(features, dtype="float32")
        return features.reshape(len(features), -1)


class InceptionV3Features(ImageFeatures):
    """InceptionV3 avg-pool features (2,048) of images in [-1, 1] at 299x299.

    Args:
        weights: `"imagenet"` downloads Keras' ImageNet weights (no top) with
            `keras.utils.get_file` into `~/.keras/models` once and checks them
            against the checksum Keras pins; a path loads a local copy of that
            file after the same check; `None` leaves the network random (for
            tests of the plumbing only: its scores mean nothing).
        file_hash: the sha256 (or md5) the file must have; default Keras'
            own checksum of the ImageNet no-top file.
        batch_size: images per forward pass.

    See the module docstring for the protocol and how these scores compare
    with published ones.
    """

    def __init__(self, weights="imagenet", file_hash=None, batch_size=50):
        expected = file_hash or INCEPTION_V3_HASH
        if weights == "imagenet":
            path = keras.utils.get_file(
                INCEPTION_V3_FILENAME,
                INCEPTION_V3_URL,
                cache_subdir="models",
                file_hash=expected,
            )
            check_file_hash(path, expected)
        elif weights is None:
            path = None
        else:
            path = os.fspath(weights)
            if not os.path.isfile(path):
                raise FileNotFoundError(
                    f"`weights` names no file: {path!r}. Pass the path of "
                    f"{INCEPTION_V3_FILENAME}, 'imagenet' to download it from "
                    f"{INCEPTION_V3_URL}, or None for random weights."
                )
            check_file_hash(path, expected)
        model = keras.applications.InceptionV3(
            include_top=False, weights=None, input_shape=(299, 299, 3), pooling="avg"
        )
        if path is not None:
            model.load_weights(path)
        super().__init__(model, image_size=(299, 299), batch_size=batch_size)
        self.protocol = INCEPTION_PROTOCOL
