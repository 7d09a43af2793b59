"""Statistics of generated samples."""

from keras_gans.metrics.modes import (
    ModeCoverage,
    mode_coverage,
    total_variation_1d,
    wasserstein_1d,
)

__all__ = ["ModeCoverage", "mode_coverage", "total_variation_1d", "wasserstein_1d"]
