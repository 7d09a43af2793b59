"""Layers of the GAN toolkit, one public layer per module."""

from keras_gans.layers.image_pool import ImagePool
from keras_gans.layers.minibatch_discrimination import MinibatchDiscrimination
from keras_gans.layers.subpixel_upsampling import SubPixelUpsampling
from keras_gans.layers.virtual_batch_normalization import (
    ReferenceBatch,
    VirtualBatchNormalization,
)

__all__ = [
    "ImagePool",
    "SubPixelUpsampling",
    "MinibatchDiscrimination",
    "ReferenceBatch",
    "VirtualBatchNormalization",
]
