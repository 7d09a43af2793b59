"""Sample quality of image GAN families: classifier FID, KID, precision/recall, ...

What is measured
----------------
For each family named with --families (any class in `keras_gans.models`,
for example DCGAN, WGANGP, ConditionalGAN) and the data set --dataset
(mnist, fashion_mnist or cifar10, read with `keras_gans.datasets.load` from
--data_dir / $KERAS_GANS_DATA_DIR):

1. Build `family(image_shape=<the data's shape>, seed=--seed, **--model_kwargs)`,
   `compile()` with the family's defaults, and `fit` for --steps steps of
   batch --batch_size on the train split (conditional families get labels),
   in --evals equal chunks ("epochs" of steps/evals steps). After every
   chunk, `keras_gans.callbacks.Evaluate` logs the classifier FID of
   --curve_samples samples (the learning curve).
2. After training, draw --num_samples samples (conditional families: labels
   0..9 in turn) and score them against the features of the whole
   --reference split (10,000 test images by default) with:
   - the feature network: the project's classifier for the data set
     (`keras_gans.metrics.classifier(dataset)`, 128 penultimate features,
     images in [-1, 1] at their own size, no resize); its test accuracy is in
     zoo/classifiers/<dataset>.json;
   - classifier FID (`frechet_distance`), KID (`kernel_inception_distance`,
     subsets of 1,000, 100 subsets), improved
     precision/recall (k=3), density/coverage (k=5), Inception Score from the
     classifier's probabilities (10 splits) and class coverage (classes hit,
     share with top probability >= 0.9, KL of the class histogram vs
     uniform).
3. The row "real (train split)" scores --num_samples real train images the
   same way: the floor a perfect generator would reach with this many
   samples.

InceptionV3 scores are not computed here: the ImageNet weights cannot be
downloaded on the machine the results were made on, and a forward pass of
10,000 images at 299x299 takes hours on two CPU cores. Use
`keras_gans.metrics.InceptionV3Features` for natural images on a GPU.

Each backend runs in its own worker process (see `benchmarks/_common.py`);
the default is TensorFlow alone, the fastest backend for DCGAN on CPU
(benchmarks/README.md). Workers limit the frameworks' thread pools to
--threads (default 1).

Usage
-----
    python benchmarks/quality.py --families=DCGAN --dataset=mnist --steps=3000

writes benchmarks/results/quality_<dataset>.json and .md (override with --out).
"""

import json
import os
import sys
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402

_common.define_common_flags(flags, "")
flags.DEFINE_list("families", ["DCGAN"], "Families from keras_gans.models, comma-separated.")
flags.DEFINE_enum("dataset", "mnist", ["mnist", "fashion_mnist", "cifar10"], "Data set.")
flags.DEFINE_string("data_dir", None, "Folder of the data files (default $KERAS_GANS_DATA_DIR).")
flags.DEFINE_integer("steps", 3000, "Training steps per family.", lower_bound=1)
flags.DEFINE_integer("batch_size", 64, "Training batch size.", lower_bound=1)
flags.DEFINE_integer("evals", 5, "Learning-curve points (chunks of steps/evals steps).")
flags.DEFINE_integer("curve_samples", 2000, "Samples per learning-curve FID.", lower_bound=2)
flags.DEFINE_integer("num_samples", 10000, "Samples of the final evaluation.", lower_bound=1000)
flags.DEFINE_enum("reference", "test", ["test", "train"], "Split of the real features.")
flags.DEFINE_integer("seed", 0, "Seed of the weights, noise and data order.")
flags.DEFINE_string("model_kwargs", "{}", "JSON dict of extra arguments for every family.")
FLAGS = flags.FLAGS

METRICS = (
    "fid",
    "kid",
    "precision_recall",
    "density_coverage",
    "inception_score",
    "class_coverage",
)


def _score(evaluate, images):
    r = evaluate.evaluate(images)
    return {k: float(v) for k, v in r.items()}


def _run_family(name, clf, real_features, kwargs):
    import keras
    import numpy as np

    import keras_gans
    from keras_gans import callbacks, datasets

    family = getattr(keras_gans.models, name, None)
    if not (isinstance(family, type) and issubclass(family, keras_gans.GAN)):
        raise app.UsageError(f"--families: {name!r} is not a GAN class in keras_gans.models.")
    keras.utils.set_random_seed(FLAGS.seed)
    conditional = bool(getattr(family, "conditional", False))
    info = datasets.info(FLAGS.dataset)
    start = time.perf_counter()
    gan = family(image_shape=info.image_shape, seed=FLAGS.seed, **kwargs)
    gan.compile()
    data = datasets.load(
        FLAGS.dataset,
        "train",
        data_dir=FLAGS.data_dir,
        batch_size=FLAGS.batch_size,
        labels=conditional,
        seed=FLAGS.seed,
    ).repeat()
    curve = callbacks.Evaluate(
        clf,
        real_features=real_features,
        metrics=("fid",),
        num_samples=FLAGS.curve_samples,
        labels="balanced" if conditional else None,
    )
    chunk = FLAGS.steps // FLAGS.evals
    history = gan.fit(data, epochs=FLAGS.evals, steps_per_epoch=chunk, callbacks=[curve], verbose=2)
    wall = time.perf_counter() - start
    train_s = wall - sum(history.history["eval_seconds"])
    final = callbacks.Evaluate(
        clf, real_features=real_features, metrics=METRICS, num_samples=FLAGS.num_samples
    )
    labels = np.arange(FLAGS.num_samples) % info.num_classes if conditional else None
    images = gan.generate(FLAGS.num_samples, labels=labels)
    scores = _score(final, images)
    return {
        "family": name,
        "conditional": conditional,
        "steps": chunk * FLAGS.evals,
        "parameters": int(gan.generator.count_params() + gan.discriminator.count_params()),
        "train_s": train_s,
        "steps_per_s": chunk * FLAGS.evals / train_s,
        "curve": {
            "step": [chunk * (i + 1) for i in range(FLAGS.evals)],
            "fid": history.history["fid"],
            "d_loss": history.history["d_loss"],
            "g_loss": history.history["g_loss"],
        },
        "scores": scores,
        "image_range": [float(images.min()), float(images.max())],
    }


def worker(backend):
    _common.setup_worker(backend, FLAGS.threads)
    import keras
    import numpy as np

    from keras_gans import callbacks, datasets, metrics

    kwargs = json.loads(FLAGS.model_kwargs)
    clf = metrics.classifier(FLAGS.dataset)
    ref_images, _ = datasets.load_numpy(FLAGS.dataset, FLAGS.reference, data_dir=FLAGS.data_dir)
    real_features = clf.features(ref_images)
    evaluate = callbacks.Evaluate(
        clf, real_features=real_features, metrics=METRICS, num_samples=FLAGS.num_samples
    )
    runs = []
    train_images, _ = datasets.load_numpy(FLAGS.dataset, "train", data_dir=FLAGS.data_dir)
    order = np.random.default_rng(FLAGS.seed).permutation(len(train_images))
    real = {
        "family": "real (train split)",
        "conditional": False,
        "scores": _score(evaluate, train_images[order[: FLAGS.num_samples]]),
    }
    real["backend"] = backend
    runs.append(real)
    print(f"{backend} real train images: {real['scores']}", flush=True)
    for name in FLAGS.families:
        r = _run_family(name, clf, real_features, kwargs)
        r["backend"] = backend
        runs.append(r)
        print(f"{backend} {name}: {r['scores']}", flush=True)
    _common.write_worker_json(
        FLAGS.worker_out,
        {
            "backend": backend,
            "keras_backend": keras.config.backend(),
            "reference_images": len(ref_images),
            "runs": runs,
        },
    )


def protocol_text():
    card_path = os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        "zoo",
        "classifiers",
        f"{FLAGS.dataset}.json",
    )
    accuracy = "?"
    if os.path.isfile(card_path):
        with open(card_path) as f:
            accuracy = f"{100 * json.load(f)['test_accuracy']:.2f}%"
    return (
        f"Protocol: {FLAGS.dataset}; each family built with image_shape of the data, seed "
        f"{FLAGS.seed}, extra arguments {FLAGS.model_kwargs}, compile() defaults, trained "
        f"{FLAGS.steps} steps of batch {FLAGS.batch_size} on the train split. Scored on "
        f"{FLAGS.num_samples:,} generated samples (conditional: labels 0-9 in turn) against "
        f"the whole {FLAGS.reference} split. Feature network: keras_gans.metrics.classifier"
        f"('{FLAGS.dataset}') (test accuracy {accuracy}), 128 penultimate (dense+ReLU) "
        "features, images in [-1, 1] at their own size (no resize). FID: Fréchet distance of "
        "those features (float64); KID: unbiased MMD^2, kernel (x.y/d+1)^3, 100 subsets of "
        "1,000, mean ± std over subsets (the classifier's features are not normalized, so "
        "KID is on their scale); precision/recall k=3; "
        "density/coverage k=5; IS from the classifier's softmax, 10 splits; classes: classes "
        "hit by the argmax; confident: share with top probability >= 0.9; class KL: KL of "
        "the class histogram vs uniform (nats). 'real (train split)' scores real train "
        f"images the same way. Threads per framework: {FLAGS.threads or 'default'}; CPU only."
    )


def summarize(runs):
    headers = [
        "backend",
        "model",
        "steps",
        "train s",
        "FID",
        "KID",
        "precision",
        "recall",
        "density",
        "coverage",
        "IS",
        "classes",
        "confident",
        "class KL",
    ]
    rows = []
    for r in runs:
        s = r["scores"]
        rows.append(
            [
                r["backend"],
                r["family"],
                r.get("steps", "-"),
                f"{r['train_s']:.0f}" if "train_s" in r else "-",
                f"{s['fid']:.2f}",
                f"{s['kid']:.3g} ± {s['kid_std']:.2g}",
                f"{s['precision']:.3f}",
                f"{s['recall']:.3f}",
                f"{s['density']:.3f}",
                f"{s['coverage']:.3f}",
                f"{s['is']:.2f} ± {s['is_std']:.2f}",
                f"{s['classes']:.0f}",
                f"{s['confident']:.3f}",
                f"{s['class_kl']:.3f}",
            ]
        )
    return _common.table(headers, rows)


def main(argv):
    del argv
    if FLAGS.steps % FLAGS.evals:
        raise app.UsageError(f"--evals ({FLAGS.evals}) must divide --steps ({FLAGS.steps}).")
    json.loads(FLAGS.model_kwargs)
    if FLAGS.worker:
        worker(FLAGS.worker)
        return
    out = FLAGS.out or f"benchmarks/results/quality_{FLAGS.dataset}.json"
    backends = _common.check_backends(
        FLAGS.backends if FLAGS["backends"].present else ["tensorflow"]
    )
    started, load, git = _common.now(), _common.load_average(), _common.git_info()
    t0 = time.perf_counter()
    results, commands = _common.run_workers(__file__, backends, FLAGS.threads)
    total_s = time.perf_counter() - t0
    runs = [r for res in results for r in res["runs"]]
    text = summarize(runs)
    payload = {
        **_common.header(started, load, git),
        "total_s": total_s,
        "worker_commands": commands,
        "flags": {
            name: FLAGS[name].value
            for name in (
                "families",
                "dataset",
                "steps",
                "batch_size",
                "evals",
                "curve_samples",
                "num_samples",
                "reference",
                "seed",
                "model_kwargs",
                "threads",
            )
        },
        "backends": backends,
        "protocol": protocol_text(),
        "table": text,
        "runs": runs,
    }
    _common.write_results(out, payload)
    print()
    print(protocol_text())
    print()
    print(text)
    curves = [
        f"- {r['backend']} {r['family']}: "
        + ", ".join(f"{s}: {f:.1f}" for s, f in zip(r["curve"]["step"], r["curve"]["fid"]))
        for r in runs
        if "curve" in r
    ]
    markdown = "\n\n".join(
        [
            f"# Sample quality on {FLAGS.dataset}",
            f"Command: `{payload['command']}` ({_common.now()}, commit "
            f"{(git or {}).get('commit')}; machine: {os.cpu_count()} CPU cores, no GPU, "
            f"shared with other jobs; total {total_s:.0f} s).",
            protocol_text(),
            text,
            f"Classifier FID during training ({FLAGS.curve_samples:,} samples each, "
            "step: FID):\n\n" + "\n".join(curves),
        ]
    )
    md_path = os.path.splitext(out)[0] + ".md"
    with open(md_path, "w") as f:
        f.write(markdown + "\n")
    print(f"wrote {md_path}")
    print(f"\nTotal time: {total_s:.0f} s")


if __name__ == "__main__":
    app.run(main)
