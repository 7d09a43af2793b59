"""Command line: `python -m keras_gans <command> [--flags]`.

Commands:
  demo   train a GAN on the ring of 8 Gaussians and plot real vs generated.

The backend is `KERAS_BACKEND`, or `--backend` (read before Keras loads).
"""

import os
import sys

COMMANDS = ("demo",)
BACKENDS = ("tensorflow", "jax", "torch")


def _preset_backend(argv):
    for i, arg in enumerate(argv):
        value = None
        if arg.startswith("--backend="):
            value = arg.split("=", 1)[1]
        elif arg == "--backend" and i + 1 < len(argv):
            value = argv[i + 1]
        if value is not None:
            if value not in BACKENDS:
                sys.exit(f"--backend must be one of {', '.join(BACKENDS)}; received {value!r}.")
            os.environ["KERAS_BACKEND"] = value


def main(argv=None):
    argv = list(sys.argv if argv is None else argv)
    _preset_backend(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    from absl import app, flags

    flags.DEFINE_enum("backend", None, list(BACKENDS), "Keras backend (default: KERAS_BACKEND).")
    flags.DEFINE_integer("steps", 5000, "Training steps.", lower_bound=1)
    flags.DEFINE_integer("epochs", 10, "Epochs the steps are split into.", lower_bound=1)
    flags.DEFINE_integer("batch_size", 256, "Batch size.", lower_bound=1)
    flags.DEFINE_integer("seed", 0, "Seed of the data and of the model.", lower_bound=0)
    flags.DEFINE_string("out", "demo_ring.png", "Where to write the PNG plot.")
    flags_obj = flags.FLAGS

    def run(args):
        if len(args) != 2 or args[1] not in COMMANDS:
            given = " ".join(args[1:]) or "nothing"
            raise app.UsageError(
                f"Give one command out of: {', '.join(COMMANDS)} (received {given}).", 2
            )
        from keras_gans import demo

        demo.run(
            steps=flags_obj.steps,
            epochs=flags_obj.epochs,
            batch_size=flags_obj.batch_size,
            seed=flags_obj.seed,
            out=flags_obj.out,
        )

    app.run(run, argv=argv)


if __name__ == "__main__":
    main()
