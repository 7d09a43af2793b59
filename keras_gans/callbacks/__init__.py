"""Keras callbacks for GAN training."""

from keras_gans.callbacks.evaluate import Evaluate
from keras_gans.callbacks.mode_coverage import ModeCoverage

__all__ = ["Evaluate", "ModeCoverage"]
