"""`VanillaGAN`: the GAN of Goodfellow et al. (2014) in its simplest form."""

import keras

from keras_gans.gan import GAN
from keras_gans.models.vanilla.vanilla_discriminator import vanilla_discriminator
from keras_gans.models.vanilla.vanilla_generator import vanilla_generator
from keras_gans.utils import check_positive_int, check_seed


@keras.saving.register_keras_serializable(package="keras_gans")
class VanillaGAN(GAN):
    """MLP generator and MLP discriminator for flat data of any dimension.

    The defaults suit low-dimensional data such as the 1-D mixtures and the
    2-D ring and grid of `keras_gans.datasets`.

    Args:
        data_dim: size of one sample (for example 2 for points in the plane).
        latent_dim: size of the noise vector.
        generator_units: hidden layer widths of the generator.
        discriminator_units: hidden layer widths of the discriminator.
        generator_activation: hidden activation of the generator.
        discriminator_activation: hidden activation of the discriminator.
        output_activation: the generator's output activation (`None` for
            unbounded data, `"tanh"` for data in [-1, 1]).
        generator_batch_norm: batch normalization in the generator.
        discriminator_dropout: dropout rate in the discriminator.
        seed: seed of the model's noise and of its initial weights: two models
            built with the same seed on the same backend start equal.

    Example:

    >>> gan = VanillaGAN(data_dim=2)
    >>> gan.generate(5).shape
    (5, 2)
    """

    def __init__(
        self,
        data_dim=2,
        latent_dim=8,
        generator_units=(128, 128),
        discriminator_units=(128, 128),
        generator_activation="relu",
        discriminator_activation="leaky_relu",
        output_activation=None,
        generator_batch_norm=False,
        discriminator_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        data_dim = check_positive_int(data_dim, "data_dim")
        latent_dim = check_positive_int(latent_dim, "latent_dim")
        seed = check_seed(seed)
        for arg, units in (
            ("generator_units", generator_units),
            ("discriminator_units", discriminator_units),
        ):
            units = tuple(units)
            for u in units:
                check_positive_int(u, arg)
        try:
            dropout_ok = 0.0 <= float(discriminator_dropout) < 1.0
        except (TypeError, ValueError):
            dropout_ok = False
        if not dropout_ok:
            raise ValueError(
                "`discriminator_dropout` must be a rate in [0, 1); received "
                f"{discriminator_dropout!r}."
            )
        self._family_config = {
            "data_dim": data_dim,
            "latent_dim": latent_dim,
            "generator_units": tuple(generator_units),
            "discriminator_units": tuple(discriminator_units),
            "generator_activation": generator_activation,
            "discriminator_activation": discriminator_activation,
            "output_activation": output_activation,
            "generator_batch_norm": generator_batch_norm,
            "discriminator_dropout": discriminator_dropout,
        }
        generator = vanilla_generator(
            latent_dim,
            data_dim,
            units=generator_units,
            activation=generator_activation,
            output_activation=output_activation,
            batch_norm=generator_batch_norm,
            seed=None if seed is None else 2 * seed,
        )
        discriminator = vanilla_discriminator(
            data_dim,
            units=discriminator_units,
            activation=discriminator_activation,
            dropout=discriminator_dropout,
            seed=None if seed is None else 2 * seed + 1000,
        )
        super().__init__(generator, discriminator, latent_dim=latent_dim, seed=seed, **kwargs)

    def default_optimizer(self, network="generator"):
        return keras.optimizers.Adam(learning_rate=1e-3, beta_1=0.5)

    def get_config(self):
        config = keras.Model.get_config(self)
        config.update(self._family_config)
        config["seed"] = self.seed
        return config
