"""What the EMA generator does to sample quality and speed (DCGAN on MNIST).

What is measured
----------------
One worker (TensorFlow by default, see `_common.py`) trains DCGAN on the MNIST
train split (`keras_gans.datasets.load`, from `$KERAS_GANS_DATA_DIR`) for
`--steps` steps of batch `--batch_size`, compiled with
`ema_decay=--decay`. After training it draws `--num_samples` samples from the
trained generator (`generate(use_ema=False)`) and from the EMA generator
(`generate()`) with the same latent vectors, and scores both with the
project's MNIST classifier (`keras_gans.metrics.classifier("mnist")`, 128
penultimate features) against the 10,000 test images: classifier FID and
class coverage. One training run, two generators: the difference is the
EMA's alone.

Speed: `--speed_steps` timed steps (after 2 untimed) of the same model
compiled without and with the EMA, in the same worker; the ratio is the
EMA's cost per step.

Usage
-----
    KERAS_GANS_DATA_DIR=../shared/data python benchmarks/ema_quality.py --steps=2000
"""

import json
import os
import sys
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402

_common.define_common_flags(flags, "benchmarks/results/ema_quality.json")
FLAGS = flags.FLAGS
flags.DEFINE_integer("steps", 2000, "Training steps.")
flags.DEFINE_integer("batch_size", 64, "Batch size.")
flags.DEFINE_float("decay", 0.999, "EMA decay.")
flags.DEFINE_integer("num_samples", 5000, "Samples scored per generator.")
flags.DEFINE_integer("speed_steps", 30, "Timed steps of the speed comparison.")
flags.DEFINE_integer("eval_every", 0, "Also score every this many steps (0: only at the end).")
flags.DEFINE_integer("seed", 0, "Seed of the weights, noise and data order.")


def worker(backend):
    import keras
    import numpy as np

    import keras_gans
    from keras_gans import datasets, metrics

    def model():
        return keras_gans.DCGAN(image_shape=(28, 28, 1), seed=FLAGS.seed)

    speed = {}
    x = np.random.default_rng(0).uniform(-1, 1, (FLAGS.batch_size * 4, 28, 28, 1))
    x = x.astype("float32")
    for name, decay in (("no_ema", None), ("ema", FLAGS.decay)):
        gan = model()
        gan.compile(ema_decay=decay)
        gan.fit(x, batch_size=FLAGS.batch_size, steps_per_epoch=2, epochs=1, verbose=0)
        start = time.perf_counter()
        gan.fit(
            x, batch_size=FLAGS.batch_size, steps_per_epoch=FLAGS.speed_steps, epochs=1, verbose=0
        )
        speed[name] = FLAGS.speed_steps / (time.perf_counter() - start)

    keras.utils.set_random_seed(FLAGS.seed)
    # numpy arrays: `fit` serves them as a seeded stream on every backend,
    # with no tf.data in the way (the same order as `datasets.load`'s rule).
    x_train, _ = datasets.load_numpy("mnist", "train")
    x_train = x_train.astype("float32") / 127.5 - 1.0
    gan = model()
    gan.compile(ema_decay=FLAGS.decay)

    clf = metrics.classifier("mnist")
    x_test, _ = datasets.load_numpy("mnist", "test")
    real = clf.features(x_test.astype("float32") / 127.5 - 1.0)
    z = np.random.default_rng(1).standard_normal((FLAGS.num_samples, gan.latent_dim))
    z = z.astype("float32")

    def score():
        out = {}
        for name, use_ema in (("trained", False), ("ema", True)):
            fake, probs = clf.features_and_probabilities(gan.generate(z=z, use_ema=use_ema))
            coverage = metrics.class_coverage(probs)
            out[name] = {
                "fid": float(metrics.frechet_distance(real, fake)),
                "class_coverage": {
                    k: float(v) for k, v in coverage._asdict().items() if np.ndim(v) == 0
                },
            }
        return out

    every = FLAGS.eval_every or FLAGS.steps
    curve, done, train_s = [], 0, 0.0
    while done < FLAGS.steps:
        n = min(every, FLAGS.steps - done)
        start = time.perf_counter()
        gan.fit(
            x_train,
            batch_size=FLAGS.batch_size,
            steps_per_epoch=n,
            initial_epoch=done // every,
            epochs=done // every + 1,
            verbose=0,
        )
        train_s += time.perf_counter() - start
        done += n
        curve.append({"step": done, **score()})
        fids = {k: v["fid"] for k, v in curve[-1].items() if k != "step"}
        print(json.dumps({"step": done, **fids}), flush=True)
    scores = curve[-1]
    scores = {k: v for k, v in scores.items() if k != "step"}
    return {
        "backend": backend,
        "speed_steps_per_s": speed,
        "train_seconds": train_s,
        "scores": scores,
        "curve": curve,
    }


def main(argv):
    del argv
    if FLAGS.worker:
        _common.setup_worker(FLAGS.worker, FLAGS.threads)
        _common.write_worker_json(FLAGS.worker_out, worker(FLAGS.worker))
        return
    backends = _common.check_backends(FLAGS.backends)
    start_time, start_load, start_git = _common.now(), _common.load_average(), _common.git_info()
    results, commands = _common.run_workers(__file__, backends, FLAGS.threads)
    rows = []
    for r in results:
        sp = r["speed_steps_per_s"]
        for name in ("trained", "ema"):
            s = r["scores"][name]
            rows.append(
                [
                    r["backend"],
                    name,
                    f"{s['fid']:.1f}",
                    ", ".join(f"{k} {v:.3g}" for k, v in s["class_coverage"].items()),
                    f"{sp['ema'] / sp['no_ema']:.2f}" if name == "ema" else "1.00",
                ]
            )
    table = _common.table(
        ["backend", "generator", "classifier FID", "class coverage", "steps/s vs no EMA"], rows
    )
    curve_rows = [
        [r["backend"], c["step"], f"{c['trained']['fid']:.1f}", f"{c['ema']['fid']:.1f}"]
        for r in results
        for c in r.get("curve", [])
    ]
    if len(curve_rows) > len(results):
        table += "\n\n" + _common.table(["backend", "step", "FID trained", "FID EMA"], curve_rows)
    print(table)
    payload = _common.header(start_time, start_load, start_git)
    payload.update(
        flags={
            k: getattr(FLAGS, k)
            for k in (
                "steps",
                "batch_size",
                "decay",
                "num_samples",
                "speed_steps",
                "eval_every",
                "seed",
            )
        },
        worker_commands=commands,
        table=table,
        runs=results,
    )
    _common.write_results(FLAGS.out, payload)


if __name__ == "__main__":
    app.run(main)
