from keras_gans.models.stackgan.stackgan import StackGAN
from keras_gans.models.stackgan.stackgan_networks import (
    stage1_generator,
    stage2_generator,
    stage_discriminator,
)

__all__ = ["StackGAN", "stage1_generator", "stage2_generator", "stage_discriminator"]
