"""Mixed precision: speed per policy, and whether gradient penalties stay finite over a long run.

What is measured
----------------
`--mode=speed`: for each backend (its own worker process, one after the
other) and each policy of --policies (`float32`, `mixed_float16`,
`mixed_bfloat16`), DCGAN on MNIST-sized random images (`--image_size`,
`--filters`) is built under the policy, trained `--warmup_steps` untimed
steps, then `--steps` timed steps. Reported: steps/s and the ratio to
float32 within the same worker, and peak resident memory of the worker.

`--mode=finite`: WGAN-GP (gradient penalty, `n_critic` 5) and DCGAN with
an R1 penalty (gamma 10 on real images) train on MNIST (from
`$KERAS_GANS_DATA_DIR`, resized to `--image_size`, in [-1, 1]) for `--steps`
steps under `--policies` (default mixed_float16). Every `--log_every`
steps the losses are read; reported: whether every logged loss and every
weight stayed finite, the final losses, the final loss scales (float16) and
the number of steps skipped for overflow (the scales' halvings are counted
from their values: a skipped step halves, `growth_interval` clean steps
double).

On a CPU, float16 and bfloat16 arithmetic is emulated or converted, so mixed
precision is expected to be slower here; it pays on GPUs with tensor cores.

Usage
-----
    python benchmarks/mixed_precision.py --mode=speed
    python benchmarks/mixed_precision.py --mode=finite --backends=tensorflow --steps=10000
"""

import os
import resource
import sys
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402

_common.define_common_flags(flags, "")
flags.DEFINE_enum("mode", "speed", ["speed", "finite"], "What to measure.")
flags.DEFINE_list(
    "policies", None, "Policies (default: all three for speed, mixed_float16 for finite)."
)
flags.DEFINE_integer("image_size", 28, "Image height and width (grey).", lower_bound=8)
flags.DEFINE_integer("filters", 32, "Filters at full resolution in each network.")
flags.DEFINE_integer("batch_size", 64, "Images per batch.")
flags.DEFINE_integer("steps", 20, "Timed steps (speed) or training steps (finite).")
flags.DEFINE_integer("warmup_steps", 2, "Untimed steps (speed).")
flags.DEFINE_integer("log_every", 500, "Steps per epoch in the finite mode.")
FLAGS = flags.FLAGS


def policies():
    if FLAGS.policies:
        return list(FLAGS.policies)
    return (
        ["float32", "mixed_float16", "mixed_bfloat16"]
        if FLAGS.mode == "speed"
        else ["mixed_float16"]
    )


def r1_dcgan_class():
    import keras

    import keras_gans
    from keras_gans.regularizers import r1_penalty

    @keras.saving.register_keras_serializable(package="keras_gans_benchmarks")
    class DCGANR1(keras_gans.DCGAN):
        """DCGAN with gamma/2 * R1 on real images added to the discriminator's loss."""

        loss_names = ("d_loss", "g_loss", "r1")

        def discriminator_loss(self, step):
            loss = super().discriminator_loss(step)

            def critic(x):
                return self.call_discriminator(x, step.labels, training=True)

            r1 = r1_penalty(critic, step.real)
            return loss + 5.0 * r1, {"r1": r1}

    return DCGANR1


def build(family, size, filters, seed=0):
    import keras_gans

    common = dict(
        image_shape=(size, size, 1),
        latent_dim=32,
        generator_filters=filters,
        discriminator_filters=filters,
        seed=seed,
    )
    if family == "wgan_gp":
        gan = keras_gans.WGANGP(**common)
        gan.compile(n_critic=5)
    elif family == "dcgan_r1":
        gan = r1_dcgan_class()(**common)
        gan.compile()
    else:
        gan = keras_gans.DCGAN(**common)
        gan.compile()
    return gan


def mnist(size):
    import keras
    import numpy as np

    from keras_gans.datasets import load_numpy

    x, _ = load_numpy("mnist", "train")
    x = x.astype("float32") / 127.5 - 1.0
    if size != 28:
        x = keras.ops.convert_to_numpy(keras.ops.image.resize(x, (size, size)))
    return np.clip(x, -1.0, 1.0).astype("float32")


def speed_worker(backend):
    import keras
    import numpy as np

    size, batch = FLAGS.image_size, FLAGS.batch_size
    x = np.random.default_rng(0).uniform(-1, 1, (batch * 4, size, size, 1)).astype("float32")
    runs = []
    for policy in policies():
        keras.mixed_precision.set_global_policy(policy)
        gan = build("dcgan", size, FLAGS.filters)
        gan.fit(x, batch_size=batch, steps_per_epoch=FLAGS.warmup_steps, epochs=1, verbose=0)
        start = time.perf_counter()
        gan.fit(x, batch_size=batch, steps_per_epoch=FLAGS.steps, epochs=1, verbose=0)
        seconds = time.perf_counter() - start
        runs.append({"backend": backend, "policy": policy, "steps_per_s": FLAGS.steps / seconds})
        keras.mixed_precision.set_global_policy("float32")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for r in runs:
        r["peak_rss_mb_worker"] = peak
    return runs


def finite_worker(backend):
    import keras
    import numpy as np
    from keras import ops

    x = mnist(FLAGS.image_size)
    runs = []
    for policy in policies():
        for family in ("wgan_gp", "dcgan_r1"):
            keras.mixed_precision.set_global_policy(policy)
            gan = build(family, FLAGS.image_size, FLAGS.filters)
            epochs = max(1, FLAGS.steps // FLAGS.log_every)
            start = time.perf_counter()
            history = gan.fit(
                x,
                batch_size=FLAGS.batch_size,
                steps_per_epoch=FLAGS.log_every,
                epochs=epochs,
                verbose=0,
            ).history
            seconds = time.perf_counter() - start
            weights_finite = all(
                bool(np.isfinite(ops.convert_to_numpy(v)).all()) for v in gan.weights
            )
            logs_finite = all(np.isfinite(v).all() for v in history.values())
            run = {
                "backend": backend,
                "policy": policy,
                "family": family,
                "steps": epochs * FLAGS.log_every,
                "seconds": seconds,
                "weights_finite": weights_finite,
                "losses_finite": bool(logs_finite),
                "final_logs": {k: v[-1] for k, v in history.items()},
                "logs_per_epoch": history,
            }
            if hasattr(gan, "d_loss_scale"):
                run["loss_scales"] = {
                    n: float(ops.convert_to_numpy(getattr(gan, n).scale))
                    for n in ("d_loss_scale", "g_loss_scale")
                }
            runs.append(run)
            keras.mixed_precision.set_global_policy("float32")
    return runs


def main(argv):
    del argv
    if FLAGS.worker:
        _common.setup_worker(FLAGS.worker, FLAGS.threads)
        runs = speed_worker(FLAGS.worker) if FLAGS.mode == "speed" else finite_worker(FLAGS.worker)
        _common.write_worker_json(FLAGS.worker_out, {"runs": runs})
        return
    backends = _common.check_backends(FLAGS.backends)
    start_time, start_load, start_git = _common.now(), _common.load_average(), _common.git_info()
    results, commands = _common.run_workers(__file__, backends, FLAGS.threads)
    runs = [r for result in results for r in result["runs"]]
    if FLAGS.mode == "speed":
        rows = []
        for r in runs:
            base = (
                next(
                    x["steps_per_s"]
                    for x in runs
                    if x["backend"] == r["backend"] and x["policy"] == "float32"
                )
                if any(x["policy"] == "float32" for x in runs)
                else None
            )
            rows.append(
                [
                    r["backend"],
                    r["policy"],
                    f"{r['steps_per_s']:.2f}",
                    "" if base is None else f"{r['steps_per_s'] / base:.2f}",
                    f"{r['peak_rss_mb_worker']:.0f}",
                ]
            )
        table = _common.table(
            ["backend", "policy", "steps/s", "vs float32", "worker peak RSS MB"], rows
        )
    else:
        rows = [
            [
                r["backend"],
                r["policy"],
                r["family"],
                r["steps"],
                r["losses_finite"] and r["weights_finite"],
                ", ".join(f"{k} {v:.3g}" for k, v in r["final_logs"].items()),
                ", ".join(f"{v:.0f}" for v in r.get("loss_scales", {}).values()),
                f"{r['seconds']:.0f}",
            ]
            for r in runs
        ]
        table = _common.table(
            ["backend", "policy", "family", "steps", "finite", "final losses", "scales", "s"],
            rows,
        )
    print(table)
    payload = _common.header(start_time, start_load, start_git)
    payload.update(
        flags={
            k: getattr(FLAGS, k)
            for k in (
                "mode",
                "image_size",
                "filters",
                "batch_size",
                "steps",
                "warmup_steps",
                "log_every",
                "threads",
            )
        },
        policies=policies(),
        worker_commands=commands,
        table=table,
        runs=runs,
    )
    out = FLAGS.out or f"benchmarks/results/mixed_precision_{FLAGS.mode}.json"
    _common.write_results(out, payload)


if __name__ == "__main__":
    app.run(main)
