"""`CycleGAN`: unpaired image-to-image translation (Zhu et al., 2017)."""

import keras
from keras import ops

from keras_gans import backend
from keras_gans.layers.image_pool import ImagePool
from keras_gans.models.dcgan.dcgan_generator import check_image_shape
from keras_gans.models.image_to_image.blocks import (
    patchgan_discriminator,
    resnet_generator,
    unet_generator,
)
from keras_gans.models.image_to_image.image_to_image_gan import ImageToImageGAN, l1_distance
from keras_gans.utils import check_number, check_seed

GENERATORS = ("resnet", "unet")


def cycle_loss(real_a, real_b, g_ab, g_ba, distance=l1_distance, training=False):
    """Cycle consistency: `d(G_ba(G_ab(a)), a) + d(G_ab(G_ba(b)), b)`.

    `g_ab` and `g_ba` are callables (Keras models or functions); `distance`
    is the mean absolute difference by default (CycleGAN). Identity mappings
    give 0.
    """

    def run(g, x):
        return g(x, training=training) if isinstance(g, keras.layers.Layer) else g(x)

    return distance(run(g_ba, run(g_ab, real_a)), real_a) + distance(
        run(g_ab, run(g_ba, real_b)), real_b
    )


@keras.saving.register_keras_serializable(package="keras_gans")
class CycleGAN(ImageToImageGAN):
    """CycleGAN: two generators and two PatchGANs trained on unpaired domains A and B.

    `G_ab` (the base class's `generator`) maps A to B and `G_ba` maps B to A;
    `D_b` (the base class's `discriminator`) judges B images and `D_a` A
    images. The generators minimize the least-squares adversarial loss of
    both directions plus `cycle_weight * (|G_ba(G_ab(a)) - a| + |G_ab(G_ba(b)) - b|)`
    (lambda = 10) plus `identity_weight * cycle_weight * (|G_ab(b) - b| +
    |G_ba(a) - a|)` (the paper's 0.5 lambda). The discriminators see the
    fakes through an `ImagePool` of the last `pool_size` fakes (50,
    probability 0.5). The generators step first and the discriminators then
    judge the same step's fakes, as in the authors' code; each network
    pair has its own Adam(2e-4, beta_1=0.5).

    Train with `fit(a_images, b_images)` (equal counts) or a dataset of
    `(a_batch, b_batch)` (`keras_gans.datasets.unpaired_dataset` shuffles
    each domain on its own). Images in [-1, 1].

    Args:
        image_shape: `(height, width, channels)` of both domains.
        generator: "resnet" (the paper) or "unet".
        generator_filters, discriminator_filters: width of each network's
            first layer (64 in the paper).
        num_blocks: residual blocks of the ResNet generator (default 9 from
            256 pixels up, else 6, as in the paper).
        num_downsampling: stride-2 levels of the ResNet generator (2), or
            the U-Net's depth (default the deepest the size allows).
        discriminator_layers: stride-2 layers of the PatchGANs (3: 70x70).
        normalization: "instance" (the paper), "batch" or None.
        cycle_weight: lambda of the cycle-consistency term (10).
        identity_weight: the identity term's weight as a fraction of
            `cycle_weight` (0.5; 0 turns it off).
        pool_size: images in each image pool (50; 0 turns the pools off).
        seed: seed of the initial weights, the pools and dropout.

    Example:

    >>> gan = CycleGAN(image_shape=(32, 32, 3), seed=0)
    >>> gan.compile()
    >>> gan.fit(domain_a, domain_b, batch_size=1, epochs=1)  # doctest: +SKIP
    >>> b_like = gan.translate(a_images)                # A -> B
    >>> a_like = gan.translate(b_images, direction="b_to_a")
    """

    default_loss = "least_squares"
    loss_names = ("d_loss", "g_loss", "cycle_loss", "identity_loss")
    cycle_distance = staticmethod(l1_distance)
    cycle_term = "cycle_loss"

    def __init__(
        self,
        image_shape=(256, 256, 3),
        generator="resnet",
        generator_filters=64,
        discriminator_filters=64,
        num_blocks=None,
        num_downsampling=None,
        discriminator_layers=3,
        normalization="instance",
        cycle_weight=10.0,
        identity_weight=0.5,
        pool_size=50,
        seed=None,
        **kwargs,
    ):
        image_shape = check_image_shape(image_shape)
        seed = check_seed(seed)
        if generator not in GENERATORS:
            raise ValueError(f"`generator` must be 'resnet' or 'unet'; received {generator!r}.")
        if num_blocks is None:
            num_blocks = 9 if min(image_shape[:2]) >= 256 else 6
        self.cycle_weight = check_number(cycle_weight, "cycle_weight")
        self.identity_weight = check_number(identity_weight, "identity_weight")
        self._family_config = {
            "image_shape": image_shape,
            "generator": generator,
            "generator_filters": generator_filters,
            "discriminator_filters": discriminator_filters,
            "num_blocks": num_blocks,
            "num_downsampling": num_downsampling,
            "discriminator_layers": discriminator_layers,
            "normalization": normalization,
            "cycle_weight": self.cycle_weight,
            "identity_weight": self.identity_weight,
            "pool_size": pool_size,
        }
        nets = self.build_networks(
            image_shape,
            generator=generator,
            generator_filters=generator_filters,
            discriminator_filters=discriminator_filters,
            num_blocks=num_blocks,
            num_downsampling=num_downsampling,
            discriminator_layers=discriminator_layers,
            normalization=normalization,
            seed=seed,
        )
        g_ab, g_ba, d_a, d_b = nets
        super().__init__(g_ab, d_b, seed=seed, **kwargs)
        self.image_shape = image_shape
        self.generator_ba = g_ba
        self.discriminator_a = d_a
        pool_seed = None if seed is None else seed + 1
        self.pool_a = ImagePool(image_shape, pool_size=pool_size, seed=pool_seed, name="pool_a")
        self.pool_b = ImagePool(
            image_shape, pool_size=pool_size, seed=None if seed is None else seed + 2, name="pool_b"
        )

    def build_networks(
        self,
        image_shape,
        generator,
        generator_filters,
        discriminator_filters,
        num_blocks,
        num_downsampling,
        discriminator_layers,
        normalization,
        seed,
    ):
        """Returns `(G_ab, G_ba, D_a, D_b)`."""

        def gen(name, salt):
            s = None if seed is None else seed * 4 + salt
            if generator == "unet":
                return unet_generator(
                    image_shape,
                    image_shape[-1],
                    filters=generator_filters,
                    depth=num_downsampling,
                    normalization=normalization,
                    dropout=0.0,
                    seed=s,
                    name=name,
                )
            return resnet_generator(
                image_shape,
                filters=generator_filters,
                num_blocks=num_blocks,
                num_downsampling=2 if num_downsampling is None else num_downsampling,
                normalization=normalization,
                seed=s,
                name=name,
            )

        def disc(name, salt):
            return patchgan_discriminator(
                image_shape,
                filters=discriminator_filters,
                num_layers=discriminator_layers,
                normalization=normalization,
                seed=None if seed is None else seed * 4 + salt,
                name=name,
            )

        return (
            gen("generator_ab", 0),
            gen("generator_ba", 1),
            disc("discriminator_a", 2),
            disc("discriminator_b", 3),
        )

    # ------------------------------------------------------------ networks
    @property
    def generator_ab(self):
        return self.generator

    @property
    def discriminator_b(self):
        return self.discriminator

    @property
    def generator_trainable_variables(self):
        return self.generator.trainable_variables + self.generator_ba.trainable_variables

    @property
    def discriminator_trainable_variables(self):
        return self.discriminator.trainable_variables + self.discriminator_a.trainable_variables

    # ------------------------------------------------------------------ step
    def identity_loss(self, real_a, real_b, training=True):
        return l1_distance(self.generator(real_b, training=training), real_b) + l1_distance(
            self.generator_ba(real_a, training=training), real_a
        )

    def generator_terms(self, real_a, real_b):
        """The generators' loss and its logged terms for one batch; also the fakes."""
        fake_b = self.generator(real_a, training=True)
        fake_a = self.generator_ba(real_b, training=True)
        adversarial = self.gan_loss.generator(
            self.discriminator(fake_b, training=True)
        ) + self.gan_loss.generator(self.discriminator_a(fake_a, training=True))
        cycle = self.cycle_distance(
            self.generator_ba(fake_b, training=True), real_a
        ) + self.cycle_distance(self.generator(fake_a, training=True), real_b)
        loss = adversarial + self.cycle_weight * cycle
        terms = {self.cycle_term: cycle}
        if "identity_loss" in self.loss_names:
            identity = self.identity_loss(real_a, real_b) if self.identity_weight else ops.zeros(())
            loss = loss + self.identity_weight * self.cycle_weight * identity
            terms["identity_loss"] = identity
        return loss, terms, (fake_a, fake_b)

    def gan_train_step(self, data):
        real_a, real_b = self.image_batch(data, what="second-domain images")
        guard = self.begin_step()

        def g_loss_fn():
            loss, terms, fakes = self.generator_terms(real_a, real_b)
            return loss, (terms, fakes)

        g_loss, (terms, (fake_a, fake_b)) = backend.minimize(
            g_loss_fn, self.generator_trainable_variables, self.g_optimizer
        )
        self.after_generator_step()
        shown_a = self.pool_a(ops.stop_gradient(fake_a))
        shown_b = self.pool_b(ops.stop_gradient(fake_b))

        def d_loss_fn():
            smoothing = self.label_smoothing
            loss_b = self.gan_loss.discriminator(
                self.discriminator(real_b, training=True),
                self.discriminator(shown_b, training=True),
                label_smoothing=smoothing,
            )
            loss_a = self.gan_loss.discriminator(
                self.discriminator_a(real_a, training=True),
                self.discriminator_a(shown_a, training=True),
                label_smoothing=smoothing,
            )
            return loss_a + loss_b, {}

        d_loss, _ = backend.minimize(
            d_loss_fn, self.discriminator_trainable_variables, self.d_optimizer
        )
        self.after_discriminator_step()
        return self.finish_step({"d_loss": d_loss, "g_loss": g_loss, **terms}, guard)

    # ------------------------------------------------------------- inference
    def translate(self, images, direction="a_to_b", value_range=None, batch_size=32):
        """Translates A to B (`direction="a_to_b"`) or B to A (`"b_to_a"`).

        See `ImageToImageGAN.run_network` for ranges and types.
        """
        if direction not in ("a_to_b", "b_to_a"):
            raise ValueError(f"`direction` must be 'a_to_b' or 'b_to_a'; received {direction!r}.")
        network = self.generator if direction == "a_to_b" else self.generator_ba
        return self.run_network(network, images, value_range, batch_size)

    def reconstruct(self, images, direction="a_to_b", value_range=None, batch_size=32):
        """The cycle: A -> B -> A for `"a_to_b"`, B -> A -> B for `"b_to_a"`."""
        back = "b_to_a" if direction == "a_to_b" else "a_to_b"
        there = self.translate(images, direction, value_range, batch_size)
        return self.translate(there, back, value_range, batch_size)
