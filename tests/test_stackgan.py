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


class TestStackGAN(TestCase):
    def test_stage_two_doubles_stage_one(self):
        gan = models.StackGAN(image_shape=SHAPE, **SMALL)
        low, high = gan.generate_stages(3, labels=[0, 1, 2])
        assert low.shape == (3, 4, 4, 1) and high.shape == (3, 8, 8, 1)
        assert np.abs(high).max() <= 1 and np.abs(low).max() <= 1
        np.testing.assert_allclose(
            gan.generate(z=gan.grid_inputs(3)["z"], labels=[0, 1, 2]).shape, high.shape
        )
        with pytest.raises(ValueError, match="even side"):
            models.StackGAN(image_shape=(9, 9, 1))

    @pytest.mark.large  # default-width networks, eager (slow on JAX)
    @pytest.mark.parametrize("shape, low", [((32, 32, 3), 16), ((28, 28, 1), 14)])
    def test_default_resolutions(self, shape, low):
        gan = models.StackGAN(image_shape=shape, num_classes=10)
        first, second = gan.generate_stages(2, labels=[0, 9])
        assert first.shape == (2, low, low, shape[2]) and second.shape == (2, *shape)

    def test_fit_moves_weights_and_round_trips(self, tmp_path):
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

        config = gan.get_config()
        assert models.StackGAN.from_config(config).get_config() == config
        path = str(tmp_path / "stackgan.keras")
        gan.save(path)
        loaded = keras.saving.load_model(path)
        assert type(loaded) is models.StackGAN
        inputs = gan.grid_inputs(3)
        np.testing.assert_allclose(loaded.generate(**inputs), gan.generate(**inputs), atol=1e-5)
        assert loaded.get_compile_config() == gan.get_compile_config()
