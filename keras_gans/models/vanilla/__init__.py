from keras_gans.models.vanilla.vanilla_discriminator import vanilla_discriminator
from keras_gans.models.vanilla.vanilla_gan import VanillaGAN
from keras_gans.models.vanilla.vanilla_generator import vanilla_generator

__all__ = ["VanillaGAN", "vanilla_discriminator", "vanilla_generator"]
