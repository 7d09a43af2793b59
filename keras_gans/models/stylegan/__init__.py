from keras_gans.models.stylegan.stylegan import StyleGAN
from keras_gans.models.stylegan.stylegan_discriminator import stylegan_discriminator
from keras_gans.models.stylegan.stylegan_generator import StyleGenerator

__all__ = ["StyleGAN", "StyleGenerator", "stylegan_discriminator"]
