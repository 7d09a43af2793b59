"""`WGAN`: Wasserstein GAN with weight clipping (Arjovsky et al., 2017)."""

import keras

from keras_gans.models.dcgan.dcgan import DCGAN
from keras_gans.regularizers import clip_weights
from keras_gans.utils import check_number


@keras.saving.register_keras_serializable(package="keras_gans")
class WGAN(DCGAN):
    """Wasserstein GAN: a critic kept Lipschitz by clipping its weights.

    The paper's Algorithm 1: the Wasserstein loss (the critic maximizes
    `mean(C(real)) - mean(C(fake))`), `n_critic=5` critic updates per
    generator update, RMSprop(5e-5), and every critic weight clipped into
    `[-clip_value, clip_value]` after each critic update. The networks are
    DCGAN's (the paper's DCGAN critic keeps batch normalization); every
    argument but `clip_value` is `DCGAN`'s.

    Args:
        image_shape: `(height, width, channels)`.
        clip_value: the clipping bound c (0.01 in the paper).
        **kwargs: the arguments of `DCGAN`.
    """

    default_loss = "wasserstein"
    default_n_critic = 5

    def __init__(self, image_shape=(28, 28, 1), clip_value=0.01, **kwargs):
        clip_value = check_number(clip_value, "clip_value", 0.0, inclusive=False)
        super().__init__(image_shape=image_shape, **kwargs)
        self.clip_value = clip_value
        self._family_config["clip_value"] = clip_value
        # The critic starts inside the clip, as after any critic update.
        clip_weights(self.discriminator_trainable_variables, clip_value)

    def default_optimizer(self, network="generator"):
        return keras.optimizers.RMSprop(learning_rate=5e-5)

    def after_discriminator_step(self):
        clip_weights(self.discriminator_trainable_variables, self.clip_value)
