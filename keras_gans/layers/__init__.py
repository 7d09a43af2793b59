"""Layers of the GAN toolkit, one public layer per module."""

from keras_gans.layers.bicubic_upsampling import BicubicUpsampling
from keras_gans.layers.conditioning_augmentation import ConditioningAugmentation
from keras_gans.layers.diagonal_bilstm import DiagonalBiLSTM
from keras_gans.layers.equalized import EqualizedConv2D, EqualizedDense
from keras_gans.layers.image_pool import ImagePool
from keras_gans.layers.luma_chroma import LumaChromaToRGB
from keras_gans.layers.masked_conv2d import MaskedConv2D
from keras_gans.layers.minibatch_discrimination import MinibatchDiscrimination
from keras_gans.layers.minibatch_stddev import MinibatchStdDev
from keras_gans.layers.modulated_conv2d import ModulatedConv2D
from keras_gans.layers.row_lstm import RowLSTM
from keras_gans.layers.subpixel_upsampling import SubPixelUpsampling
from keras_gans.layers.virtual_batch_normalization import (
    ReferenceBatch,
    VirtualBatchNormalization,
)

__all__ = [
    "BicubicUpsampling",
    "ConditioningAugmentation",
    "DiagonalBiLSTM",
    "EqualizedConv2D",
    "EqualizedDense",
    "ImagePool",
    "LumaChromaToRGB",
    "MaskedConv2D",
    "MinibatchDiscrimination",
    "MinibatchStdDev",
    "ModulatedConv2D",
    "ReferenceBatch",
    "RowLSTM",
    "SubPixelUpsampling",
    "VirtualBatchNormalization",
]
