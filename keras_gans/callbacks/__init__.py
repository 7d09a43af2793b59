"""Keras callbacks for GAN training."""

from keras_gans.callbacks.evaluate import Evaluate
from keras_gans.callbacks.mode_coverage import ModeCoverage
from keras_gans.callbacks.resumable_checkpoint import ResumableCheckpoint
from keras_gans.callbacks.sample_grid import SampleGrid

__all__ = ["Evaluate", "ModeCoverage", "ResumableCheckpoint", "SampleGrid"]
