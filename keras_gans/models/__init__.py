"""GAN families, each a `keras_gans.GAN` with its own networks and defaults."""

from keras_gans.models.vanilla import VanillaGAN, vanilla_discriminator, vanilla_generator

__all__ = ["VanillaGAN", "vanilla_discriminator", "vanilla_generator"]
