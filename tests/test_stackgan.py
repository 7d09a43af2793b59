"""StackGAN: conditioning augmentation's KL, the two stages' resolutions, training and saving."""

import keras
import numpy as np
import pytest
from keras import ops
from test_case import TestCase

from keras_gans import models
from keras_gans.layers import ConditioningAugmentation

SHAPE = (8, 8, 1)
SMALL = dict(
    num_classes=3,
    latent_dim=4,
    embedding_dim=4,
    cond_dim=2,
    generator_filters=4,
    discriminator_filters=4,
    seed=0,
)


def trainables(model):
    return [np.array(ops.convert_to_numpy(v)) for v in model.trainable_variables]


class TestConditioningAugmentation(TestCase):
    def test_kl_matches_closed_form(self):
        layer = ConditioningAugmentation(2, seed=0)
        layer.build((None, 3))
        # mu and log sigma^2 come from the bias alone: mu = (1, -0.5), sigma = (2, 0.5).
        mean, sigma = np.array([1.0, -0.5]), np.array([2.0, 0.5])
        layer.dense.kernel.assign(np.zeros((3, 4), "float32"))
        layer.dense.bias.assign(np.concatenate([mean, 2 * np.log(sigma)]).astype("float32"))
        e = np.ones((5, 3), "float32")
        c, kl = layer(e, training=True)
        # KL(N(m, s^2) || N(0, 1)) = log(1/s) + (s^2 + m^2) / 2 - 1/2, per dimension.
        expected = np.sum(np.log(1 / sigma) + (sigma**2 + mean**2) / 2 - 0.5)
        np.testing.assert_allclose(ops.convert_to_numpy(kl), np.full(5, expected), rtol=1e-6)
        c = ops.convert_to_numpy(c)
        assert c.shape == (5, 2) and np.abs(c - mean).max() > 1e-3  # sampled around mu
        c_eval, _ = layer(e, training=False)
        np.testing.assert_allclose(ops.convert_to_numpy(c_eval), np.tile(mean, (5, 1)), atol=1e-6)


class TestStageTwo(TestCase):
    def test_refinement_starts_from_the_upsampled_stage_one_image(self):
        from keras_gans.models.stackgan import stage2_generator

        g2 = stage2_generator(3, (4, 4, 1), filters=4, cond_dim=2, residual_blocks=1, seed=0)
        rng = np.random.default_rng(0)
        low = rng.uniform(-0.9, 0.9, (2, 4, 4, 1)).astype("float32")
        e = rng.standard_normal((2, 3)).astype("float32")
        last = g2.get_layer("residual")
        last.kernel.assign(np.zeros(last.kernel.shape, "float32"))
        # Zero residual: stage II's image is stage I's, bilinearly upsampled.
        high, _ = g2([low, e], training=False)
        expected = ops.image.resize(low, (8, 8), interpolation="bilinear")
        np.testing.assert_allclose(
            ops.convert_to_numpy(high), ops.convert_to_numpy(expected), atol=1e-5
        )
        # A residual moves the image in logit space: tanh(atanh(image) + r).
        last.bias.assign(np.full(last.bias.shape, 0.5, "float32"))
        moved = ops.convert_to_numpy(g2([low, e], training=False)[0])
        np.testing.assert_allclose(
            moved, np.tanh(np.arctanh(ops.convert_to_numpy(expected)) + 0.5), atol=1e-5
        )


class TestStackGAN(TestCase):
    @pytest.mark.parametrize("shape, low", [((32, 32, 3), 16), ((28, 28, 1), 14)])
    def test_default_resolutions(self, shape, low):
        gan = models.StackGAN(image_shape=shape, num_classes=10)
        # The generator's outputs (built symbolically): stage II, stage I, KL.
        high, first, kl = (tuple(o.shape) for o in gan.generator.outputs)
        assert high == (None, *shape) and first == (None, low, low, shape[2]) and kl == (None,)
        assert gan.data_shape == shape

    def test_fit_two_stages_and_round_trip(self, tmp_path):
        gan = models.StackGAN(image_shape=SHAPE, **SMALL)
        gan.compile()
        x = np.random.default_rng(0).uniform(-1, 1, (8, *SHAPE)).astype("float32")
        y = np.arange(8) % 3
        g_before, d_before = trainables(gan.generator), trainables(gan.discriminator)
        logs = gan.fit(x, y, batch_size=8, epochs=1, verbose=0).history
        assert set(logs) == {"d_loss", "g_loss", "kl"}
        assert all(np.isfinite(v[-1]) for v in logs.values()) and logs["kl"][-1] > 0
        self.assert_kernels_changed(g_before, trainables(gan.generator), "generator")
        self.assert_kernels_changed(d_before, trainables(gan.discriminator), "discriminator")

        # Stage II doubles stage I's side; generate() gives stage II's images.
        low, high = gan.generate_stages(z=gan.grid_inputs(3)["z"], labels=[0, 1, 2])
        assert low.shape == (3, 4, 4, 1) and high.shape == (3, 8, 8, 1)
        assert np.abs(high).max() <= 1 and np.abs(low).max() <= 1
        np.testing.assert_allclose(gan.generate(**gan.grid_inputs(3)), high, atol=1e-6)
        with pytest.raises(ValueError, match="even side"):
            models.StackGAN(image_shape=(9, 9, 1))

        config = gan.get_config()
        assert models.StackGAN.from_config(config).get_config() == config
        path = str(tmp_path / "stackgan.keras")
        gan.save(path)
        loaded = keras.saving.load_model(path)
        assert type(loaded) is models.StackGAN
        inputs = gan.grid_inputs(3)
        np.testing.assert_allclose(loaded.generate(**inputs), gan.generate(**inputs), atol=1e-5)
        assert loaded.get_compile_config() == gan.get_compile_config()
