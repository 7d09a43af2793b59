from keras_gans.models.dcgan.dcgan import DCGAN
from keras_gans.models.dcgan.dcgan_discriminator import dcgan_discriminator
from keras_gans.models.dcgan.dcgan_generator import dcgan_generator

__all__ = ["DCGAN", "dcgan_discriminator", "dcgan_generator"]
