"""Statistics of generated samples.

Pure statistics of feature arrays (`frechet_distance`,
`kernel_inception_distance`, `inception_score`, `precision_recall`,
`density_coverage`, `class_coverage`), feature networks to feed them
(`classifier(name)`, `InceptionV3Features`, `ImageFeatures` for any Keras
model), Stacked MNIST, and the toy-mixture statistics (`mode_coverage`).
"""

from keras_gans.metrics.class_coverage import ClassCoverage, class_coverage
from keras_gans.metrics.modes import (
    ModeCoverage,
    mode_coverage,
    total_variation_1d,
    wasserstein_1d,
)
from keras_gans.metrics.statistics import (
    KID,
    DensityCoverage,
    FeatureStatistics,
    InceptionScore,
    PrecisionRecall,
    density_coverage,
    feature_statistics,
    frechet_distance,
    inception_score,
    kernel_inception_distance,
    precision_recall,
)

__all__ = [
    "KID",
    "ClassCoverage",
    "DensityCoverage",
    "FeatureStatistics",
    "InceptionScore",
    "ModeCoverage",
    "PrecisionRecall",
    "class_coverage",
    "density_coverage",
    "feature_statistics",
    "frechet_distance",
    "inception_score",
    "kernel_inception_distance",
    "mode_coverage",
    "precision_recall",
    "total_variation_1d",
    "wasserstein_1d",
]
