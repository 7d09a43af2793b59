"""GANs learn known distributions (real training, checked with the metrics)."""

import numpy as np
import pytest

import keras_gans
from keras_gans import datasets, metrics
from keras_gans.demo import toy_gan


def test_bimodal_1d_mixture_is_learned():
    data = datasets.gaussian_mixture_1d(256 * 3000, means=(-2.0, 2.0), stds=0.3, seed=0)
    # 1-D noise for 1-D data and 3,000 steps: with 4-D noise some seeds collapsed
    # onto one mode, and after 1,500 steps some still had mass between the modes.
    gan = keras_gans.VanillaGAN(data_dim=1, latent_dim=1, seed=0)
    gan.compile(loss="hinge")
    gan.fit(data, batch_size=256, epochs=1, verbose=0)
    samples = gan.generate(5000)[:, 0]
    near_left = np.mean(np.abs(samples + 2.0) < 0.9)  # 3 stds of each mode
    near_right = np.mean(np.abs(samples - 2.0) < 0.9)
    # Both modes are present, each with a fair share of the mass, and little
    # mass lies elsewhere.
    assert near_left > 0.25 and near_right > 0.25, (near_left, near_right)
    assert near_left + near_right > 0.9, (near_left, near_right)


@pytest.mark.large
def test_ring_gan_captures_all_eight_modes():
    # The demo's configuration: hinge loss, Adam with cosine decay, 5,000 steps.
    steps = 5000
    data = datasets.ring(256 * steps, seed=0)
    gan = toy_gan(steps, seed=1)
    gan.fit(data, batch_size=256, epochs=1, verbose=0)
    result = metrics.mode_coverage(gan.generate(2500), datasets.ring_modes(), std=0.01)
    assert result.modes == 8, result
    assert result.high_quality > 0.3, result
