"""Command line: `python -m keras_gans <command> [--flags]`.

Commands:
  demo   train a GAN on the ring of 8 Gaussians and plot real vs generated.
  train  train an image GAN family (--family) on a data set (--dataset); writes
         sample grids, loss curves and the model into --out_dir.

The backend is `KERAS_BACKEND`, or `--backend`. Keras fixes its backend when it is first
imported (here, by `keras_gans` itself), so a `--backend` that differs from the loaded one
restarts the command in a fresh interpreter with `KERAS_BACKEND` set.
"""

import os
import sys

from absl import app, flags

COMMANDS = ("demo", "train")
BACKENDS = ("tensorflow", "jax", "torch")

flags.DEFINE_enum("backend", None, list(BACKENDS), "Keras backend (default: KERAS_BACKEND).")
flags.DEFINE_integer("steps", 5000, "Training steps.", lower_bound=1)
flags.DEFINE_integer("epochs", 10, "Epochs the steps are split into.", lower_bound=1)
flags.DEFINE_integer(
    "batch_size", None, "Batch size (default 256 for demo, 64 for train).", lower_bound=1
)
flags.DEFINE_integer("seed", 0, "Seed of the data and of the model.", lower_bound=0)
flags.DEFINE_string("out", "demo_ring.png", "demo: where to write the PNG plot.")
flags.DEFINE_enum(
    "family", "dcgan", ["dcgan", "cgan", "wgan", "wgan_gp", "infogan"], "train: the GAN family."
)
flags.DEFINE_enum("dataset", "mnist", ["mnist", "fashion_mnist", "cifar10"], "train: the data set.")
flags.DEFINE_string(
    "data_dir", None, "train: folder of local data files (default $KERAS_GANS_DATA_DIR, or TFDS)."
)
flags.DEFINE_integer(
    "steps_per_epoch",
    None,
    "train: steps per epoch (default: one pass over the data).",
    lower_bound=1,
)
flags.DEFINE_integer(
    "filters", None, "train: width of both networks (default: the family's).", lower_bound=1
)
flags.DEFINE_string("out_dir", None, "train: output folder (default runs/<family>_<dataset>).")
flags.DEFINE_string(
    "checkpoint_dir",
    None,
    "train: save the training state there every epoch; the same command resumes a killed run.",
)
FLAGS = flags.FLAGS


def _requested_backend(argv):
    for i, arg in enumerate(argv):
        if arg.startswith("--backend="):
            return arg.split("=", 1)[1]
        if arg == "--backend" and i + 1 < len(argv):
            return argv[i + 1]
    return None


def _switch_backend(argv):
    """Re-runs the command under the requested backend if another one is loaded."""
    wanted = _requested_backend(argv)
    if wanted is None:
        return
    if wanted not in BACKENDS:
        sys.exit(f"--backend must be one of {', '.join(BACKENDS)}; received {wanted!r}.")
    import keras

    if keras.config.backend() != wanted:
        env = dict(os.environ, KERAS_BACKEND=wanted)
        os.execve(sys.executable, [sys.executable, "-m", "keras_gans", *argv[1:]], env)


def _run(args):
    if len(args) != 2 or args[1] not in COMMANDS:
        given = " ".join(args[1:]) or "nothing"
        raise app.UsageError(
            f"Give one command out of: {', '.join(COMMANDS)} (received {given}).", 2
        )
    if args[1] == "train":
        from keras_gans import train

        train.train(
            family=FLAGS.family,
            dataset=FLAGS.dataset,
            data_dir=FLAGS.data_dir,
            epochs=FLAGS.epochs,
            steps_per_epoch=FLAGS.steps_per_epoch,
            batch_size=FLAGS.batch_size or 64,
            seed=FLAGS.seed,
            out_dir=FLAGS.out_dir or os.path.join("runs", f"{FLAGS.family}_{FLAGS.dataset}"),
            checkpoint_dir=FLAGS.checkpoint_dir,
            **(
                {}
                if FLAGS.filters is None
                else {"generator_filters": FLAGS.filters, "discriminator_filters": FLAGS.filters}
            ),
        )
        return
    from keras_gans import demo

    demo.run(
        steps=FLAGS.steps,
        epochs=FLAGS.epochs,
        batch_size=FLAGS.batch_size or 256,
        seed=FLAGS.seed,
        out=FLAGS.out,
    )


def main(argv=None):
    argv = list(sys.argv if argv is None else argv)
    _switch_backend(argv)
    app.run(_run, argv=argv)


if __name__ == "__main__":
    main()
