"""`DiscoGAN`: cross-domain relations by two coupled GANs (Kim et al., 2017)."""

import keras
from keras import layers

from keras_gans.models.cyclegan.cyclegan import CycleGAN
from keras_gans.models.dcgan.dcgan_generator import check_image_shape, init
from keras_gans.models.image_to_image.blocks import default_unet_depth
from keras_gans.models.image_to_image.image_to_image_gan import l2_distance
from keras_gans.utils import check_positive_int, seed_stream


def _encoder(x, filters, num_layers, seeds):
    """4x4 stride-2 convolutions, batch normalization but on the first, LeakyReLU 0.2."""
    for i in range(num_layers):
        x = layers.Conv2D(
            min(filters * 2**i, 8 * filters),
            4,
            strides=2,
            padding="same",
            use_bias=i == 0,
            kernel_initializer=init(next(seeds)),
        )(x)
        if i:
            x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5)(x)
        x = layers.LeakyReLU(0.2)(x)
    return x


def discogan_generator(image_shape, filters=64, num_layers=None, seed=None, name="generator"):
    """DiscoGAN's encoder-decoder: no skip connections, no residual blocks.

    `num_layers` 4x4 stride-2 convolutions (`filters * 2**i`, at most
    `8 * filters`; batch normalization but on the first; LeakyReLU 0.2), then
    as many 4x4 stride-2 transposed convolutions back (batch normalization,
    ReLU) and tanh on the last. The paper's 64x64 network has 4 of each.
    """
    image_shape = check_image_shape(image_shape)
    filters = check_positive_int(filters, "filters")
    if num_layers is None:
        num_layers = default_unet_depth(image_shape, max_depth=4)
    num_layers = check_positive_int(num_layers, "num_layers")
    if image_shape[0] % 2**num_layers or image_shape[1] % 2**num_layers:
        raise ValueError(
            f"`num_layers`={num_layers} needs height and width divisible by "
            f"{2**num_layers}; received {image_shape!r}."
        )
    seeds = seed_stream(seed, 21)
    inputs = keras.Input(image_shape, name="images")
    x = _encoder(inputs, filters, num_layers, seeds)
    for i in reversed(range(num_layers - 1)):
        x = layers.Conv2DTranspose(
            min(filters * 2**i, 8 * filters),
            4,
            strides=2,
            padding="same",
            use_bias=False,
            kernel_initializer=init(next(seeds)),
        )(x)
        x = layers.ReLU()(layers.BatchNormalization(momentum=0.9, epsilon=1e-5)(x))
    x = layers.Conv2DTranspose(
        image_shape[-1], 4, strides=2, padding="same", kernel_initializer=init(next(seeds))
    )(x)
    outputs = layers.Activation("tanh", dtype="float32", name="output")(x)
    return keras.Model(inputs, outputs, name=name)


def discogan_discriminator(image_shape, filters=64, num_layers=None, seed=None, name="critic"):
    """DiscoGAN's discriminator: one logit per image (not a PatchGAN).

    The generator's encoder (4x4 stride-2 convolutions, batch normalization
    but on the first, LeakyReLU 0.2), then a dense layer to one logit; the
    layer before it is named `"features"`.
    """
    image_shape = check_image_shape(image_shape)
    filters = check_positive_int(filters, "filters")
    if num_layers is None:
        num_layers = default_unet_depth(image_shape, max_depth=4)
    num_layers = check_positive_int(num_layers, "num_layers")
    seeds = seed_stream(seed, 22)
    inputs = keras.Input(image_shape, name="images")
    x = _encoder(inputs, filters, num_layers, seeds)
    x = layers.Flatten(name="features")(x)
    logits = layers.Dense(1, kernel_initializer=init(next(seeds)), dtype="float32", name="logits")(
        x
    )
    return keras.Model(inputs, logits, name=name)


@keras.saving.register_keras_serializable(package="keras_gans")
class DiscoGAN(CycleGAN):
    """DiscoGAN: two generators and two discriminators coupled by reconstruction.

    The same two-way structure as `CycleGAN` (`G_ab`, `G_ba`, `D_a`, `D_b`,
    `translate(images, direction=...)`), with DiscoGAN's own choices: the
    encoder-decoder generator and one-logit discriminator above (batch
    normalization, no skips), the non-saturating GAN loss, reconstruction
    losses measured by the mean squared error
    (`|| G_ba(G_ab(a)) - a ||^2 + || G_ab(G_ba(b)) - b ||^2`, logged as
    `reconstruction_loss`, weight 1 as in the paper), no identity loss and no
    image pool. Adam(2e-4, beta_1=0.5) for both sides.

    Args:
        image_shape: `(height, width, channels)` of both domains.
        generator_filters, discriminator_filters: first-layer widths (64).
        num_layers: stride-2 layers of each network (default up to 4, the
            paper's 64x64 networks, as the size allows).
        reconstruction_weight: weight of the reconstruction terms (1).
        seed: seed of the initial weights.

    Example:

    >>> gan = DiscoGAN(image_shape=(32, 32, 3), seed=0)
    >>> gan.compile()
    >>> gan.fit(domain_a, domain_b, batch_size=64, epochs=1)  # doctest: +SKIP
    """

    default_loss = "non_saturating"
    loss_names = ("d_loss", "g_loss", "reconstruction_loss")
    cycle_distance = staticmethod(l2_distance)
    cycle_term = "reconstruction_loss"

    def __init__(
        self,
        image_shape=(64, 64, 3),
        generator_filters=64,
        discriminator_filters=64,
        num_layers=None,
        reconstruction_weight=1.0,
        seed=None,
        **kwargs,
    ):
        self._num_layers = num_layers
        for key in (
            "generator",
            "num_blocks",
            "num_downsampling",
            "identity_weight",
            "cycle_weight",
            "pool_size",
            "normalization",
            "discriminator_layers",
        ):
            if key in kwargs:
                raise TypeError(f"DiscoGAN() got an unexpected argument {key!r}.")
        super().__init__(
            image_shape=image_shape,
            generator_filters=generator_filters,
            discriminator_filters=discriminator_filters,
            cycle_weight=reconstruction_weight,
            identity_weight=0.0,
            pool_size=0,
            normalization="batch",
            seed=seed,
            **kwargs,
        )
        self._family_config = {
            "image_shape": self.image_shape,
            "generator_filters": generator_filters,
            "discriminator_filters": discriminator_filters,
            "num_layers": num_layers,
            "reconstruction_weight": self.cycle_weight,
        }

    def build_networks(self, image_shape, generator_filters, discriminator_filters, seed, **_):
        n = self._num_layers

        def s(salt):
            return None if seed is None else seed * 4 + salt

        return (
            discogan_generator(image_shape, generator_filters, n, s(0), "generator_ab"),
            discogan_generator(image_shape, generator_filters, n, s(1), "generator_ba"),
            discogan_discriminator(image_shape, discriminator_filters, n, s(2), "discriminator_a"),
            discogan_discriminator(image_shape, discriminator_filters, n, s(3), "discriminator_b"),
        )
