"""Binarized images for the likelihood models (PixelCNN, PixelRNN, VAE)."""

import numpy as np

from keras_gans.datasets.images import load_numpy
from keras_gans.utils import check_seed

METHODS = ("stochastic", "threshold")


def binarize(images, method="stochastic", seed=0):
    """Binary float32 images in {0, 1} from uint8 (0..255) or float [0, 1] images.

    `"stochastic"`: each pixel is 1 with probability equal to its intensity,
    drawn once with `numpy.random.default_rng(seed)` (a fixed binarization,
    as in the PixelRNN paper's MNIST set-up). `"threshold"`: 1 where the
    intensity is above 0.5.
    """
    x = np.asarray(images)
    if x.dtype == np.uint8:
        x = x.astype("float64") / 255.0
    x = x.astype("float64")
    if x.size and (x.min() < 0.0 or x.max() > 1.0):
        raise ValueError(
            "`images` must be uint8 or floats in [0, 1]; received values from "
            f"{x.min()} to {x.max()}."
        )
    if method == "stochastic":
        rng = np.random.default_rng(check_seed(seed))
        return (rng.random(x.shape) < x).astype("float32")
    if method == "threshold":
        return (x > 0.5).astype("float32")
    raise ValueError(f"`method` must be one of {METHODS}; received {method!r}.")


def load_binarized(name="mnist", split="train", method="stochastic", seed=0, data_dir=None):
    """`(images, labels)` of a grey data set, binarized once with `binarize`.

    The train and test splits use different streams of the same seed
    (`seed` and `seed + 1`), so each split's binarization is fixed.
    """
    images, labels = load_numpy(name, split=split, data_dir=data_dir)
    seed = check_seed(seed)
    if seed is not None and split == "test":
        seed = seed + 1
    return binarize(images, method=method, seed=seed), labels
