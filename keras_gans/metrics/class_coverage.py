"""Mode coverage of image generators, measured by a classifier."""

import collections

import numpy as np

from keras_gans.metrics.statistics import as_features
from keras_gans.utils import check_positive_int

ClassCoverage = collections.namedtuple(
    "ClassCoverage", ["classes", "confident", "reverse_kl", "counts"]
)
ClassCoverage.__doc__ = """Result of `class_coverage`.

classes: number of classes predicted for at least one sample; confident:
share of samples whose top probability reaches the threshold; reverse_kl:
KL(predicted-class histogram || uniform) in nats; counts: samples per class.
"""


def histogram_kl(counts):
    """KL(histogram || uniform over all bins) in nats; 0 log 0 counts as 0."""
    counts = np.asarray(counts, dtype="float64")
    p = counts[counts > 0] / counts.sum()
    return float(np.sum(p * np.log(p * len(counts))))


def class_coverage(probabilities, threshold=0.9):
    """Classes hit, share of confident samples and KL against uniform.

    Each sample counts for its most likely class (argmax), as in the
    Stacked-MNIST protocol of VEEGAN and PacGAN; `confident` is reported
    beside it: the share of samples whose top probability is at least
    `threshold`. A generator that covers all k classes evenly has
    `classes == k` and `reverse_kl` near 0; one that collapsed onto a single
    class has `reverse_kl == log(k)`.

    Args:
        probabilities: `(n, k)` class probabilities from a classifier (for
            example `keras_gans.metrics.classifier("mnist").probabilities`).
        threshold: the top probability that makes a sample confident.

    Returns:
        `ClassCoverage(classes, confident, reverse_kl, counts)`.
    """
    p = as_features(probabilities, "probabilities", min_samples=1)
    if not 0.0 <= float(threshold) <= 1.0:
        raise ValueError(f"`threshold` must be in [0, 1]; received {threshold!r}.")
    counts = np.bincount(p.argmax(axis=1), minlength=p.shape[1])
    return ClassCoverage(
        classes=int(np.count_nonzero(counts)),
        confident=float(np.mean(p.max(axis=1) >= threshold)),
        reverse_kl=histogram_kl(counts),
        counts=counts,
    )


def predicted_class_histogram(classes, num_classes):
    """Counts of integer class predictions in `[0, num_classes)`."""
    num_classes = check_positive_int(num_classes, "num_classes")
    classes = np.asarray(classes).reshape(-1)
    if classes.size and (classes.min() < 0 or classes.max() >= num_classes):
        raise ValueError(
            f"`classes` must lie in [0, {num_classes}); received values from "
            f"{classes.min()} to {classes.max()}."
        )
    return np.bincount(classes.astype("int64"), minlength=num_classes)
