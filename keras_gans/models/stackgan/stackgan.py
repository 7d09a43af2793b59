"""`StackGAN`: two-stage conditional GAN (Zhang et al., 2017)."""

import keras
import numpy as np
from keras import ops

from keras_gans import backend
from keras_gans.gan import GAN
from keras_gans.models.conditional.conditional_gan import ConditionalGAN, LabelledFit
from keras_gans.models.stackgan.stackgan_networks import (
    _pool,
    stackgan_discriminator,
    stackgan_generator,
)
from keras_gans.utils import check_number, check_positive_int, check_seed


@keras.saving.register_keras_serializable(package="keras_gans")
class StackGAN(LabelledFit, GAN):
    """Stage I draws a low-resolution image; stage II refines it to twice the side.

    Both stages read the same condition, an embedding vector: here a learned
    per-class embedding (`num_classes` of them; the paper's text embeddings
    would take their place, and `stage1_generator` / `stage2_generator` in
    `keras_gans.models.stackgan` take any embedding vector). Each stage
    passes the embedding through conditioning augmentation (a Gaussian
    around it, with the KL term `kl_weight * KL(N(mu, sigma^2) || N(0, I))`
    in the generator's loss, logged as `kl`). Stage I maps `(z, c1)` to an
    image of half the side; stage II encodes that image with `c2` through
    residual blocks and upsamples it to the full side. Two discriminators,
    one per stage, each judge `(image, embedding)`; the real images of stage
    I are the real batch average-pooled to half the side.

    The stages are trained together in every step; stage II reads stage I's
    image through a stop-gradient, so stage I learns from its own loss alone
    as in the paper's (sequential) two-stage training. Not included: the
    matching-aware discriminator's mismatched pairs.

    Train on `(images, labels)` batches in [-1, 1], for example
    `keras_gans.datasets.load("cifar10", labels=True)` (16 -> 32) or
    Fashion-MNIST (14 -> 28). `generate(n, labels=...)` returns stage II's
    images; `generate_stages` returns both.

    Args:
        image_shape: `(height, width, channels)` of stage II (even sides).
        num_classes: the number of classes.
        latent_dim: size of z.
        embedding_dim: size of the condition embedding.
        cond_dim: size of the augmented condition `c`.
        generator_filters, discriminator_filters: network widths.
        kl_weight: the KL term's weight (lambda; 1 in the paper).
        seed: seed of the initial weights and of all training noise.
    """

    conditional = True
    loss_names = ("d_loss", "g_loss", "kl")

    def __init__(
        self,
        image_shape=(32, 32, 3),
        num_classes=10,
        latent_dim=100,
        embedding_dim=32,
        cond_dim=32,
        generator_filters=64,
        discriminator_filters=64,
        kl_weight=1.0,
        seed=None,
        **kwargs,
    ):
        try:
            image_shape = tuple(int(s) for s in image_shape)
        except (TypeError, ValueError):
            raise TypeError(
                f"`image_shape` must be (height, width, channels); received {image_shape!r}."
            ) from None
        if (
            len(image_shape) != 3
            or image_shape[0] != image_shape[1]
            or image_shape[0] % 2
            or image_shape[0] < 8
        ):
            raise ValueError(
                "StackGAN needs square images with an even side >= 8 (stage I draws "
                f"half the side); received {image_shape}."
            )
        self.num_classes = check_positive_int(num_classes, "num_classes")
        latent_dim = check_positive_int(latent_dim, "latent_dim")
        embedding_dim = check_positive_int(embedding_dim, "embedding_dim")
        cond_dim = check_positive_int(cond_dim, "cond_dim")
        g_filters = check_positive_int(generator_filters, "generator_filters")
        d_filters = check_positive_int(discriminator_filters, "discriminator_filters")
        kl_weight = check_number(kl_weight, "kl_weight", minimum=0.0)
        seed = check_seed(seed)
        self._family_config = {
            "image_shape": image_shape,
            "num_classes": self.num_classes,
            "latent_dim": latent_dim,
            "embedding_dim": embedding_dim,
            "cond_dim": cond_dim,
            "generator_filters": g_filters,
            "discriminator_filters": d_filters,
            "kl_weight": kl_weight,
        }
        generator = stackgan_generator(
            image_shape, self.num_classes, latent_dim, embedding_dim, g_filters, cond_dim, seed
        )
        discriminator = stackgan_discriminator(
            image_shape, self.num_classes, embedding_dim, d_filters, cond_dim, seed
        )
        super().__init__(generator, discriminator, latent_dim=latent_dim, seed=seed, **kwargs)
        self.image_shape = image_shape
        self.kl_weight = kl_weight

    # ------------------------------------------------------------------ hooks
    def call_generator(self, z, labels=None, training=False):
        outputs = self.generator([z, labels], training=training)
        return outputs if training else outputs[0]

    def call_discriminator(self, x, labels=None, training=False):
        if isinstance(x, (list, tuple)):
            high, low = x[0], x[1]
        else:
            high, low = x, _pool(x)
        return self.discriminator([high, low, labels], training=training)

    def discriminator_loss(self, step):
        (real2, real1), (fake2, fake1) = step.real_output, step.fake_output
        loss = self.gan_loss.discriminator
        smoothing = self.label_smoothing
        return loss(real2, fake2, label_smoothing=smoothing) + loss(
            real1, fake1, label_smoothing=smoothing
        )

    def generator_loss(self, step):
        fake2, fake1 = step.fake_output
        kl = ops.mean(step.fake[2])
        adversarial = self.gan_loss.generator(fake2) + self.gan_loss.generator(fake1)
        return adversarial + self.kl_weight * kl, {"kl": kl}

    def call(self, inputs, training=False):
        """Calling the model on `[z, labels]` runs the generator (both stages and the KL)."""
        return self.generator(inputs, training=training)

    # ------------------------------------------------------------- labels
    check_step_labels = ConditionalGAN.check_step_labels
    check_labels = ConditionalGAN.check_labels

    # ----------------------------------------------------------- sampling
    def generate_stages(self, n=None, z=None, labels=None, use_ema=None):
        """`(stage I images, stage II images)` for the same z and labels, as numpy."""
        if (n is None) == (z is None):
            raise ValueError("Pass exactly one of `n` (a count) or `z` (latent vectors).")
        if z is None:
            z = self.sample_latent(check_positive_int(n, "n"))
        z = np.asarray(ops.convert_to_numpy(z), dtype="float32")
        labels = self.check_labels(labels, len(z))
        with backend.inference_mode(), self._sampling_generator(use_ema):
            high, low, _ = self.generator([z, labels], training=False)
            return ops.convert_to_numpy(low), ops.convert_to_numpy(high)
