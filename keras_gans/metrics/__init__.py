"""Statistics of generated samples.

Pure statistics of feature arrays (`frechet_distance`,
`kernel_inception_distance`, `inception_score`, `precision_recall`,
`density_coverage`, `class_coverage`), feature networks to feed them
(`classifier(name)`, `InceptionV3Features`, `ImageFeatures` for any Keras
model), Stacked MNIST, and the toy-mixture statistics (`mode_coverage`).
"""

from keras_gans.metrics.class_coverage import ClassCoverage, class_coverage
from keras_gans.metrics.classifiers import Classifier, build_classifier, classifier
from keras_gans.metrics.image_quality import psnr, rgb_to_y, ssim
from keras_gans.metrics.inception import ImageFeatures, InceptionV3Features
from keras_gans.metrics.modes import (
    ModeCoverage,
    mode_coverage,
    total_variation_1d,
    wasserstein_1d,
)
from keras_gans.metrics.stacked_mnist import (
    StackedMNISTModes,
    stack_digits,
    stacked_mnist,
    stacked_mnist_modes,
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
    "psnr",
    "rgb_to_y",
    "ssim",
    "KID",
    "ClassCoverage",
    "Classifier",
    "DensityCoverage",
    "FeatureStatistics",
    "ImageFeatures",
    "InceptionScore",
    "InceptionV3Features",
    "ModeCoverage",
    "PrecisionRecall",
    "StackedMNISTModes",
    "build_classifier",
    "class_coverage",
    "classifier",
    "density_coverage",
    "feature_statistics",
    "frechet_distance",
    "inception_score",
    "kernel_inception_distance",
    "mode_coverage",
    "precision_recall",
    "stack_digits",
    "stacked_mnist",
    "stacked_mnist_modes",
    "total_variation_1d",
    "wasserstein_1d",
]
