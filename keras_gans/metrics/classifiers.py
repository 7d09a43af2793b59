"""Our own image classifiers, the feature networks of "classifier FID".

FID with InceptionV3 says little about 28x28 digits, so, like TF-GAN's "MNIST
score", the project trains and ships small classifiers for MNIST,
Fashion-MNIST, CIFAR-10 and MNIST-M (the MNIST digits over colour photo
crops, `load_mnist_m`, the target domain of the MNIST -> MNIST-M
translation benchmark) (`zoo/classifiers/`, recipe
`zoo/classifiers/train_classifier.py`, test accuracy and sha256 in the card
next to each file). `classifier(name)` builds the network, checks the
weights' sha256 against the value written here and loads them:

    clf = keras_gans.metrics.classifier("mnist")
    features = clf.features(images)          # (n, 128), the penultimate layer
    probabilities = clf.probabilities(images)  # (n, 10), softmax

Images are NHWC, either uint8 in [0, 255] (real data as loaded by
`keras_gans.datasets.load_numpy`) or floats in [-1, 1] (generator outputs);
uint8 input is mapped to [-1, 1] first. The networks run on any backend; the
same weights give the same features up to float32 rounding.
"""

import collections
import hashlib
import os

import keras
import numpy as np

from keras_gans.utils import check_positive_int

ClassifierSpec = collections.namedtuple(
    "ClassifierSpec", ["name", "input_shape", "num_classes", "filename", "sha256"]
)

# The sha256 of each shipped file; `classifier()` refuses any other file.
SPECS = {
    "mnist": ClassifierSpec(
        "mnist",
        (28, 28, 1),
        10,
        "mnist.weights.h5",
        "139e130129a4b0202f7b72244779cf1c0d25d7299e40182770ef63c06a9a887f",
    ),
    "fashion_mnist": ClassifierSpec(
        "fashion_mnist",
        (28, 28, 1),
        10,
        "fashion_mnist.weights.h5",
        "2a3ac04238e7942533fa8e876cba922a2e444e89513172e9c78b82f423641360",
    ),
    "cifar10": ClassifierSpec(
        "cifar10",
        (32, 32, 3),
        10,
        "cifar10.weights.h5",
        "7826652c2775669a7510f24adb1af6a9fd10e659c443d396055f62dbfab5d3d4",
    ),
    "mnist_m": ClassifierSpec(
        "mnist_m",
        (28, 28, 3),
        10,
        "mnist_m.weights.h5",
        "bd52a8eb06189622f23ffaff1a78ba861ad802300d23cfc0a13a919d0f7660c6",
    ),
}
NAMES = tuple(SPECS)

# The repository's zoo/classifiers/, shipped inside the package through the link
# keras_gans/zoo/files -> zoo (see setup.cfg's package data).
ZOO_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "zoo", "files", "classifiers"
)


def _check_name(name):
    if name not in SPECS:
        raise ValueError(f"Unknown classifier {name!r}; available: {', '.join(NAMES)}.")
    return SPECS[name]


# The seeds of the MNIST-M splits the mnist_m classifier was trained and tested on.
MNIST_M_SEEDS = {"train": 0, "test": 1}


def load_mnist_m(split="test", data_dir=None):
    """The MNIST-M split of the `"mnist_m"` classifier, `(images, labels)`.

    The MNIST `split` digits blended over crops of the CIFAR-10 photos of the
    same split by `keras_gans.datasets.mnist_m`, with the seed in
    `MNIST_M_SEEDS`: uint8 `(n, 28, 28, 3)` and int64 `(n,)`, n = 60,000
    (train) or 10,000 (test). Needs the MNIST and CIFAR-10 files (`data_dir`
    or `$KERAS_GANS_DATA_DIR`, as for `keras_gans.datasets.load_numpy`).
    """
    from keras_gans import datasets

    if split not in MNIST_M_SEEDS:
        raise ValueError(f"`split` must be 'train' or 'test'; received {split!r}.")
    digits, labels = datasets.load_numpy("mnist", split, data_dir=data_dir)
    photos, _ = datasets.load_numpy("cifar10", split, data_dir=data_dir)
    return datasets.mnist_m(digits, photos, seed=MNIST_M_SEEDS[split]), labels


def _conv_block(x, filters, name):
    x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    x = keras.layers.ReLU(name=f"{name}_relu")(x)
    return keras.layers.MaxPooling2D(2, name=f"{name}_pool")(x)


def build_classifier(name):
    """The (untrained) network of a shipped classifier.

    Returns a functional `keras.Model` from images in [-1, 1] to class
    logits; its layer named `"features"` is the penultimate layer.

    Three 3x3 conv-BN-ReLU-maxpool blocks (32, 64, 128 channels), flatten,
    dense 128 + ReLU (`features`), dropout 0.3, dense `num_classes`: about
    0.24 M parameters for 28x28 grey images, 0.36 M for 32x32 RGB. Small on
    purpose: each trains in minutes on two CPU cores, and the weights stay
    under 2 MB.
    """
    spec = _check_name(name)
    inputs = keras.Input(spec.input_shape, name="images")
    x = _conv_block(inputs, 32, "block1")
    x = _conv_block(x, 64, "block2")
    x = _conv_block(x, 128, "block3")
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(128, activation="relu", name="features")(x)
    x = keras.layers.Dropout(0.3, name="dropout")(x)
    logits = keras.layers.Dense(spec.num_classes, name="logits")(x)
    return keras.Model(inputs, logits, name=f"{name}_classifier")


def file_sha256(path):
    """The sha256 hex digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def as_model_input(images, input_shape, arg="images"):
    """Checks `images` and returns float32 NHWC in [-1, 1] (uint8 is rescaled)."""
    images = np.asarray(keras.ops.convert_to_numpy(images))
    if images.ndim == len(input_shape) and input_shape[-1] == 1:
        images = images[..., None]  # (n, h, w) grey images
    if images.ndim != len(input_shape) + 1 or tuple(images.shape[1:]) != tuple(input_shape):
        raise ValueError(
            f"`{arg}` must have shape (n, {', '.join(map(str, input_shape))}); "
            f"received {images.shape}."
        )
    if len(images) == 0:
        raise ValueError(f"`{arg}` holds no images; received shape {images.shape}.")
    if images.dtype == np.uint8:
        return images.astype("float32") / 127.5 - 1.0
    images = images.astype("float32")
    if not np.all(np.isfinite(images)):
        raise ValueError(f"`{arg}` contains NaN or infinite values.")
    return images


class Classifier:
    """A trained classifier used as a feature network.

    Build it with `keras_gans.metrics.classifier(name)`. `model` is the whole
    network (images to logits); `features` returns the penultimate layer
    (for classifier FID, KID, precision/recall), `probabilities` the softmax
    (for the Inception Score and class coverage).
    """

    def __init__(self, name, model, batch_size=500):
        self.spec = _check_name(name)
        self.name = name
        self.model = model
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self._both = keras.Model(
            model.inputs, [model.get_layer("features").output, model.outputs[0]]
        )

    @property
    def input_shape(self):
        return self.spec.input_shape

    def features_and_probabilities(self, images):
        """One pass over `images`: `(features (n, 128), probabilities (n, k))`.

        Features are float32 as the network computes them; the softmax is
        taken in float64 from the logits.
        """
        x = as_model_input(images, self.spec.input_shape)
        features, logits = self._both.predict(x, batch_size=self.batch_size, verbose=0)
        logits = np.asarray(logits, dtype="float64")
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        return np.asarray(features, dtype="float32"), p

    def features(self, images):
        """The penultimate layer's activations, `(n, 128)` float32."""
        return self.features_and_probabilities(images)[0]

    def probabilities(self, images):
        """Class probabilities, `(n, num_classes)` float64 rows summing to 1."""
        return self.features_and_probabilities(images)[1]

    def predict_classes(self, images):
        """The most likely class of each image, int64 `(n,)`."""
        return self.probabilities(images).argmax(axis=1)

    def __call__(self, images):
        return self.features(images)


def classifier(name, weights=None, batch_size=500):
    """Loads one of the project's classifiers after checking its sha256.

    Args:
        name: `"mnist"`, `"fashion_mnist"`, `"cifar10"` or `"mnist_m"`.
        weights: path to the `.weights.h5` file; default the file shipped in
            `zoo/classifiers/`. Its sha256 must equal the one recorded for
            `name`, or a `ValueError` says so and nothing is loaded.
        batch_size: images per forward pass.

    Returns:
        A `Classifier` with `features(images)` and `probabilities(images)`.
    """
    spec = _check_name(name)
    path = weights or os.path.join(ZOO_DIR, spec.filename)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"No weights file for the {name} classifier at {path!r}. The files ship in "
            "the repository's zoo/classifiers/ folder; pass `weights=` the path of "
            f"{spec.filename} (sha256 {spec.sha256})."
        )
    digest = file_sha256(path)
    if spec.sha256 is None or digest != spec.sha256:
        raise ValueError(
            f"The weights file {path!r} has sha256 {digest}, but the {name} classifier "
            f"expects {spec.sha256}. The file is not the one shipped with this version "
            "of keras_gans (damaged, or trained anew): scores computed with it would not "
            "be comparable. Restore the shipped file, or build your own network with "
            "build_classifier() and load it deliberately with load_weights()."
        )
    model = build_classifier(name)
    model.load_weights(path)
    return Classifier(name, model, batch_size=batch_size)
