"""Data for training GANs: image sets (online or local files) and synthetic mixtures."""

from keras_gans.datasets.binarized import binarize, load_binarized
from keras_gans.datasets.images import NAMES, info, load, load_numpy, to_uint8
from keras_gans.datasets.toy import (
    gaussian_mixture_1d,
    grid,
    grid_modes,
    mixture,
    ring,
    ring_modes,
)

__all__ = [
    "NAMES",
    "binarize",
    "gaussian_mixture_1d",
    "grid",
    "grid_modes",
    "info",
    "load",
    "load_binarized",
    "load_numpy",
    "mixture",
    "ring",
    "ring_modes",
    "to_uint8",
]
