from keras_gans.models.wgan.wgan import WGAN
from keras_gans.models.wgan.wgan_gp import WGANGP

__all__ = ["WGAN", "WGANGP"]
