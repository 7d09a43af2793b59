"""Large test: DCGAN learns MNIST digits, judged by the shipped classifier."""

import os

import keras
import numpy as np
import pytest
from test_case import ROOT, TestCase

from keras_gans import datasets, metrics, models

DATA = os.path.join(os.path.dirname(ROOT), "shared", "data")


needs_mnist = pytest.mark.skipif(
    not os.path.isdir(os.path.join(DATA, "mnist")), reason=f"no data in {DATA}"
)


@pytest.mark.large
@needs_mnist
@pytest.mark.parametrize("family", ["dcgan", "cgan", "wgan", "wgan_gp", "infogan"])
def test_every_family_trains_on_mnist(family):
    # Ten steps of each family, default architecture but narrow, on real
    # MNIST batches from the loader (with labels for the conditional one).
    from keras_gans.train import build

    gan = build(family, (28, 28, 1), 10, seed=0, generator_filters=8, discriminator_filters=8)
    gan.compile()
    data = datasets.load("mnist", data_dir=DATA, batch_size=32, labels=gan.conditional, take=320)
    before = [np.array(v) for v in gan.generator.trainable_variables]
    logs = gan.fit(data, epochs=1, verbose=0).history
    assert all(np.isfinite(v[-1]) for v in logs.values()), logs
    after = [np.array(v) for v in gan.generator.trainable_variables]
    assert all(not np.array_equal(a, b) for a, b in zip(before, after) if a.ndim > 1)


@pytest.mark.large
@needs_mnist
class TestDCGANLearnsMNIST(TestCase):
    def test_generated_digits_are_recognised(self):
        images, _ = datasets.load_numpy("mnist", data_dir=DATA)
        x = images[:19200].astype("float32") / 127.5 - 1.0
        # A narrow DCGAN (16 filters, resize upsampling: fast on every CPU
        # backend) for 600 steps of batch 64.
        gan = models.DCGAN(
            image_shape=(28, 28, 1),
            generator_filters=16,
            discriminator_filters=16,
            upsampling="resize",
            seed=0,
        )
        gan.compile()
        judge = metrics.classifier("mnist")
        before = metrics.class_coverage(judge.probabilities(gan.generate(1000)))
        gan.fit(x, batch_size=64, epochs=2, shuffle=True, verbose=0)
        after = metrics.class_coverage(judge.probabilities(gan.generate(1000)))
        real = metrics.class_coverage(judge.probabilities(x[:1000]))
        print(keras.config.backend(), before, after, real)
        # Untrained, every blob is read as one class (KL to uniform near
        # log 10 = 2.3). Trained: digits of (nearly) every class, a class
        # histogram near uniform, and a good share the classifier is sure of
        # (600 steps gave 10 classes, KL 0.36, 44% confident on torch).
        assert before.reverse_kl > 1.5, before
        assert after.classes >= 9, after
        assert after.reverse_kl < 0.7, after
        assert after.confident >= 0.3, after
        assert real.confident > 0.95 and real.reverse_kl < 0.05
