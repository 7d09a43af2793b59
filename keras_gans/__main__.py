"""Command line: `python -m keras_gans <command> [--flags]`.

Commands:
  demo      train a GAN on the ring of 8 Gaussians and plot real vs generated.
  train     train an image GAN family (--model) on a data set (--dataset); writes
            sample grids, loss curves and the model into --out_dir.
  sample    draw --num samples from a zoo preset (--preset) into a PNG (--out).
  evaluate  score a zoo preset (--preset) with --metrics on --num_samples samples.
  zoo       list the presets; --preset=NAME shows a model card; --build=NAME
            retrains a preset from scratch with its recipe (into --out_dir, by
            default the cache where `keras_gans.zoo.load` finds it);
            --readme=README.md rewrites the zoo table of a README.

Examples:
  python -m keras_gans train --model=dcgan --dataset=mnist --epochs=5 --backend=jax
  python -m keras_gans sample --preset=dcgan_mnist --num=64 --out=grid.png
  python -m keras_gans evaluate --preset=dcgan_mnist --metrics=fid,is
  python -m keras_gans zoo --preset=dcgan_mnist

The backend is `KERAS_BACKEND`, or `--backend`. Keras fixes its backend when it is first
imported (here, by `keras_gans` itself), so a `--backend` that differs from the loaded one
restarts the command in a fresh interpreter with `KERAS_BACKEND` set.
"""

import os
import sys

from absl import app, flags

from keras_gans import cli

COMMANDS = ("demo", "train", "sample", "evaluate", "zoo")
BACKENDS = ("tensorflow", "jax", "torch")

flags.DEFINE_enum("backend", None, list(BACKENDS), "Keras backend (default: KERAS_BACKEND).")
flags.DEFINE_integer("steps", 5000, "Training steps.", lower_bound=1)
flags.DEFINE_integer("epochs", 10, "Epochs the steps are split into.", lower_bound=1)
flags.DEFINE_integer(
    "batch_size", None, "Batch size (default 256 for demo, 64 for train).", lower_bound=1
)
flags.DEFINE_integer("seed", 0, "Seed of the data and of the model.", lower_bound=0)
flags.DEFINE_string(
    "out", None, "demo, sample: where to write the PNG (default demo_ring.png, <preset>.png)."
)
flags.DEFINE_enum(
    "model", "dcgan", ["dcgan", "cgan", "wgan", "wgan_gp", "infogan"], "train: the GAN family."
)
flags.DEFINE_alias("family", "model")
flags.DEFINE_string("preset", None, "sample, evaluate, zoo: a preset of keras_gans.zoo.")
flags.DEFINE_integer("num", 64, "sample: how many samples.", lower_bound=1)
flags.DEFINE_string(
    "labels",
    None,
    "sample: class labels of a conditional preset, comma-separated, one per sample or one "
    "for all (default: 0, 1, 2, ... in turn).",
)
flags.DEFINE_string(
    "metrics",
    None,
    "evaluate: comma-separated metrics (default all): fid, kid, precision_recall (pr), "
    "density_coverage (dc), inception_score (is), class_coverage (classes); toys: modes.",
)
flags.DEFINE_integer(
    "num_samples", 10000, "evaluate, zoo --build: samples drawn for the scores.", lower_bound=1
)
flags.DEFINE_string("json", None, "evaluate: also write the scores to this JSON file.")
flags.DEFINE_string("build", None, "zoo: retrain this preset from scratch with its recipe.")
flags.DEFINE_integer(
    "build_steps", None, "zoo --build: override the recipe's steps (for trials).", lower_bound=1
)
flags.DEFINE_string(
    "readme", None, "zoo: rewrite the zoo table between the markers of this markdown file."
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
flags.DEFINE_string(
    "out_dir",
    None,
    "train: output folder (default runs/<model>_<dataset>); zoo --build: the preset's folder "
    "(default the cache, $KERAS_HOME/keras_gans/zoo/<preset>).",
)
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
    command = args[1]
    if command in ("sample", "evaluate", "zoo"):
        from keras_gans import zoo

        try:
            getattr(cli, command)(FLAGS)
        except zoo.PresetError as e:
            sys.exit(f"error: {e}")
        return
    if command == "train":
        from keras_gans import train

        train.train(
            family=FLAGS.model,
            dataset=FLAGS.dataset,
            data_dir=FLAGS.data_dir,
            epochs=FLAGS.epochs,
            steps_per_epoch=FLAGS.steps_per_epoch,
            batch_size=FLAGS.batch_size or 64,
            seed=FLAGS.seed,
            out_dir=FLAGS.out_dir or os.path.join("runs", f"{FLAGS.model}_{FLAGS.dataset}"),
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
        out=FLAGS.out or "demo_ring.png",
    )


def main(argv=None):
    argv = list(sys.argv if argv is None else argv)
    _switch_backend(argv)
    app.run(_run, argv=argv)


if __name__ == "__main__":
    main()
