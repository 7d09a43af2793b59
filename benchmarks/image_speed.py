"""Training speed of the image families per backend: steps/s, images/s, peak memory.

What is measured
----------------
For each backend (its own worker process, one after the other, see
`_common.py`) and each configuration of --configs, the family is built from
`image_shape` with its defaults, compiled with its defaults, and trained with
`fit` on random images in [-1, 1] (the speed does not depend on the
pixels) for `--warmup_steps` steps (compilation included, not counted), then
for `--steps` timed steps in one `fit` call (`steps_per_epoch=--steps`,
`epochs=1`). A step is one whole GAN update: `n_critic` discriminator updates
and one generator update. Reported: steps/s, images/s (batch size times
steps/s; the discriminator sees `n_critic` real and fake batches per step),
the compile time (the warm-up `fit`), and the worker's peak resident memory
(`ru_maxrss`, the whole process: framework runtime included).

Configurations (family:height:channels:upsampling):
- `dcgan:28:1:transpose`: DCGAN 28x28 grey with the paper's transposed
  convolutions, default width (64): the reference figure.
- `dcgan:28:1:resize`: the same with nearest upsampling + convolution.
- `dcgan:32:3:transpose`: DCGAN 32x32 colour.
- `wgan_gp:28:1:transpose`: WGAN-GP (5 critic updates with the gradient
  penalty per step).

Usage
-----
    python benchmarks/image_speed.py                      # all backends, all configs
    python benchmarks/image_speed.py --backends=torch --configs=dcgan:28:1:transpose
"""

import os
import resource
import sys
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402

_common.define_common_flags(flags, "benchmarks/results/image_speed.json")
flags.DEFINE_list(
    "configs",
    ["dcgan:28:1:transpose", "dcgan:28:1:resize", "dcgan:32:3:transpose", "wgan_gp:28:1:transpose"],
    "Configurations family:size:channels:upsampling.",
)
flags.DEFINE_integer("batch_size", 64, "Images per batch.", lower_bound=1)
flags.DEFINE_integer("steps", 30, "Timed steps per configuration.", lower_bound=1)
flags.DEFINE_integer("warmup_steps", 3, "Untimed steps (compilation).", lower_bound=1)
FLAGS = flags.FLAGS


def parse_config(text):
    try:
        family, size, channels, upsampling = text.split(":")
        return family, int(size), int(channels), upsampling
    except ValueError:
        raise app.UsageError(
            f"--configs entries are family:size:channels:upsampling; received {text!r}."
        ) from None


def worker(backend):
    _common.setup_worker(backend, FLAGS.threads)
    import numpy as np

    from keras_gans.train import FAMILIES

    rows = []
    for text in FLAGS.configs:
        family, size, channels, upsampling = parse_config(text)
        gan = FAMILIES[family](image_shape=(size, size, channels), upsampling=upsampling, seed=0)
        gan.compile()
        n = FLAGS.batch_size * 8
        x = np.random.default_rng(0).uniform(-1, 1, (n, size, size, channels)).astype("float32")
        kwargs = dict(batch_size=FLAGS.batch_size, verbose=0, shuffle=False)
        x_warm = x[: FLAGS.batch_size * FLAGS.warmup_steps]
        start = time.perf_counter()
        gan.fit(x_warm, epochs=1, **kwargs)
        compile_s = time.perf_counter() - start
        reps = -(-FLAGS.steps * FLAGS.batch_size // n)
        x_timed = np.concatenate([x] * reps)[: FLAGS.steps * FLAGS.batch_size]
        start = time.perf_counter()
        gan.fit(x_timed, epochs=1, **kwargs)
        seconds = time.perf_counter() - start
        steps_per_s = FLAGS.steps / seconds
        row = {
            "backend": backend,
            "config": text,
            "parameters": int(gan.count_params()),
            "n_critic": gan.n_critic,
            "steps_per_s": round(steps_per_s, 3),
            "images_per_s": round(steps_per_s * FLAGS.batch_size, 1),
            "compile_s": round(compile_s, 1),
            "timed_s": round(seconds, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
        print(row, flush=True)
        rows.append(row)
    _common.write_worker_json(FLAGS.worker_out, {"backend": backend, "rows": rows})


def main(argv):
    del argv
    for text in FLAGS.configs:
        parse_config(text)
    if FLAGS.worker:
        worker(FLAGS.worker)
        return
    backends = _common.check_backends(FLAGS.backends)
    started, load, git = _common.now(), _common.load_average(), _common.git_info()
    results, commands = _common.run_workers(__file__, backends, FLAGS.threads)
    rows = [r for res in results for r in res["rows"]]
    text = _common.table(
        ["config", "backend", "steps/s", "images/s", "compile s", "peak RSS MB", "params"],
        [
            [
                r["config"],
                r["backend"],
                f"{r['steps_per_s']:.2f}",
                f"{r['images_per_s']:.0f}",
                f"{r['compile_s']:.0f}",
                r["peak_rss_mb"],
                f"{r['parameters']:,}",
            ]
            for r in sorted(rows, key=lambda r: (FLAGS.configs.index(r["config"]), r["backend"]))
        ],
    )
    print()
    print(text)
    _common.write_results(
        FLAGS.out,
        {
            **_common.header(started, load, git),
            "worker_commands": commands,
            "flags": {
                k: FLAGS[k].value
                for k in ("backends", "configs", "batch_size", "steps", "warmup_steps", "threads")
            },
            "table": text,
            "rows": rows,
        },
    )


if __name__ == "__main__":
    app.run(main)
