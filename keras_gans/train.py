"""`python -m keras_gans train`: trains an image GAN family on a data set.

Writes, into `out_dir`: a sample grid per epoch (`samples_epoch_NNN.png`, from
fixed inputs), the last grid as `samples.png`, the loss curves
(`losses.png`), the losses per epoch (`history.json`) and the trained model
(`model.keras`, reloadable with `keras.saving.load_model` on any backend).
"""

import json
import os
import time

import keras

from keras_gans import callbacks, datasets, models
from keras_gans.plotting import plot_losses
from keras_gans.utils import atomic_write, check_positive_int

FAMILIES = {
    "dcgan": models.DCGAN,
    "cgan": models.ConditionalGAN,
    "wgan": models.WGAN,
    "wgan_gp": models.WGANGP,
    "infogan": models.InfoGAN,
}


def build(family, image_shape, num_classes, seed, **options):
    """Builds a family by its command-line name, with its defaults."""
    if family not in FAMILIES:
        raise ValueError(f"Unknown family {family!r}; available: {', '.join(FAMILIES)}.")
    cls = FAMILIES[family]
    if cls is models.ConditionalGAN:
        options["num_classes"] = num_classes
    return cls(image_shape=image_shape, seed=seed, **options)


def train(
    family="dcgan",
    dataset="mnist",
    data_dir=None,
    epochs=5,
    steps_per_epoch=None,
    batch_size=64,
    seed=0,
    out_dir="runs/dcgan_mnist",
    checkpoint_dir=None,
    **options,
):
    """Trains `family` on `dataset`; returns the model and its `History`.

    With `checkpoint_dir`, the whole training state is saved there after
    every epoch (`keras_gans.callbacks.ResumableCheckpoint`): running the
    same command again after a crash resumes the run exactly.
    """
    epochs = check_positive_int(epochs, "epochs")
    info = datasets.info(dataset)
    gan = build(family, info.image_shape, info.num_classes, seed, **options)
    gan.compile()
    data = datasets.load(
        dataset, data_dir=data_dir, batch_size=batch_size, labels=gan.conditional, seed=seed
    )
    if steps_per_epoch is not None:
        data = data.repeat()
    os.makedirs(out_dir, exist_ok=True)
    grid = callbacks.SampleGrid(
        os.path.join(out_dir, "samples_epoch_{epoch:03d}.png"), num_samples=100
    )
    fit_callbacks = [grid]
    if checkpoint_dir:
        fit_callbacks.append(callbacks.ResumableCheckpoint(checkpoint_dir))
    start = time.perf_counter()
    history = gan.fit(
        data, epochs=epochs, steps_per_epoch=steps_per_epoch, callbacks=fit_callbacks, verbose=2
    )
    seconds = time.perf_counter() - start
    grid.path = os.path.join(out_dir, "samples.png")
    grid.write(epochs)
    plot_losses(history, os.path.join(out_dir, "losses.png"), title=f"{family} on {dataset}")
    record = {
        "family": family,
        "dataset": dataset,
        "backend": keras.config.backend(),
        "epochs": epochs,
        "steps_per_epoch": steps_per_epoch,
        "batch_size": batch_size,
        "seed": seed,
        "options": options,
        "train_seconds": round(seconds, 1),
        "history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
    }

    def write_record(tmp):
        with open(tmp, "w") as f:
            json.dump(record, f, indent=1)

    # Whole files or none: a crash while writing leaves no half file behind.
    atomic_write(os.path.join(out_dir, "history.json"), write_record)
    atomic_write(os.path.join(out_dir, "model.keras"), gan.save)
    return gan, history
