"""Pix2Pix: shapes, ranges, a training step, the L1-only ablation, saving."""

import os

import keras
import numpy as np
import pytest
from keras import ops
from test_case import ROOT, TestCase

from keras_gans import datasets, models
from keras_gans.models.image_to_image import patchgan_discriminator, unet_generator

SMALL = dict(generator_filters=4, discriminator_filters=4, seed=2)


DATA_DIR = os.environ.get("KERAS_GANS_DATA_DIR") or os.path.join(
    os.path.dirname(ROOT), "shared", "data"
)
needs_cifar10 = pytest.mark.skipif(
    not os.path.isfile(os.path.join(DATA_DIR, "cifar10", "cifar10_jpg_q75.tar.gz")),
    reason=f"the CIFAR-10 archive is not in {DATA_DIR!r} (set KERAS_GANS_DATA_DIR to a folder "
    "holding cifar10/cifar10_jpg_q75.tar.gz)",
)


def batch(n, shape, seed):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *shape)).astype("float32")


def trainables(model):
    return [np.array(ops.convert_to_numpy(v)) for v in model.trainable_variables]


class TestPix2Pix(TestCase):
    @pytest.mark.parametrize("size", [8, 16])
    def test_network_shapes_and_ranges(self, size):
        g = unet_generator((size, size, 1), 3, filters=4, seed=0)
        x = batch(3, (size, size, 1), 0) * 50  # far outside [-1, 1]: tanh still bounds it
        y = g.predict_on_batch(x)
        assert y.shape == (3, size, size, 3) and np.all(np.abs(y) <= 1)
        assert len([la for la in g.layers if la.__class__.__name__ == "Concatenate"]) == (
            int(np.log2(size)) - 1
        )
        d = patchgan_discriminator((size, size, 3), condition_shape=(size, size, 1), filters=4)
        logits = d.predict_on_batch([x, y])
        assert logits.shape == (3, size // 8 or 1, size // 8 or 1, 1)
        assert np.isfinite(logits).all()

    def test_fit_moves_both_sides_and_saves(self, tmp_path):
        gan = models.Pix2Pix(input_shape=(8, 8, 1), output_channels=3, **SMALL)
        gan.compile()
        x, y = batch(8, (8, 8, 1), 0), batch(8, (8, 8, 3), 1)
        g0, d0 = trainables(gan.generator), trainables(gan.discriminator)
        logs = gan.fit(x, y, batch_size=4, epochs=1, verbose=0).history
        assert set(logs) == {"d_loss", "g_loss", "l1_loss"}
        assert all(np.isfinite(v[-1]) for v in logs.values())
        # g_loss = adversarial + 100 * L1 with the adversarial term positive.
        assert logs["g_loss"][-1] > 100 * logs["l1_loss"][-1]
        self.assert_kernels_changed(g0, trainables(gan.generator), "generator")
        self.assert_kernels_changed(d0, trainables(gan.discriminator), "discriminator")

        uint8 = np.round((x[:5] + 1) * 127.5).astype("uint8")
        out = gan.translate(uint8)
        assert out.shape == (5, 8, 8, 3) and out.dtype == np.uint8
        unit = gan.translate((x + 1) / 2, value_range=(0, 1))
        assert unit.dtype == np.float32 and unit.min() >= 0 and unit.max() <= 1
        np.testing.assert_allclose(unit * 2 - 1, gan.translate(x), atol=1e-5)
        assert gan.translate(x[0]).shape == (8, 8, 3)
        with pytest.raises(ValueError, match="expects"):
            gan.translate(batch(2, (8, 8, 3), 0))
        with pytest.raises(TypeError, match="translate"):
            gan.generate(4)

        config = gan.get_config()
        assert models.Pix2Pix.from_config(config).get_config() == config
        path = str(tmp_path / "p2p.keras")
        gan.save(path)
        loaded = keras.saving.load_model(path)
        assert type(loaded) is models.Pix2Pix
        np.testing.assert_allclose(loaded.translate(x), gan.translate(x), atol=1e-5)

    def test_l1_alone_leaves_the_discriminator(self):
        gan = models.Pix2Pix(
            input_shape=(8, 8, 1),
            output_channels=1,
            adversarial_weight=0.0,
            dropout=0.0,
            normalization=None,  # the same network in training and inference
            **SMALL,
        )
        gan.compile()
        x, y = batch(4, (8, 8, 1), 0), batch(4, (8, 8, 1), 1)
        l1_before = float(np.mean(np.abs(gan.translate(x) - y)))
        g0, d0 = trainables(gan.generator), trainables(gan.discriminator)
        logs = gan.fit(x, y, batch_size=4, epochs=1, verbose=0).history
        self.assert_unchanged(d0, trainables(gan.discriminator), "discriminator")
        self.assert_kernels_changed(g0, trainables(gan.generator), "generator")
        assert logs["d_loss"][-1] == 0.0
        np.testing.assert_allclose(logs["g_loss"][-1], 100 * logs["l1_loss"][-1], rtol=1e-5)
        np.testing.assert_allclose(logs["l1_loss"][-1], l1_before, rtol=1e-4)

    def test_argument_errors(self):
        with pytest.raises(ValueError, match="divisible"):
            models.Pix2Pix(input_shape=(12, 12, 1), depth=3, **SMALL)
        with pytest.raises(ValueError, match="normalization"):
            models.Pix2Pix(input_shape=(8, 8, 1), normalization="group", **SMALL)
        with pytest.raises(ValueError, match="l1_weight"):
            models.Pix2Pix(input_shape=(8, 8, 1), l1_weight=-1, **SMALL)
        gan = models.Pix2Pix(input_shape=(8, 8, 1), output_channels=3, **SMALL)
        gan.compile()
        with pytest.raises(ValueError, match="expects"):
            gan.fit(batch(4, (8, 8, 1), 0), batch(4, (8, 8, 1), 0), verbose=0)
        with pytest.raises(ValueError, match="inputs, targets"):
            gan.fit(batch(4, (8, 8, 1), 0), verbose=0, batch_size=4)

    def test_ycbcr_keeps_the_luminance(self):
        gan = models.Pix2Pix(
            input_shape=(8, 8, 1), output_channels=3, colour_space="ycbcr", **SMALL
        )
        grey = batch(8, (8, 8, 1), 0) * 0.5
        # Untrained: zero chrominance, so the output is the grey input itself.
        np.testing.assert_allclose(gan.translate(grey), np.repeat(grey, 3, -1), atol=1e-6)
        gan.compile()
        colour = batch(8, (8, 8, 3), 1) * 0.5
        gan.fit(grey, colour, batch_size=4, epochs=1, verbose=0)
        out = gan.translate(grey)
        assert np.abs(out - np.repeat(grey, 3, -1)).max() > 1e-4  # it coloured something
        unclipped = np.all(np.abs(out) < 1, axis=-1)
        luma = out @ np.array([0.299, 0.587, 0.114], dtype="float32")
        np.testing.assert_allclose(luma[unclipped], grey[..., 0][unclipped], atol=1e-5)
        config = gan.get_config()
        assert config["colour_space"] == "ycbcr"
        assert models.Pix2Pix.from_config(config).get_config() == config
        with pytest.raises(ValueError, match="grey inputs"):
            models.Pix2Pix(input_shape=(8, 8, 3), colour_space="ycbcr", **SMALL)
        with pytest.raises(ValueError, match="colour_space"):
            models.Pix2Pix(input_shape=(8, 8, 1), colour_space="lab", **SMALL)

    @pytest.mark.large
    @needs_cifar10
    def test_colourisation_beats_the_grey_input(self):
        """pix2pix (cGAN + 100 L1, the paper's losses and optimizer) predicting the
        chrominance, width 8, a 3-level U-Net and a 2-layer PatchGAN (to keep
        JAX's compilation short), 100 steps of batch 16 on CIFAR-10 training images:
        mean L1 on 1,000 CIFAR-10 test images at least 5% below the grey
        input's (0.106). The untrained network is the grey input itself, so
        the margin is what training added."""
        steps, size = 100, 16
        train, _ = datasets.load_numpy("cifar10", "train", data_dir=DATA_DIR)
        test, _ = datasets.load_numpy("cifar10", "test", data_dir=DATA_DIR)
        x, y = datasets.colorization_pairs(train[: steps * size])
        tx, ty = datasets.colorization_pairs(test[:1000])
        grey_l1 = np.mean(np.abs(np.repeat(tx, 3, -1) - ty))
        gan = models.Pix2Pix(
            input_shape=(32, 32, 1),
            output_channels=3,
            generator_filters=8,
            discriminator_filters=8,
            depth=3,
            discriminator_layers=2,
            colour_space="ycbcr",
            seed=0,
        )
        gan.compile()
        gan.fit(x, y, batch_size=size, epochs=1, shuffle=False, verbose=0)
        l1 = np.mean(np.abs(gan.translate(tx, batch_size=250) - ty))
        assert l1 < 0.95 * grey_l1, (l1, grey_l1)
