"""`ModeCoverage`: mode statistics of generated samples, logged every N epochs."""

import keras
import numpy as np

from keras_gans.metrics.modes import mode_coverage
from keras_gans.utils import check_number, check_positive_int


class ModeCoverage(keras.callbacks.Callback):
    """Adds mode-coverage statistics of generated samples to the epoch logs.

    Every `every` epochs it draws `num_samples` samples with
    `model.generate` and logs `modes` (modes captured), `high_quality` (share
    of samples within `threshold` stds of a mode) and `reverse_kl` (of the
    mode histogram against uniform), so they appear in the progress bar, in
    `History` and in TensorBoard. See `keras_gans.metrics.mode_coverage`.

    Args:
        means: `(k, d)` the means of the mixture the GAN learns.
        std: the mixture's standard deviation.
        num_samples: samples drawn per evaluation (2,500 in the papers).
        every: evaluate every this many epochs.
        threshold: high-quality radius in stds.
    """

    def __init__(self, means, std, num_samples=2500, every=1, threshold=3.0):
        super().__init__()
        self.means = np.asarray(means, dtype="float32")
        if self.means.ndim != 2 or len(self.means) == 0:
            raise ValueError(
                f"`means` must have shape (k, d) with k >= 1; received shape {self.means.shape}."
            )
        self.std = check_number(std, "std", 0.0, inclusive=False)
        self.num_samples = check_positive_int(num_samples, "num_samples")
        self.every = check_positive_int(every, "every")
        self.threshold = float(threshold)
        self.last = None

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        samples = self.model.generate(self.num_samples)
        self.last = mode_coverage(samples, self.means, self.std, self.threshold)
        if logs is not None:
            logs["modes"] = float(self.last.modes)
            logs["high_quality"] = self.last.high_quality
            logs["reverse_kl"] = self.last.reverse_kl
