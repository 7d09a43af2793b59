"""Stacked MNIST: 1,000 modes from three MNIST digits in three channels.

The benchmark of VEEGAN (Srivastava et al., 2017) and PacGAN (Lin et al.,
2018): each image stacks three independently drawn MNIST digits as its red,
green and blue channels, so the data have 10^3 = 1,000 equally likely modes
(the digit triples). A generator is scored on 26,000 samples: each channel
is classified by a pretrained MNIST classifier (here the project's own,
`classifier("mnist")`), the triple is the sample's mode, and the report is
the number of modes hit (out of 1,000) and the KL divergence of the mode
histogram against uniform. The papers used their own MNIST classifier, so
figures from them compare only roughly with ours.
"""

import collections

import numpy as np

from keras_gans.metrics.class_coverage import histogram_kl
from keras_gans.utils import check_positive_int, check_seed

NUM_MODES = 1000
NUM_SAMPLES = 26000  # the protocol's sample count

StackedMNISTModes = collections.namedtuple(
    "StackedMNISTModes", ["modes", "reverse_kl", "counts", "num_samples"]
)
StackedMNISTModes.__doc__ = """Result of `stacked_mnist_modes`.

modes: modes (digit triples) hit by at least one sample, out of 1,000;
reverse_kl: KL(mode histogram || uniform over 1,000) in nats; counts: (1000,)
samples per mode, mode = 100 * red + 10 * green + blue; num_samples.
"""


def stack_digits(images, labels, n, seed=0):
    """Builds `n` Stacked-MNIST images from MNIST images and labels.

    Each output image takes three digits drawn independently and uniformly
    (with replacement) from `images` as its three channels.

    Args:
        images: MNIST images, `(m, 28, 28)` or `(m, 28, 28, 1)`, any dtype.
        labels: `(m,)` digit labels 0-9.
        n: how many stacked images to build.
        seed: seed of the draws.

    Returns:
        `(stacked, modes)`: `(n, 28, 28, 3)` of `images`' dtype and int64
        `(n,)` modes `100 * red + 10 * green + blue`.
    """
    n = check_positive_int(n, "n")
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    labels = np.asarray(labels).reshape(-1)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(
            f"`images` must have shape (m, height, width[, 1]) with m >= 1; "
            f"received {np.shape(images)}."
        )
    if len(labels) != len(images):
        raise ValueError(
            f"`labels` must hold one label per image ({len(images)}); received {len(labels)}."
        )
    if labels.min() < 0 or labels.max() > 9:
        raise ValueError(f"`labels` must be digits 0-9; received {labels.min()}..{labels.max()}.")
    rng = np.random.default_rng(check_seed(seed))
    index = rng.integers(0, len(images), size=(n, 3))
    stacked = np.stack([images[index[:, c]] for c in range(3)], axis=-1)
    modes = (labels[index] * np.array([100, 10, 1])).sum(axis=1).astype("int64")
    return stacked, modes


def stacked_mnist(n=NUM_SAMPLES, split="train", seed=0, data_dir=None):
    """Stacked-MNIST images built from an MNIST split.

    Loads MNIST with `keras_gans.datasets.load_numpy("mnist", split,
    data_dir)` and returns `stack_digits(images, labels, n, seed)`: uint8
    `(n, 28, 28, 3)` images and their int64 modes.
    """
    from keras_gans.datasets import load_numpy

    images, labels = load_numpy("mnist", split=split, data_dir=data_dir)
    return stack_digits(images, labels, n, seed=seed)


def stacked_mnist_modes(images, classifier=None):
    """Modes hit and KL against uniform of Stacked-MNIST samples.

    Args:
        images: `(n, 28, 28, 3)` samples, uint8 in [0, 255] or floats in
            [-1, 1]; the protocol uses n = 26,000 (`NUM_SAMPLES`).
        classifier: an MNIST classifier with `predict_classes(images)` for
            `(n, 28, 28, 1)` images; default `classifier("mnist")`.

    Returns:
        `StackedMNISTModes(modes, reverse_kl, counts, num_samples)`.
    """
    from keras import ops

    images = np.asarray(ops.convert_to_numpy(images))
    if images.ndim != 4 or images.shape[1:] != (28, 28, 3) or len(images) == 0:
        raise ValueError(
            f"`images` must have shape (n, 28, 28, 3) with n >= 1; received {images.shape}."
        )
    if classifier is None:
        from keras_gans.metrics.classifiers import classifier as load_classifier

        classifier = load_classifier("mnist")
    # One pass over all channels: (n, 28, 28, 3) -> (3n, 28, 28, 1).
    channels = np.moveaxis(images, -1, 0).reshape(-1, 28, 28, 1)
    digits = np.asarray(classifier.predict_classes(channels)).reshape(3, -1)
    modes = 100 * digits[0] + 10 * digits[1] + digits[2]
    counts = np.bincount(modes, minlength=NUM_MODES)
    return StackedMNISTModes(
        modes=int(np.count_nonzero(counts)),
        reverse_kl=histogram_kl(counts),
        counts=counts,
        num_samples=len(images),
    )
