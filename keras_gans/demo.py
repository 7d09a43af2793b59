"""The ring demo: a GAN learns 8 Gaussians on a circle, on the current backend."""

import time

import keras

from keras_gans import datasets
from keras_gans.callbacks import ModeCoverage
from keras_gans.models import VanillaGAN
from keras_gans.plotting import plot_samples_2d
from keras_gans.utils import check_positive_int

RING_STD = 0.01


def toy_gan(steps, seed=0, learning_rate=1e-3):
    """The configuration for the 2-D toys: MLPs of 3x128, hinge loss, Adam with cosine decay.

    `steps` is the length of the decay (the planned number of training steps).
    """
    gan = VanillaGAN(
        data_dim=2,
        latent_dim=8,
        generator_units=(128, 128, 128),
        discriminator_units=(128, 128, 128),
        seed=seed,
    )

    def adam():
        schedule = keras.optimizers.schedules.CosineDecay(learning_rate, steps, alpha=0.05)
        return keras.optimizers.Adam(schedule, beta_1=0.5)

    gan.compile(d_optimizer=adam(), g_optimizer=adam(), loss="hinge")
    return gan


def run(steps=5000, epochs=10, batch_size=256, seed=0, out="demo_ring.png", verbose=2):
    """Trains the ring GAN and writes a PNG of real vs generated samples.

    Returns `(gan, coverage, seconds)` where `coverage` is the final
    `keras_gans.metrics.ModeCoverage` on 2,500 samples.
    """
    steps = check_positive_int(steps, "steps")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    if epochs > steps:
        raise ValueError(f"`epochs` ({epochs}) cannot exceed `steps` ({steps}).")
    steps_per_epoch = steps // epochs
    total = steps_per_epoch * epochs
    data = datasets.ring(batch_size * steps_per_epoch, seed=seed)
    gan = toy_gan(total, seed=seed)
    coverage = ModeCoverage(datasets.ring_modes(), RING_STD)
    if verbose:
        print(
            f"Training a GAN on the ring (8 Gaussians, std {RING_STD}) with the "
            f"{keras.config.backend()} backend: {total} steps of batch {batch_size}."
        )
    start = time.time()
    gan.fit(data, batch_size=batch_size, epochs=epochs, verbose=verbose, callbacks=[coverage])
    seconds = time.time() - start
    result = coverage.last
    if out:
        plot_samples_2d(
            data[:2500],
            gan.generate(2500),
            out,
            means=datasets.ring_modes(),
            title=(
                f"{keras.config.backend()}: {result.modes}/8 modes, "
                f"{100 * result.high_quality:.1f}% high quality, KL {result.reverse_kl:.3f}"
            ),
        )
    if verbose:
        print(
            f"modes captured: {result.modes}/8   high-quality samples: "
            f"{100 * result.high_quality:.1f}%   reverse KL: {result.reverse_kl:.3f}   "
            f"time: {seconds:.1f} s"
        )
        if out:
            print(f"wrote {out}")
    return gan, result, seconds
