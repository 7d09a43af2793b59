"""Trains a small GAN with `ResumableCheckpoint`; can kill itself with SIGKILL once.

Run as `KERAS_BACKEND=<b> python tests/resume_worker.py DIR FAMILY KILL_AT`.

FAMILY is `vanilla` (ring data, numpy, shuffled, dropout in the discriminator)
or `dcgan` (8x8 images, 4 filters, numpy, `steps_per_epoch` shorter than a
pass over the data). KILL_AT is `step:N` (SIGKILL after training step N),
`save:E` (SIGKILL while saving the checkpoint of epoch E, after the weights
file is written and before it is recorded) or `none`. The worker kills itself
only if `DIR/killed` does not exist yet, and creates it first: running the
same command again resumes the run. At the end it writes `DIR/final.npz` with
every variable of the model and its optimizer.
"""

import os
import signal
import sys

import keras
import numpy as np
from keras import ops

import keras_gans
from keras_gans.callbacks import ResumableCheckpoint


def build(family):
    if family == "vanilla":
        gan = keras_gans.VanillaGAN(
            data_dim=2,
            latent_dim=4,
            generator_units=(16,),
            discriminator_units=(16,),
            discriminator_dropout=0.2,
            seed=3,
        )
        gan.compile(
            d_optimizer=keras.optimizers.Adam(1e-2, beta_1=0.5),
            g_optimizer=keras.optimizers.Adam(1e-2, beta_1=0.5),
            loss="hinge",
        )
        data = keras_gans.datasets.ring(6 * 32, seed=1)
        fit_args = {"batch_size": 32, "epochs": 4}
    elif family == "dcgan":
        gan = keras_gans.DCGAN(
            image_shape=(8, 8, 1),
            latent_dim=4,
            generator_filters=4,
            discriminator_filters=4,
            kernel_size=3,
            seed=5,
        )
        gan.compile(n_critic=2)
        rng = np.random.default_rng(0)
        data = rng.uniform(-1, 1, (5 * 8, 8, 8, 1)).astype("float32")
        fit_args = {"batch_size": 8, "epochs": 4, "steps_per_epoch": 3}
    else:
        raise ValueError(f"unknown family {family!r}")
    return gan, data, fit_args


def state_arrays(gan):
    """Every variable of the model and of its optimizer, by position."""
    out = {}
    for i, v in enumerate(gan.variables):
        out[f"model_{i}"] = np.array(ops.convert_to_numpy(v))
    for i, v in enumerate(gan.optimizer.variables):
        out[f"optimizer_{i}"] = np.array(ops.convert_to_numpy(v))
    return out


class KillAtStep(keras.callbacks.Callback):
    def __init__(self, step, marker):
        super().__init__()
        self.step, self.marker = step, marker
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._epoch * self.params["steps"] + batch + 1 == self.step:
            _kill(self.marker)


class KillingCheckpoint(ResumableCheckpoint):
    """Dies between writing the weights of epoch `kill_epoch` and recording them."""

    kill_epoch = None
    marker = None

    def _after_weights_written(self, path):
        if self.kill_epoch is not None and path.endswith(f"epoch_{self.kill_epoch:06d}.weights.h5"):
            _kill(self.marker)


def _kill(marker):
    if os.path.exists(marker):
        return
    open(marker, "w").close()
    os.kill(os.getpid(), signal.SIGKILL)


def run(directory, family, kill_at):
    gan, data, fit_args = build(family)
    marker = os.path.join(directory, "killed")
    checkpoint = KillingCheckpoint(os.path.join(directory, "ckpt"))
    checkpoint.marker = marker
    callbacks = [checkpoint]
    kind, _, value = kill_at.partition(":")
    if kind == "step":
        callbacks.append(KillAtStep(int(value), marker))
    elif kind == "save":
        checkpoint.kill_epoch = int(value)
    gan.fit(data, verbose=0, callbacks=callbacks, **fit_args)
    np.savez(os.path.join(directory, "final.npz"), **state_arrays(gan))
    print("resumed_from", checkpoint.resumed_from)


if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2], sys.argv[3])
