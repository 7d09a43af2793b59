"""Pix2Pix: shapes, ranges, a training step, the L1-only ablation, saving."""

import keras
import numpy as np
import pytest
from keras import ops
from test_case import TestCase

from keras_gans import models
from keras_gans.models.image_to_image import patchgan_discriminator, unet_generator

SMALL = dict(generator_filters=4, discriminator_filters=4, seed=2)


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
