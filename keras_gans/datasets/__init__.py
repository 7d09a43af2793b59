"""Data for training GANs: synthetic mixtures (image sets come from loaders)."""

from keras_gans.datasets.toy import (
    gaussian_mixture_1d,
    grid,
    grid_modes,
    mixture,
    ring,
    ring_modes,
)

__all__ = ["gaussian_mixture_1d", "grid", "grid_modes", "mixture", "ring", "ring_modes"]
