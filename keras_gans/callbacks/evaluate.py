"""`Evaluate`: sample-quality metrics of a GAN's samples, logged during `fit`."""

import time

import keras
import numpy as np

from keras_gans.metrics.class_coverage import class_coverage
from keras_gans.metrics.statistics import (
    density_coverage,
    feature_statistics,
    frechet_distance,
    inception_score,
    kernel_inception_distance,
    precision_recall,
)
from keras_gans.utils import check_positive_int

# name -> (needs real features, needs probabilities, log keys)
METRICS = {
    "fid": (True, False, ("fid",)),
    "kid": (True, False, ("kid", "kid_std")),
    "precision_recall": (True, False, ("precision", "recall")),
    "density_coverage": (True, False, ("density", "coverage")),
    "inception_score": (False, True, ("is", "is_std")),
    "class_coverage": (False, True, ("classes", "confident", "class_kl")),
}


class Evaluate(keras.callbacks.Callback):
    """Computes sample-quality metrics every `every` epochs and logs them.

    At the end of every `every`-th epoch (and never in between) it draws
    `num_samples` samples with `model.generate`, computes their features
    (and class probabilities) with the feature network it was given, and
    writes the chosen metrics into the epoch's `logs`, so they show in the
    progress bar, in `History` and in `TensorBoard` (put `Evaluate` before
    `TensorBoard` in the callback list). Log keys, each with `prefix`:
    `fid`; `kid`, `kid_std`; `precision`, `recall`; `density`, `coverage`;
    `is`, `is_std`; `classes`, `confident`, `class_kl`; and `eval_seconds`.

        clf = keras_gans.metrics.classifier("mnist")
        x_test, _ = keras_gans.datasets.load_numpy("mnist", "test")
        evaluate = keras_gans.callbacks.Evaluate(
            clf, real_features=clf.features(x_test), metrics=("fid", "class_coverage"))
        gan.fit(data, epochs=20, callbacks=[evaluate])

    Args:
        features: a callable from images to `(n, d)` features, or a
            `keras_gans.metrics.Classifier` (its `features` and
            `probabilities` then come from one pass).
        real_features: `(n, d)` features of real images, computed once with
            the same network (for FID, KID, precision/recall,
            density/coverage). The protocol: say which split they come from.
        metrics: names among `"fid"`, `"kid"`, `"precision_recall"`,
            `"density_coverage"`, `"inception_score"`, `"class_coverage"`.
        probabilities: a callable from images to class probabilities, for
            `"inception_score"` and `"class_coverage"`; default the
            classifier's when `features` is one.
        num_samples: samples drawn per evaluation.
        every: evaluate every this many epochs.
        labels: for conditional models: `"balanced"` draws labels
            `0, 1, ..., num_classes - 1` in turn (`model.num_classes`), or
            pass an array of `num_samples` labels; None for unconditional
            models.
        kid_subset_size, kid_num_subsets: KID subsets (capped at the number
            of samples).
        k_precision_recall, k_density_coverage: the k of the k-NN metrics.
        prefix: prepended to each log key (for example `"val_"`).
    """

    def __init__(
        self,
        features,
        real_features=None,
        metrics=("fid",),
        probabilities=None,
        num_samples=10000,
        every=1,
        labels=None,
        kid_subset_size=1000,
        kid_num_subsets=100,
        k_precision_recall=3,
        k_density_coverage=5,
        prefix="",
    ):
        super().__init__()
        if isinstance(metrics, str):
            metrics = (metrics,)
        unknown = [m for m in metrics if m not in METRICS]
        if unknown or not metrics:
            raise ValueError(
                f"`metrics` must be names among {', '.join(METRICS)}; received {list(metrics)}."
            )
        self.metrics = tuple(metrics)
        if not callable(features):
            raise ValueError(
                f"`features` must be a callable from images to features; received {features!r}."
            )
        self.features = features
        if probabilities is None and hasattr(features, "features_and_probabilities"):
            probabilities = features.probabilities
        if probabilities is not None and not callable(probabilities):
            raise ValueError(f"`probabilities` must be callable; received {probabilities!r}.")
        self.probabilities = probabilities
        self.needs_real = any(METRICS[m][0] for m in self.metrics)
        self.needs_probabilities = any(METRICS[m][1] for m in self.metrics)
        if self.needs_probabilities and probabilities is None:
            raise ValueError(
                f"{[m for m in self.metrics if METRICS[m][1]]} need class probabilities: pass "
                "`probabilities=` or a Classifier as `features`."
            )
        self.real_features = None
        self.real_statistics = None
        if self.needs_real:
            if real_features is None:
                raise ValueError(
                    f"{[m for m in self.metrics if METRICS[m][0]]} compare with real data: pass "
                    "`real_features`, the features of real images from the same network."
                )
            self.real_features = np.asarray(keras.ops.convert_to_numpy(real_features))
            if self.real_features.ndim != 2:
                raise ValueError(
                    "`real_features` must have shape (num_samples, num_features); received "
                    f"{self.real_features.shape}."
                )
            if "fid" in self.metrics:
                self.real_statistics = feature_statistics(self.real_features, "real_features")
        self.num_samples = check_positive_int(num_samples, "num_samples")
        self.every = check_positive_int(every, "every")
        if isinstance(labels, str) and labels != "balanced":
            raise ValueError(f"`labels` must be None, 'balanced' or an array; received {labels!r}.")
        if labels is not None and not isinstance(labels, str) and len(labels) != num_samples:
            raise ValueError(
                f"`labels` must hold `num_samples` ({num_samples}) labels; received {len(labels)}."
            )
        self.labels = labels
        self.kid_subset_size = check_positive_int(kid_subset_size, "kid_subset_size")
        self.kid_num_subsets = check_positive_int(kid_num_subsets, "kid_num_subsets")
        self.k_precision_recall = check_positive_int(k_precision_recall, "k_precision_recall")
        self.k_density_coverage = check_positive_int(k_density_coverage, "k_density_coverage")
        self.prefix = str(prefix)
        self.last = None

    def _labels(self):
        if self.labels is None:
            return None
        if isinstance(self.labels, str):
            return np.arange(self.num_samples) % int(self.model.num_classes)
        return np.asarray(self.labels)

    def evaluate(self, images):
        """The chosen metrics of `images` as a dict of Python floats."""
        if hasattr(self.features, "features_and_probabilities") and self.needs_probabilities:
            feats, probs = self.features.features_and_probabilities(images)
        else:
            feats = self.features(images) if self.needs_real else None
            probs = self.probabilities(images) if self.needs_probabilities else None
        out = {}
        for name in self.metrics:
            if name == "fid":
                out["fid"] = frechet_distance(self.real_statistics, feats)
            elif name == "kid":
                size = min(self.kid_subset_size, len(feats), len(self.real_features))
                r = kernel_inception_distance(
                    self.real_features, feats, subset_size=size, num_subsets=self.kid_num_subsets
                )
                out["kid"], out["kid_std"] = r.mean, r.std
            elif name == "precision_recall":
                r = precision_recall(self.real_features, feats, k=self.k_precision_recall)
                out["precision"], out["recall"] = r.precision, r.recall
            elif name == "density_coverage":
                r = density_coverage(self.real_features, feats, k=self.k_density_coverage)
                out["density"], out["coverage"] = r.density, r.coverage
            elif name == "inception_score":
                r = inception_score(probs, splits=min(10, len(probs)))
                out["is"], out["is_std"] = r.mean, r.std
            elif name == "class_coverage":
                r = class_coverage(probs)
                out["classes"] = float(r.classes)
                out["confident"], out["class_kl"] = r.confident, r.reverse_kl
        return out

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        start = time.perf_counter()
        labels = self._labels()
        if labels is None:
            images = self.model.generate(self.num_samples)
        else:
            images = self.model.generate(self.num_samples, labels=labels)
        results = self.evaluate(images)
        results["eval_seconds"] = time.perf_counter() - start
        self.last = results
        if logs is not None:
            for key, value in results.items():
                logs[self.prefix + key] = value
