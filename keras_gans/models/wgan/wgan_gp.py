"""`WGANGP`: Wasserstein GAN with gradient penalty (Gulrajani et al., 2017)."""

import keras

from keras_gans.models.dcgan.dcgan import DCGAN
from keras_gans.regularizers import gradient_penalty
from keras_gans.utils import check_number


@keras.saving.register_keras_serializable(package="keras_gans")
class WGANGP(DCGAN):
    """Wasserstein GAN whose critic is kept 1-Lipschitz by a gradient penalty.

    The paper's Algorithm 1: the Wasserstein loss plus
    `gp_weight * mean((||grad C(x_hat)|| - 1)^2)` on random interpolates
    `x_hat` of real and fake images, `n_critic=5`, Adam(1e-4, 0.5, 0.9). The
    penalty's input gradient comes from the backend core on every backend
    (`keras_gans.regularizers.gradient_penalty`). The critic has no batch
    normalization (it would make the penalty depend on the batch); pass
    `discriminator_normalization="layer"` for the paper's layer-norm variant.
    The penalty is logged as `gp`.

    Args:
        image_shape: `(height, width, channels)`.
        gp_weight: lambda (10 in the paper).
        discriminator_normalization: None (default) or `"layer"`.
        **kwargs: the arguments of `DCGAN`.
    """

    default_loss = "wasserstein"
    default_n_critic = 5
    loss_names = ("d_loss", "g_loss", "gp")

    def __init__(
        self, image_shape=(28, 28, 1), gp_weight=10.0, discriminator_normalization=None, **kwargs
    ):
        if discriminator_normalization == "batch":
            raise ValueError(
                "WGAN-GP's critic cannot use batch normalization: the penalty is "
                "per sample. Use discriminator_normalization=None or 'layer'."
            )
        gp_weight = check_number(gp_weight, "gp_weight")
        super().__init__(
            image_shape=image_shape,
            discriminator_normalization=discriminator_normalization,
            **kwargs,
        )
        self.gp_weight = gp_weight
        self._family_config["gp_weight"] = gp_weight

    def default_optimizer(self, network="generator"):
        return keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.5, beta_2=0.9)

    def discriminator_loss(self, step):
        loss = super().discriminator_loss(step)

        def critic(x):
            return self.discriminator_logits(self.call_discriminator(x, step.labels, training=True))

        gp = gradient_penalty(critic, step.real, step.fake, seed=self.seed_generator)
        return loss + self.gp_weight * gp, {"gp": gp}
