"""Scores of a trained GAN with the project's evaluation protocol.

Image models: samples against the test split in the features of the
project's classifier for the data set (`keras_gans.metrics.classifier`).
2-D toys: the VEEGAN / PacGAN mode statistics (`mode_coverage`).
"""

import numpy as np

from keras_gans import datasets, metrics
from keras_gans.callbacks.evaluate import METRICS as IMAGE_METRICS
from keras_gans.callbacks.evaluate import Evaluate
from keras_gans.utils import check_positive_int

TOY_METRICS = ("modes",)
# Short names accepted on the command line.
ALIASES = {
    "is": "inception_score",
    "pr": "precision_recall",
    "dc": "density_coverage",
    "classes": "class_coverage",
}
TOYS = {
    "ring": (datasets.ring_modes, 0.01),
    "grid": (datasets.grid_modes, 0.05),
}
CLASSIFIER_SETS = ("mnist", "fashion_mnist", "cifar10")


def protocol(dataset, num_samples, metric_names):
    """The evaluation protocol, in words, as written into model cards."""
    if dataset in TOYS:
        _, std = TOYS[dataset]
        return (
            f"{num_samples} samples drawn with `generate` from the loaded model's seed "
            "generator. A sample is of high quality within 3 std "
            f"(std {std}) of its nearest mode; a mode is captured when it is the nearest mode "
            "of at least one high-quality sample; reverse KL (nats) of the high-quality "
            "samples' mode histogram against uniform (`keras_gans.metrics.mode_coverage`)."
        )
    return (
        f"{num_samples} samples drawn with `generate` (conditional models: labels 0..9 in "
        "turn) against the 10,000 test images. Features: the project's "
        f"{dataset} classifier (`keras_gans.metrics.classifier('{dataset}')`, 128 "
        "penultimate activations, images in [-1, 1] at their own size, no resize; its test "
        f"accuracy is in zoo/classifiers/{dataset}.json). Metrics: {', '.join(metric_names)}. "
        "FID in float64; KID: 100 subsets of 1,000, raw feature scale; precision/recall k=3 "
        "(Kynkaanniemi et al.); density/coverage k=5 (Naeem et al.); Inception Score from the "
        "classifier's softmax, 10 splits; class coverage: classes hit by argmax, share with "
        "top probability >= 0.9, KL of the class histogram to uniform (nats); conditional "
        "models: label accuracy, the share of samples the classifier assigns to the "
        "requested label. `floor`: the same scores of as many real train images, drawn at "
        "random (seed 0)."
    )


def check_metrics(names, dataset):
    """Validated metric names for `dataset` (aliases resolved); None: all of them."""
    allowed = TOY_METRICS if dataset in TOYS else tuple(IMAGE_METRICS)
    if names is None:
        return allowed
    if isinstance(names, str):
        names = [n for n in names.split(",") if n.strip()]
    resolved = []
    for n in names:
        n = ALIASES.get(n.strip(), n.strip())
        if n not in allowed:
            raise ValueError(
                f"Unknown metric {n!r} for {dataset} models; choose among "
                f"{', '.join(allowed)}"
                + ("" if dataset in TOYS else f" (short names: {', '.join(ALIASES)})")
                + "."
            )
        if n not in resolved:
            resolved.append(n)
    if not resolved:
        raise ValueError("No metric given.")
    return tuple(resolved)


def generate(gan, num_samples, labels=None, batch_size=500, progress=False):
    """`num_samples` samples in chunks, with an optional progress bar."""
    import keras

    bar = keras.utils.Progbar(num_samples, unit_name="sample") if progress else None
    out = []
    for start in range(0, num_samples, batch_size):
        n = min(batch_size, num_samples - start)
        kwargs = {} if labels is None else {"labels": labels[start : start + n]}
        out.append(gan.generate(n, **kwargs))
        if bar is not None:
            bar.add(n)
    return np.concatenate(out)


def _real_images(dataset, split, data_dir, n=None, seed=0):
    images, labels = datasets.load_numpy(dataset, split, data_dir)
    if n is not None and n < len(images):
        # A random subset: the local CIFAR-10 files are sorted by class.
        keep = np.sort(np.random.default_rng(seed).permutation(len(images))[:n])
        images, labels = images[keep], labels[keep]
    return images.astype("float32") / 127.5 - 1.0, labels


def score(gan, dataset, metric_names=None, num_samples=10000, data_dir=None, progress=False):
    """Scores `gan` on `dataset`; returns `(scores, protocol_text)`.

    Args:
        gan: a trained `keras_gans.GAN`.
        dataset: `"ring"`, `"grid"`, or `"mnist"`, `"fashion_mnist"`, `"cifar10"`.
        metric_names: names among the `Evaluate` metrics (or `"modes"` for
            the toys), a comma-separated string, or None for all of them.
        num_samples: samples drawn from the model.
        data_dir: folder of the image files (default `$KERAS_GANS_DATA_DIR`).
        progress: show progress bars.
    """
    num_samples = check_positive_int(num_samples, "num_samples")
    names = check_metrics(metric_names, dataset)
    if dataset in TOYS:
        modes, std = TOYS[dataset]
        samples = generate(gan, num_samples, progress=progress)
        r = metrics.mode_coverage(samples, modes(), std)
        scores = {
            "modes": r.modes,
            "num_modes": len(modes()),
            "high_quality": r.high_quality,
            "reverse_kl": r.reverse_kl,
        }
        return scores, protocol(dataset, num_samples, names)
    if dataset not in CLASSIFIER_SETS:
        raise ValueError(
            f"No classifier ships for {dataset!r}, so it cannot be scored here; the "
            f"scored data sets are {', '.join(CLASSIFIER_SETS)}. For natural images use "
            "keras_gans.metrics.InceptionV3Features with keras_gans.callbacks.Evaluate."
        )
    if num_samples < 1000 and any(n in names for n in ("kid", "fid")):
        raise ValueError(f"FID and KID need at least 1,000 samples; received {num_samples}.")
    clf = metrics.classifier(dataset)
    real, _ = _real_images(dataset, "test", data_dir)
    evaluate = Evaluate(clf, real_features=clf.features(real), metrics=names)
    conditional = bool(getattr(gan, "conditional", False))
    labels = np.arange(num_samples) % gan.num_classes if conditional else None
    images = generate(gan, num_samples, labels=labels, progress=progress)
    scores = evaluate.evaluate(images)
    if conditional:
        scores["label_accuracy"] = float(np.mean(clf.predict_classes(images) == labels))
    scores["image_range"] = [float(images.min()), float(images.max())]
    return scores, protocol(dataset, num_samples, names)


def floor(dataset, metric_names=None, num_samples=10000, data_dir=None):
    """The same scores for `num_samples` random real train images: what a perfect model reaches."""
    names = check_metrics(metric_names, dataset)
    clf = metrics.classifier(dataset)
    real, _ = _real_images(dataset, "test", data_dir)
    train, _ = _real_images(dataset, "train", data_dir, num_samples)
    evaluate = Evaluate(clf, real_features=clf.features(real), metrics=names)
    return evaluate.evaluate(train)
