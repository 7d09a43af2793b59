"""SRGAN and SRResNet: networks at two sizes, a training step, the feature loss, saving."""

import keras
import numpy as np
import pytest
from keras import ops
from test_case import TestCase

from keras_gans import models
from keras_gans.models.srgan import feature_extractor, srgan_discriminator, srresnet_generator

SMALL = dict(
    generator_filters=4, num_blocks=1, discriminator_filters=4, discriminator_blocks=2, seed=1
)


def batch(n, shape, seed):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *shape)).astype("float32")


def trainables(model):
    return [np.array(ops.convert_to_numpy(v)) for v in model.trainable_variables]


class TestSRGAN(TestCase):
    def test_networks_at_two_sizes(self):
        g = srresnet_generator(3, scale=4, filters=4, num_blocks=1, seed=0)
        d = srgan_discriminator(3, filters=4, num_blocks=2, seed=0)
        assert sum(la.__class__.__name__ == "SubPixelUpsampling" for la in g.layers) == 2
        for h, w in ((4, 4), (6, 5)):
            y = g.predict_on_batch(batch(2, (h, w, 3), 0) * 20)
            assert y.shape == (2, 4 * h, 4 * w, 3) and np.all(np.abs(y) <= 1)
            logits = d.predict_on_batch(y)
            assert logits.shape == (2, 1) and np.isfinite(logits).all()
        x3 = srresnet_generator(1, scale=3, filters=4, num_blocks=1).predict_on_batch(
            batch(1, (3, 3, 1), 0)
        )
        assert x3.shape == (1, 9, 9, 1)
        with pytest.raises(ValueError, match="power of 2"):
            srresnet_generator(3, scale=5)

    def test_fit_moves_both_sides_and_saves(self, tmp_path):
        sr = models.SRGAN(scale=4, **SMALL)
        sr.compile()
        lr, hr = batch(4, (4, 4, 3), 0), batch(4, (16, 16, 3), 1)
        g0, d0 = trainables(sr.generator), trainables(sr.discriminator)
        frozen = [np.array(ops.convert_to_numpy(v)) for v in sr.feature_extractor.weights]
        logs = sr.fit(lr, hr, batch_size=4, epochs=1, verbose=0).history
        assert set(logs) == {"d_loss", "g_loss", "pixel_loss", "feature_loss"}
        assert all(np.isfinite(v[-1]) and v[-1] > 0 for v in logs.values())
        self.assert_kernels_changed(g0, trainables(sr.generator), "generator")
        self.assert_kernels_changed(d0, trainables(sr.discriminator), "discriminator")
        self.assert_unchanged(
            frozen, [ops.convert_to_numpy(v) for v in sr.feature_extractor.weights], "features"
        )
        small = np.random.default_rng(0).integers(0, 256, (3, 5, 7, 3)).astype("uint8")
        big = sr.enhance(small)
        assert big.shape == (3, 20, 28, 3) and big.dtype == np.uint8

        config = sr.get_config()
        assert models.SRGAN.from_config(config).get_config() == config
        path = str(tmp_path / "sr.keras")
        sr.save(path)
        loaded = keras.saving.load_model(path)
        assert type(loaded) is models.SRGAN
        np.testing.assert_allclose(loaded.enhance(lr), sr.enhance(lr), atol=1e-5)

    def test_srresnet_mse_and_injected_features(self):
        sr = models.SRGAN(scale=2, adversarial_weight=0.0, feature_weight=0.0, **SMALL)
        assert sr.feature_extractor is None
        sr.compile()
        lr, hr = batch(4, (4, 4, 3), 0), batch(4, (8, 8, 3), 1)
        d0 = trainables(sr.discriminator)
        logs = sr.fit(lr, hr, batch_size=4, epochs=1, verbose=0).history
        self.assert_unchanged(d0, trainables(sr.discriminator), "discriminator")
        assert logs["d_loss"][-1] == 0.0 and logs["feature_loss"][-1] == 0.0
        np.testing.assert_allclose(logs["g_loss"][-1], logs["pixel_loss"][-1], rtol=1e-6)

        # An injected extractor: mean pooling, whose loss is the MSE of 2x2 means.
        pool = keras.Sequential([keras.Input((None, None, 3)), keras.layers.AveragePooling2D(2)])
        sr = models.SRGAN(
            scale=2, pixel_weight=0.0, adversarial_weight=0.0, feature_extractor=pool, **SMALL
        )
        sr.compile(g_optimizer=keras.optimizers.SGD(0.0))
        # Batch statistics, as in the training step.
        expected_sr = ops.convert_to_numpy(sr.generator(lr, training=True))
        means = lambda x: x.reshape(4, 4, 2, 4, 2, 3).mean(axis=(2, 4))
        expected = np.mean((means(expected_sr) - means(hr)) ** 2)
        logs = sr.fit(lr, hr, batch_size=4, epochs=1, verbose=0).history
        np.testing.assert_allclose(logs["feature_loss"][-1], expected, rtol=1e-4)
        assert models.SRGAN.from_config(sr.get_config()).feature_extractor is not None

    def test_cifar10_features(self):
        net = feature_extractor("cifar10")
        assert not net.trainable and not net.trainable_weights
        out = net.predict_on_batch(batch(2, (12, 10, 3), 0))
        assert out.shape == (2, 6, 5, 64) and np.all(out >= 0)  # ReLU at half resolution
        with pytest.raises(ValueError, match="feature_extractor"):
            feature_extractor("resnet")
