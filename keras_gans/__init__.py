"""keras_gans: generative adversarial networks for Keras 3.

The same model code trains on TensorFlow, JAX and PyTorch; choose the
framework with `KERAS_BACKEND`.
"""

from keras_gans import backend, datasets, losses, metrics, models
from keras_gans.gan import GAN
from keras_gans.models import VanillaGAN

__version__ = "0.1.0"

__all__ = ["GAN", "VanillaGAN", "backend", "datasets", "losses", "metrics", "models"]
