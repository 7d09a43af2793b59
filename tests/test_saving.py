import keras
import numpy as np
import pytest
from keras import ops
from test_case import TestCase

import keras_gans
from keras_gans import datasets


def data(n=128):
    return datasets.ring(n, seed=0)


class TestSaving(TestCase):
    def test_get_config_from_config(self):
        gan = self.small_gan(latent_dim=5, units=(12, 6), generator_batch_norm=True, seed=4)
        clone = keras_gans.VanillaGAN.from_config(gan.get_config())
        assert clone.latent_dim == 5 and clone.seed == 4
        assert [w.shape for w in clone.weights] == [w.shape for w in gan.weights]
        assert clone.get_config() == gan.get_config()

    def test_generic_gan_config_round_trip(self):
        base = self.small_gan()
        gan = keras_gans.GAN(base.generator, base.discriminator, seed=2)
        clone = keras_gans.GAN.from_config(gan.get_config())
        assert clone.latent_dim == gan.latent_dim and clone.data_shape == gan.data_shape
        assert [w.shape for w in clone.weights] == [w.shape for w in gan.weights]

    def test_weights_h5_round_trip(self, tmp_path):
        gan = self.small_gan()
        gan.compile()
        gan.fit(data(), batch_size=64, epochs=1, verbose=0)
        path = str(tmp_path / "gan.weights.h5")
        gan.save_weights(path)
        fresh = self.small_gan(seed=9)
        fresh.load_weights(path)
        self.assert_all_close(self.weights(gan.generator), self.weights(fresh.generator))
        self.assert_all_close(self.weights(gan.discriminator), self.weights(fresh.discriminator))
        z = np.random.default_rng(0).standard_normal((8, 4)).astype("float32")
        np.testing.assert_allclose(gan.generate(z=z), fresh.generate(z=z), atol=1e-6)

    @pytest.mark.parametrize("loss", ["hinge", "custom"])
    def test_keras_file_round_trip_with_optimizer_state(self, tmp_path, loss):
        if loss == "custom":
            loss = (
                keras_gans.losses.least_squares_generator_loss,
                keras_gans.losses.least_squares_discriminator_loss,
            )
        gan = self.small_gan()
        gan.compile(
            d_optimizer=keras.optimizers.Adam(3e-3, beta_1=0.4),
            g_optimizer=keras.optimizers.RMSprop(2e-3),
            loss=loss,
            n_critic=2,
            label_smoothing=0.0,
        )
        gan.fit(data(), batch_size=64, epochs=1, verbose=0)
        path = str(tmp_path / "gan.keras")
        gan.save(path)
        loaded = keras.saving.load_model(path)  # safe_mode=True by default
        assert type(loaded) is keras_gans.VanillaGAN
        assert loaded.n_critic == 2
        assert isinstance(loaded.g_optimizer, keras.optimizers.RMSprop)
        assert float(ops.convert_to_numpy(loaded.d_optimizer.learning_rate)) == pytest.approx(3e-3)
        assert loaded.gan_loss.generator.__name__ == gan.gan_loss.generator.__name__
        self.assert_all_close(self.weights(gan), self.weights(loaded))
        self.assert_all_close(
            [ops.convert_to_numpy(v) for v in gan.optimizer.variables],
            [ops.convert_to_numpy(v) for v in loaded.optimizer.variables],
        )
        assert int(ops.convert_to_numpy(loaded.d_optimizer.iterations)) == 4

        # Training continues from the saved state: both copies, given the same
        # data in the same order, take the same steps (the seed generator's
        # state is saved too, so the noise is the same).
        for model in (gan, loaded):
            model.fit(data(), batch_size=64, epochs=1, verbose=0, shuffle=False)
        assert int(ops.convert_to_numpy(loaded.d_optimizer.iterations)) == 8
        self.assert_all_close(self.weights(gan), self.weights(loaded), atol=1e-5)

    def test_uncompiled_keras_file_loads(self, tmp_path):
        gan = self.small_gan()
        path = str(tmp_path / "gan.keras")
        gan.save(path)
        loaded = keras.saving.load_model(path)
        z = np.ones((2, 4), "float32")
        np.testing.assert_allclose(gan.generate(z=z), loaded.generate(z=z), atol=1e-6)
        loaded.compile()
        loaded.fit(data(64), batch_size=32, epochs=1, verbose=0)
