"""Data for training GANs: image sets (online or local files) and synthetic mixtures."""

from keras_gans.datasets.binarized import binarize, load_binarized
from keras_gans.datasets.image_to_image import (
    bicubic_resize,
    colorization_pairs,
    edge_pairs,
    load_folder,
    load_sr_benchmark,
    mnist_m,
    paired_dataset,
    sample_photos,
    sobel_edges,
    sr_crops,
    sr_pair,
    unpaired_dataset,
)
from keras_gans.datasets.images import NAMES, info, load, load_numpy, to_uint8
from keras_gans.datasets.lsun import load_lsun_bedroom
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
    "bicubic_resize",
    "binarize",
    "colorization_pairs",
    "edge_pairs",
    "gaussian_mixture_1d",
    "grid",
    "grid_modes",
    "info",
    "load",
    "load_binarized",
    "load_folder",
    "load_lsun_bedroom",
    "load_numpy",
    "load_sr_benchmark",
    "mixture",
    "mnist_m",
    "paired_dataset",
    "ring",
    "ring_modes",
    "sample_photos",
    "sobel_edges",
    "sr_crops",
    "sr_pair",
    "to_uint8",
    "unpaired_dataset",
]
