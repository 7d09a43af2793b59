"""GANs against likelihood models on MNIST: sample quality, likelihood, sampling speed.

What is measured
----------------
For each model named with --models (DCGAN, WGANGP, StyleGAN, VAE, PixelCNN,
PixelRNN), on MNIST read with `keras_gans.datasets` from --data_dir /
$KERAS_GANS_DATA_DIR, in one process on one backend (--backend):

1. Training: --steps steps of batch --batch_size (per-model overrides with
   --model_steps, e.g. `VAE=2000`), small widths (see `MODELS` below).
   GANs train on the grey images scaled to [-1, 1] (StyleGAN on the images
   padded with -1 to 32x32, its samples cropped back to 28x28). The
   likelihood models train on MNIST binarized once (`datasets.binarize`,
   stochastic, seed 0 for train and seed 1 for test): pixel = 1 with
   probability equal to its intensity.
2. Samples: --num_samples images (--pixel_samples for the autoregressive
   models, which need one forward pass per pixel), timed: images per second
   of `generate`. VAE samples are the decoder's mean images, PixelCNN's are
   binary.
3. Scores, with the project's MNIST classifier
   (`keras_gans.metrics.classifier("mnist")`, 128 penultimate features,
   images in [-1, 1]) against the 10,000 grey test images: classifier FID,
   improved precision/recall (k=3), class coverage (classes hit, share of
   samples with top probability >= 0.9, KL of the class histogram against
   uniform). Rows "real grey" and "real binarized" score that many train
   images the same way: the floors for grey and for binary samples.
4. Likelihood: PixelCNN/PixelRNN exact NLL, VAE negative ELBO (one z draw
   per image; an upper bound on the NLL), in nats per image, on the first
   --nll_images binarized test images.

Usage
-----
    python benchmarks/generative_compare.py --backend=torch --steps=500

writes benchmarks/results/generative_compare.json and .md (override with
--out). With --save_dir, every trained model is saved there as
<name>.keras (the docs' StyleGAN grids are drawn from that file).
"""

import json
import os
import sys
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402

flags.DEFINE_enum("backend", "torch", list(_common.BACKENDS), "Keras backend.")
flags.DEFINE_list("models", ["DCGAN", "WGANGP", "StyleGAN", "VAE", "PixelCNN"], "Models to run.")
flags.DEFINE_integer("steps", 500, "Training steps per model.", lower_bound=1)
flags.DEFINE_list("model_steps", [], "Per-model steps, NAME=STEPS, comma-separated.")
flags.DEFINE_integer("batch_size", 64, "Training batch size.", lower_bound=1)
flags.DEFINE_integer("num_samples", 1000, "Samples scored per model.", lower_bound=10)
flags.DEFINE_integer("pixel_samples", 200, "Samples of PixelCNN/PixelRNN.", lower_bound=10)
flags.DEFINE_integer("nll_images", 10000, "Binarized test images for NLL/ELBO.", lower_bound=1)
flags.DEFINE_enum(
    "pixelrnn_kind", "row_lstm", ["row_lstm", "diagonal_bilstm"], "PixelRNN's recurrent layer."
)
flags.DEFINE_string("data_dir", None, "Folder of the data files (default $KERAS_GANS_DATA_DIR).")
flags.DEFINE_integer("seed", 0, "Seed of the weights, noise and data order.")
flags.DEFINE_integer("threads", 1, "Framework thread pools (0: the frameworks' defaults).")
flags.DEFINE_string("save_dir", "", "Where to save the trained models ('' for nowhere).")
flags.DEFINE_string(
    "out", "benchmarks/results/generative_compare.json", "JSON results ('' for none)."
)
FLAGS = flags.FLAGS

# Constructor arguments: small widths for a 2-core CPU.
MODELS = {
    "DCGAN": dict(generator_filters=32, discriminator_filters=32, upsampling="resize"),
    "WGANGP": dict(generator_filters=32, discriminator_filters=32, upsampling="resize"),
    "StyleGAN": dict(
        image_shape=(32, 32, 1),
        latent_dim=64,
        w_dim=64,
        generator_filters=32,
        discriminator_filters=32,
    ),
    "VAE": dict(latent_dim=16, filters=32),
    "PixelCNN": dict(filters=16, num_layers=3),
    "PixelRNN": dict(units=16, num_layers=2),
}
LIKELIHOOD = ("VAE", "PixelCNN", "PixelRNN")


def _steps(name):
    for item in FLAGS.model_steps:
        key, _, value = item.partition("=")
        if key == name:
            return int(value)
    return FLAGS.steps


def _batches(x, batch_size, seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(len(x))
        for i in range(0, len(order) - batch_size + 1, batch_size):
            yield x[order[i : i + batch_size]]


def _scores(clf, real_features, images):
    from keras_gans import metrics

    features, probabilities = clf.features_and_probabilities(images)
    pr = metrics.precision_recall(real_features, features, k=3)
    cov = metrics.class_coverage(probabilities)
    return {
        "fid": metrics.frechet_distance(real_features, features),
        "precision": pr.precision,
        "recall": pr.recall,
        "classes": cov.classes,
        "confident": cov.confident,
        "class_kl": cov.reverse_kl,
    }


def run_model(name, data, clf, real_features):
    import keras
    import numpy as np

    from keras_gans import models

    grey, binary, test_binary = data
    keras.utils.set_random_seed(FLAGS.seed)
    kwargs = dict(MODELS[name])
    if name == "PixelRNN":
        kwargs["kind"] = FLAGS.pixelrnn_kind
    steps = _steps(name)
    if name in LIKELIHOOD:
        model = getattr(models, name)(image_shape=(28, 28, 1), seed=FLAGS.seed, **kwargs)
        x = binary
    else:
        shape = kwargs.pop("image_shape", (28, 28, 1))
        model = getattr(models, name)(image_shape=shape, seed=FLAGS.seed, **kwargs)
        x = grey
        if shape[0] == 32:
            x = np.pad(grey, ((0, 0), (2, 2), (2, 2), (0, 0)), constant_values=-1.0)
    model.compile()
    batches = _batches(x, FLAGS.batch_size, FLAGS.seed)
    # A generator of numpy batches: `fit` on the same objects on every backend.
    start = time.perf_counter()
    history = model.fit(_as_dataset(batches, steps), epochs=1, verbose=2)
    train_s = time.perf_counter() - start
    n = FLAGS.pixel_samples if name in ("PixelCNN", "PixelRNN") else FLAGS.num_samples
    start = time.perf_counter()
    if name in LIKELIHOOD:
        images = model.generate(n, seed=FLAGS.seed, batch_size=min(n, 500))
    else:
        images = model.generate(n)
    sample_s = time.perf_counter() - start
    if images.shape[1] == 32:
        images = images[:, 2:30, 2:30, :]
    row = {
        "model": name,
        "steps": steps,
        "train_seconds": train_s,
        "steps_per_second": steps / train_s,
        "samples": n,
        "samples_per_second": n / sample_s,
        "final_logs": {k: float(v[-1]) for k, v in history.history.items()},
        **_scores(clf, real_features, images),
    }
    if name == "PixelRNN":
        row["pixelrnn_kind"] = FLAGS.pixelrnn_kind
    test = test_binary[: FLAGS.nll_images]
    if name in ("PixelCNN", "PixelRNN"):
        row["nll_nats"] = float(model.nll(test).mean())
    elif name == "VAE":
        row["neg_elbo_nats"] = float(model.negative_elbo(test, seed=FLAGS.seed).mean())
    if FLAGS.save_dir:
        os.makedirs(FLAGS.save_dir, exist_ok=True)
        model.save(os.path.join(FLAGS.save_dir, f"{name.lower()}.keras"))
    print(json.dumps(_common.clean(row)), flush=True)
    return row


def _as_dataset(batches, steps):
    """`steps` batches of the generator as a `keras.utils.PyDataset` (no tf.data needed)."""
    import keras

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return steps

        def __getitem__(self, index):
            return next(batches)

    return Batches()


def main(argv):
    del argv
    os.environ["KERAS_BACKEND"] = FLAGS.backend
    _common.setup_worker(FLAGS.backend, FLAGS.threads)
    import numpy as np

    from keras_gans import datasets, metrics

    started, load, git = _common.now(), _common.load_average(), _common.git_info()
    train, _ = datasets.load_numpy("mnist", "train", data_dir=FLAGS.data_dir)
    test, _ = datasets.load_numpy("mnist", "test", data_dir=FLAGS.data_dir)
    grey = train.astype("float32") / 127.5 - 1.0
    binary, _ = datasets.load_binarized("mnist", "train", seed=0, data_dir=FLAGS.data_dir)
    test_binary, _ = datasets.load_binarized("mnist", "test", seed=0, data_dir=FLAGS.data_dir)
    clf = metrics.classifier("mnist")
    real_features = clf.features(test.astype("float32") / 127.5 - 1.0)
    rows = []
    n = FLAGS.num_samples
    rng = np.random.default_rng(FLAGS.seed)
    pick = rng.choice(len(grey), n, replace=False)
    rows.append({"model": "real grey (train)", **_scores(clf, real_features, grey[pick])})
    rows.append(
        {"model": "real binarized (train)", **_scores(clf, real_features, binary[pick] * 2 - 1)}
    )
    for name in FLAGS.models:
        if name not in MODELS:
            raise app.UsageError(f"--models: {name!r} is not one of {sorted(MODELS)}.")
    for name in [None, *FLAGS.models]:
        if name is not None:
            rows.append(run_model(name, (grey, binary, test_binary), clf, real_features))
        # Written after every model, so a stopped run keeps the rows it finished.
        payload = {
            **_common.header(started, load, git),
            "backend": FLAGS.backend,
            "protocol": __doc__.split("Usage")[0].strip(),
            "model_kwargs": {k: {a: str(b) for a, b in v.items()} for k, v in MODELS.items()},
            "rows": rows,
        }
        if FLAGS.out:
            _common.write_results(FLAGS.out, payload)
            with open(os.path.splitext(FLAGS.out)[0] + ".md", "w") as f:
                f.write(markdown(payload) + "\n")
    print(markdown(payload))


def markdown(payload):
    def f(row, key, digits=2):
        value = row.get(key)
        return "" if value is None else f"{value:.{digits}f}"

    headers = [
        "model", "steps", "train s", "FID", "precision", "recall", "classes",
        "confident", "NLL / -ELBO (nats)", "samples/s",
    ]  # fmt: skip
    rows = []
    for r in payload["rows"]:
        nll = r.get("nll_nats", r.get("neg_elbo_nats"))
        rows.append(
            [
                r["model"],
                r.get("steps", ""),
                f(r, "train_seconds", 0),
                f(r, "fid", 1),
                f(r, "precision"),
                f(r, "recall"),
                r.get("classes", ""),
                f(r, "confident"),
                "" if nll is None else f"{nll:.1f}" + (" (-ELBO)" if "neg_elbo_nats" in r else ""),
                f(r, "samples_per_second", 1),
            ]
        )
    return (
        f"Command: `{payload['command']}` (backend {payload['backend']}, "
        f"{payload['finished']})\n\n" + _common.table(headers, rows)
    )


if __name__ == "__main__":
    app.run(main)
