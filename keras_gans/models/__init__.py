"""GAN families, each a `keras_gans.GAN` with its own networks and defaults."""

from keras_gans.models.conditional import ConditionalGAN
from keras_gans.models.cyclegan import CycleGAN
from keras_gans.models.dcgan import DCGAN, dcgan_discriminator, dcgan_generator
from keras_gans.models.discogan import DiscoGAN
from keras_gans.models.infogan import InfoGAN
from keras_gans.models.pix2pix import Pix2Pix
from keras_gans.models.pixelcnn import PixelCNN
from keras_gans.models.pixelrnn import PixelRNN
from keras_gans.models.srgan import SRGAN
from keras_gans.models.stackgan import StackGAN
from keras_gans.models.stylegan import StyleGAN
from keras_gans.models.vae import VAE
from keras_gans.models.vanilla import VanillaGAN, vanilla_discriminator, vanilla_generator
from keras_gans.models.wgan import WGAN, WGANGP

__all__ = [
    "ConditionalGAN",
    "CycleGAN",
    "DCGAN",
    "DiscoGAN",
    "InfoGAN",
    "Pix2Pix",
    "PixelCNN",
    "PixelRNN",
    "SRGAN",
    "StackGAN",
    "StyleGAN",
    "VAE",
    "VanillaGAN",
    "WGAN",
    "WGANGP",
    "dcgan_discriminator",
    "dcgan_generator",
    "vanilla_discriminator",
    "vanilla_generator",
]
