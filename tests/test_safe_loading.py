"""Safe loading: every family's `.keras` file loads in Keras' safe mode, and a
registered GAN subclass comes back with its methods and trains on."""

import zipfile

import keras
import pytest
from keras import ops
from test_case import TestCase

import keras_gans
from keras_gans import datasets, models

TINY = dict(image_shape=(8, 8, 1), generator_filters=4, discriminator_filters=4, seed=0)
FAMILIES = {
    "VanillaGAN": lambda: keras_gans.VanillaGAN(
        data_dim=2, latent_dim=2, generator_units=(4,), discriminator_units=(4,), seed=0
    ),
    "DCGAN": lambda: models.DCGAN(latent_dim=4, **TINY),
    "ConditionalGAN": lambda: models.ConditionalGAN(num_classes=3, latent_dim=4, **TINY),
    "WGAN": lambda: models.WGAN(latent_dim=4, **TINY),
    "WGANGP": lambda: models.WGANGP(latent_dim=4, **TINY),
    "InfoGAN": lambda: models.InfoGAN(num_categories=2, num_continuous=1, noise_dim=2, **TINY),
}


@keras.saving.register_keras_serializable(package="keras_gans_tests")
class ScaledLossGAN(keras_gans.VanillaGAN):
    """A user's subclass: an extra method and an overridden loss hook."""

    def loss_scale(self):
        return 0.5

    def generator_loss(self, step):
        return self.loss_scale() * super().generator_loss(step)


def config_of(path):
    with zipfile.ZipFile(path) as z:
        return z.read("config.json").decode()


class TestSafeLoading(TestCase):
    @pytest.mark.parametrize(
        "family",
        [
            f if f in ("VanillaGAN", "DCGAN") else pytest.param(f, marks=pytest.mark.large)
            for f in sorted(FAMILIES)
        ],
    )
    def test_family_loads_in_safe_mode_without_lambdas(self, tmp_path, family):
        gan = FAMILIES[family]()
        gan.compile()
        path = str(tmp_path / "gan.keras")
        gan.save(path)
        config = config_of(path)
        assert '"Lambda"' not in config and "lambda" not in config.lower()
        loaded = keras.saving.load_model(path, safe_mode=True)
        assert type(loaded) is type(gan)
        self.assert_all_close(self.weights(gan), self.weights(loaded), atol=0)

    def test_registered_subclass_reloads_with_its_methods_and_trains_on(self, tmp_path):
        gan = ScaledLossGAN(
            data_dim=2, latent_dim=2, generator_units=(4,), discriminator_units=(4,), seed=0
        )
        gan.compile()
        x = datasets.ring(64, seed=0)
        gan.fit(x, batch_size=32, epochs=1, verbose=0)
        path = str(tmp_path / "sub.keras")
        gan.save(path)
        loaded = keras.saving.load_model(path)
        assert type(loaded) is ScaledLossGAN and loaded.loss_scale() == 0.5
        for model in (gan, loaded):
            model.fit(x, batch_size=32, epochs=1, verbose=0)
        self.assert_all_close(self.weights(gan), self.weights(loaded), atol=1e-6)
        assert int(ops.convert_to_numpy(loaded.g_optimizer.iterations)) == 4

    def test_unregistered_subclass_is_refused_before_writing(self, tmp_path):
        class Unregistered(keras_gans.VanillaGAN):
            pass

        gan = Unregistered(data_dim=2, latent_dim=2, generator_units=(4,), discriminator_units=(4,))
        path = tmp_path / "u.keras"
        with pytest.raises(TypeError, match="register_keras_serializable"):
            gan.save(str(path))
        assert not path.exists()
