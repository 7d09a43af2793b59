"""Trains one of the shipped classifiers and writes its weights and card.

    KERAS_BACKEND=tensorflow python zoo/classifiers/train_classifier.py \
        --dataset=mnist --data_dir=/path/to/data

`--dataset=mnist_m` trains on MNIST-M made on the fly
(`keras_gans.metrics.classifiers.load_mnist_m`: the MNIST train digits over
CIFAR-10 train crops, tested on the MNIST test digits over CIFAR-10 test
crops, each with its own fixed seed); it needs both data sets' files.

It writes `zoo/classifiers/<dataset>.weights.h5` and `<dataset>.json` (test
accuracy on the whole test split, sha256, the command, the machine and the
training time). The network is `keras_gans.metrics.classifiers.build_classifier`;
the data come from `keras_gans.datasets.load_numpy` (local files with
`--data_dir` or `$KERAS_GANS_DATA_DIR`, else TensorFlow Datasets). After a new
run, copy the printed sha256 into `SPECS` in keras_gans/metrics/classifiers.py.
"""

import datetime
import json
import os
import platform
import shlex
import sys
import time

from absl import app, flags

flags.DEFINE_enum("dataset", "mnist", ["mnist", "fashion_mnist", "cifar10", "mnist_m"], "Data set.")
flags.DEFINE_string("data_dir", None, "Folder of the data files (default $KERAS_GANS_DATA_DIR).")
flags.DEFINE_integer(
    "epochs", None, "Epochs (default: 4 MNIST and MNIST-M, 8 Fashion-MNIST, 6 CIFAR-10)."
)
flags.DEFINE_integer("batch_size", 128, "Batch size.")
flags.DEFINE_float("learning_rate", 2e-3, "Peak Adam learning rate (cosine decay to 0).")
flags.DEFINE_integer("seed", 0, "Seed of the weights, shuffling and augmentation.")
flags.DEFINE_float("max_minutes", None, "Stop after the epoch that passes this many minutes.")
flags.DEFINE_string(
    "out_dir", os.path.dirname(os.path.abspath(__file__)), "Where to write weights and card."
)
FLAGS = flags.FLAGS

ENV_SHOWN = (
    "KERAS_GANS_DATA_DIR",
    "OMP_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
)
DEFAULT_EPOCHS = {"mnist": 4, "fashion_mnist": 8, "cifar10": 6, "mnist_m": 4}


class StopAfter:
    """A callback factory kept import-light: built after Keras is imported."""

    @staticmethod
    def make(keras, minutes):
        class _Stop(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.start = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                if minutes and time.perf_counter() - self.start > 60 * minutes:
                    print(f"stopping after epoch {epoch + 1}: {minutes} minutes passed")
                    self.model.stop_training = True

        return _Stop()


def main(argv):
    del argv
    import keras
    import numpy as np

    from keras_gans import datasets
    from keras_gans.metrics import classifiers

    name = FLAGS.dataset
    epochs = FLAGS.epochs or DEFAULT_EPOCHS[name]
    keras.utils.set_random_seed(FLAGS.seed)
    if name == "mnist_m":
        x_train, y_train = classifiers.load_mnist_m("train", data_dir=FLAGS.data_dir)
        x_test, y_test = classifiers.load_mnist_m("test", data_dir=FLAGS.data_dir)
    else:
        x_train, y_train = datasets.load_numpy(name, "train", data_dir=FLAGS.data_dir)
        x_test, y_test = datasets.load_numpy(name, "test", data_dir=FLAGS.data_dir)
    x_train = x_train.astype("float32") / 127.5 - 1.0
    x_test = x_test.astype("float32") / 127.5 - 1.0

    model = classifiers.build_classifier(name)
    layers = []
    if name == "cifar10":
        layers = [
            keras.layers.RandomFlip("horizontal", seed=FLAGS.seed),
            keras.layers.RandomTranslation(0.125, 0.125, fill_mode="reflect", seed=FLAGS.seed),
        ]
    elif name == "mnist_m":
        # The photo behind the digit fills the border better than black would.
        layers = [keras.layers.RandomTranslation(0.1, 0.1, fill_mode="reflect", seed=FLAGS.seed)]
    elif name == "fashion_mnist":
        layers = [keras.layers.RandomFlip("horizontal", seed=FLAGS.seed)]
    else:
        layers = [keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant", fill_value=-1.0)]
    trainer = keras.Sequential([keras.Input(model.input_shape[1:]), *layers, model])
    steps = epochs * (len(x_train) // FLAGS.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, steps, warmup_target=FLAGS.learning_rate, warmup_steps=min(500, steps // 10)
    )
    trainer.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    print(f"{name}: {model.count_params()} parameters; {epochs} epochs of {steps // epochs} steps")
    start = time.perf_counter()
    history = trainer.fit(
        x_train,
        y_train,
        batch_size=FLAGS.batch_size,
        epochs=epochs,
        shuffle=True,
        validation_data=(x_test, y_test),
        callbacks=[StopAfter.make(keras, FLAGS.max_minutes)],
        verbose=2,
    )
    train_seconds = time.perf_counter() - start

    logits = model.predict(x_test, batch_size=500, verbose=0)
    accuracy = float(np.mean(logits.argmax(axis=1) == y_test))
    os.makedirs(FLAGS.out_dir, exist_ok=True)
    weights = os.path.join(FLAGS.out_dir, f"{name}.weights.h5")
    model.save_weights(weights)
    sha = classifiers.file_sha256(weights)
    card = {
        "name": name,
        "file": os.path.basename(weights),
        "sha256": sha,
        "bytes": os.path.getsize(weights),
        "parameters": int(model.count_params()),
        "test_accuracy": accuracy,
        "test_images": int(len(y_test)),
        "epochs_run": len(history.history["loss"]),
        "train_seconds": round(train_seconds, 1),
        "final_train_accuracy": float(history.history["accuracy"][-1]),
        "input": "NHWC float32 in [-1, 1] (uint8 / 127.5 - 1)",
        "features": "layer 'features': dense 128 + ReLU, the penultimate layer",
        "augmentation": [type(layer).__name__ for layer in layers],
        "optimizer": f"Adam, cosine decay from {FLAGS.learning_rate}, batch {FLAGS.batch_size}",
        "seed": FLAGS.seed,
        **(
            {"data": f"MNIST-M built by load_mnist_m, seeds {classifiers.MNIST_M_SEEDS}"}
            if name == "mnist_m"
            else {}
        ),
        "command": " ".join(
            [f"KERAS_BACKEND={keras.config.backend()}"]
            + [f"{k}={shlex.quote(os.environ[k])}" for k in ENV_SHOWN if k in os.environ]
            + ["python"]
            + [shlex.quote(a) for a in sys.argv]
        ),
        "backend": keras.config.backend(),
        "keras": keras.__version__,
        "machine": f"{platform.platform()}, {os.cpu_count()} CPU cores, no GPU",
        "trained": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    with open(os.path.join(FLAGS.out_dir, f"{name}.json"), "w") as f:
        json.dump(card, f, indent=1)
        f.write("\n")
    print(json.dumps(card, indent=1))


if __name__ == "__main__":
    app.run(main)
