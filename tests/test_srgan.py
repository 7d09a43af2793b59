"""SRGAN and SRResNet: networks at two sizes, a training step, the feature loss, saving."""

import os

import keras
import numpy as np
import pytest
from keras import ops
from test_case import ROOT, TestCase

from keras_gans import datasets, layers, metrics, models
from keras_gans.models.srgan import feature_extractor, srgan_discriminator, srresnet_generator

SMALL = dict(
    generator_filters=4, num_blocks=1, discriminator_filters=4, discriminator_blocks=2, seed=1
)


DATA_DIR = os.environ.get("KERAS_GANS_DATA_DIR") or os.path.join(
    os.path.dirname(ROOT), "shared", "data"
)
needs_sr_data = pytest.mark.skipif(
    not all(
        os.path.isdir(os.path.join(DATA_DIR, "sr_benchmarks", name)) for name in ("CSet5", "CBSD68")
    ),
    reason=f"the super-resolution benchmarks are not in {DATA_DIR!r} (set KERAS_GANS_DATA_DIR "
    "to a folder holding sr_benchmarks/CSet5 and sr_benchmarks/CBSD68)",
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
        # Two steps: the generator's last layer starts at zero (global_residual), so the
        # first step moves only that layer.
        lr, hr = batch(8, (4, 4, 3), 0), batch(8, (16, 16, 3), 1)
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

    def test_global_residual_starts_as_bicubic(self):
        sr = models.SRGAN(scale=4, adversarial_weight=0.0, feature_weight=0.0, **SMALL)
        small = np.random.default_rng(0).integers(0, 256, (2, 6, 5, 3)).astype("uint8")
        bicubic = layers.BicubicUpsampling(4)(small.astype("float32") / 127.5 - 1)
        expected = np.clip(ops.convert_to_numpy(bicubic), -1, 1)
        np.testing.assert_allclose(sr.enhance(small / 127.5 - 1), expected, atol=1e-6)
        paper = models.SRGAN(global_residual=False, **SMALL)
        assert "bicubic" not in [la.name for la in paper.generator.layers]
        # A file from before the option holds the paper's network.
        config = paper.get_config()
        del config["global_residual"]
        assert not models.SRGAN.from_config(config).global_residual

    @pytest.mark.large
    @needs_sr_data
    def test_srresnet_beats_bicubic_on_cset5_after_short_training(self):
        """SRResNet-MSE (width 16, 2 blocks), 120 steps of batch 16 on 32x32 CBSD68
        crops: mean Y-PSNR on CSet5 (4-pixel border removed, as the benchmark)
        above bicubic's by a clear margin."""
        steps, size = 120, 16
        photos = datasets.load_sr_benchmark("CBSD68", data_dir=DATA_DIR)
        lr, hr = datasets.sr_crops(photos, steps * size, crop_size=32, scale=4, seed=0)
        pairs = [
            datasets.sr_pair(image, 4) for image in datasets.load_sr_benchmark("CSet5", DATA_DIR)
        ]

        def mean_psnr(upsample):
            return np.mean(
                [
                    metrics.psnr(
                        metrics.rgb_to_y(upsample(small)), metrics.rgb_to_y(big), crop_border=4
                    )[0]
                    for small, big in pairs
                ]
            )

        bicubic = mean_psnr(lambda s: datasets.bicubic_resize(s, (4 * s.shape[0], 4 * s.shape[1])))
        sr = models.SRGAN(
            scale=4,
            generator_filters=16,
            num_blocks=2,
            adversarial_weight=0.0,
            feature_weight=0.0,
            seed=0,
        )
        sr.compile(g_optimizer=keras.optimizers.Adam(1e-3))
        sr.fit(lr, hr, batch_size=size, epochs=1, shuffle=False, verbose=0)
        trained = mean_psnr(lambda s: sr.enhance(s, batch_size=1))
        assert trained > bicubic + 0.3, (trained, bicubic)

    def test_bicubic_upsampling(self):
        up = layers.BicubicUpsampling(4)
        assert up.get_config()["scale"] == 4
        # Keys' cubic (a = -0.5) reproduces linear functions: a ramp stays a ramp,
        # sampled at the output pixel centres (i + 0.5) / 4 - 0.5, away from the borders.
        ramp = np.broadcast_to(np.arange(8.0, dtype="float32")[None, :, None, None], (1, 8, 3, 2))
        out = ops.convert_to_numpy(up(ramp))
        assert out.shape == (1, 32, 12, 2)
        expected = (np.arange(32) + 0.5) / 4 - 0.5
        np.testing.assert_allclose(out[0, 8:-8, 5, 1], expected[8:-8], atol=1e-5)
        np.testing.assert_allclose(ops.convert_to_numpy(up(np.ones((1, 3, 2, 1)))), 1, atol=1e-6)
        # Close to Pillow's bicubic, which rounds to uint8 between its two passes.
        image = np.random.default_rng(0).integers(0, 256, (12, 10, 3)).astype("uint8")
        ours = ops.convert_to_numpy(up(image[None].astype("float32")))[0]
        pillow = datasets.bicubic_resize(image, (48, 40)).astype("float32")
        assert np.mean(np.abs(np.clip(ours, 0, 255) - pillow)[8:-8, 8:-8]) < 1.0
