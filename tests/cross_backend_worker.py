"""Trains a tiny GAN for a few steps from given weights and noise; saves results.

Run as `KERAS_BACKEND=<b> python tests/cross_backend_worker.py DIR`. DIR holds
`init.weights.h5`, `data.npy` and `noise.npy` made by the test; the worker
writes `<backend>.npz` (per-step losses and samples from fixed z) and `<backend>.weights.h5`.
"""

import os
import sys

import keras
import numpy as np
from keras import ops

import keras_gans


@keras.saving.register_keras_serializable(package="keras_gans_tests")
class FixedNoiseGAN(keras_gans.VanillaGAN):
    """Draws step k's noise from a fixed table instead of the seed generator."""

    def set_noise(self, noise):
        self._noise_table = noise

    def sample_latent(self, batch_size):
        return ops.convert_to_tensor(self._noise_table)


def build():
    gan = FixedNoiseGAN(
        data_dim=2,
        latent_dim=4,
        generator_units=(16, 16),
        discriminator_units=(16, 16),
        seed=0,
    )
    return gan


def run(directory, steps=5):
    backend = keras.config.backend()
    data = np.load(os.path.join(directory, "data.npy"))
    noise = np.load(os.path.join(directory, "noise.npy"))
    gan = build()
    gan.load_weights(os.path.join(directory, "init.weights.h5"))
    gan.set_noise(noise)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-2, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(1e-2, beta_1=0.5),
        loss="non_saturating",
        n_critic=2,
    )
    losses = []
    for _ in range(steps):
        logs = gan.train_on_batch(data, return_dict=True)
        losses.append([float(logs["d_loss"]), float(logs["g_loss"])])
    samples = gan.generate(z=noise)
    gan.save_weights(os.path.join(directory, f"{backend}.weights.h5"))
    gan.save(os.path.join(directory, f"{backend}.keras"))
    np.savez(
        os.path.join(directory, f"{backend}.npz"),
        losses=np.array(losses),
        samples=samples,
    )
    return np.array(losses), samples


if __name__ == "__main__":
    run(sys.argv[1])
