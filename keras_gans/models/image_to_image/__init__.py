"""Building blocks shared by the image-to-image families (pix2pix, CycleGAN, DiscoGAN, SRGAN)."""

from keras_gans.models.image_to_image.blocks import (
    NORMALIZATIONS,
    default_unet_depth,
    patchgan_discriminator,
    resnet_generator,
    unet_generator,
)
from keras_gans.models.image_to_image.image_to_image_gan import ImageToImageGAN

__all__ = [
    "NORMALIZATIONS",
    "ImageToImageGAN",
    "default_unet_depth",
    "patchgan_discriminator",
    "resnet_generator",
    "unet_generator",
]
