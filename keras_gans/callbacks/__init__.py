"""Keras callbacks for GAN training."""

from keras_gans.callbacks.mode_coverage import ModeCoverage

__all__ = ["ModeCoverage"]
