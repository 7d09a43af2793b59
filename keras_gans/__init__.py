"""keras_gans: generative adversarial networks for Keras 3.

The same model code trains on TensorFlow, JAX and PyTorch; choose the
framework with `KERAS_BACKEND`.
"""

from keras_gans import (
    backend,
    callbacks,
    datasets,
    layers,
    losses,
    metrics,
    models,
    plotting,
    regularizers,
)
from keras_gans.gan import GAN, NonFiniteLossError, StepData
from keras_gans.models import DCGAN, WGAN, WGANGP, ConditionalGAN, InfoGAN, VanillaGAN

__version__ = "0.1.0"

__all__ = [
    "DCGAN",
    "GAN",
    "WGAN",
    "WGANGP",
    "ConditionalGAN",
    "InfoGAN",
    "NonFiniteLossError",
    "StepData",
    "VanillaGAN",
    "backend",
    "callbacks",
    "datasets",
    "layers",
    "losses",
    "metrics",
    "models",
    "plotting",
    "regularizers",
]
