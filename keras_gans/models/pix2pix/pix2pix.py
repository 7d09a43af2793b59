"""`Pix2Pix`: image-to-image translation with a conditional GAN (Isola et al., 2017)."""

import keras

from keras_gans import backend
from keras_gans.layers.luma_chroma import LumaChromaToRGB
from keras_gans.models.dcgan.dcgan_generator import check_image_shape
from keras_gans.models.image_to_image.blocks import patchgan_discriminator, unet_generator
from keras_gans.models.image_to_image.image_to_image_gan import ImageToImageGAN, l1_distance
from keras_gans.utils import check_number, check_positive_int, check_seed

COLOUR_SPACES = ("rgb", "ycbcr")


@keras.saving.register_keras_serializable(package="keras_gans")
class Pix2Pix(ImageToImageGAN):
    """pix2pix: a U-Net generator and a PatchGAN judging (input, output) pairs.

    The generator minimizes `adversarial_weight * L_cGAN + l1_weight * L1`,
    where `L_cGAN` is the non-saturating loss of the conditional PatchGAN on
    `[input, G(input)]` and `L1 = mean |target - G(input)|` (lambda = 100 in
    the paper). The discriminator's loss is halved, as in the paper.
    `adversarial_weight=0` trains the same U-Net on L1 alone (the paper's
    ablation): the discriminator is then not updated and `d_loss` logs 0.
    Noise comes only from the decoder's dropout, as in the paper.

    Train with `fit(inputs, targets)` (or a dataset of pairs); images in
    [-1, 1] (`keras_gans.datasets.colorization_pairs` and `edge_pairs` make
    such pairs). `translate(images)` maps new inputs.

    Args:
        input_shape: `(height, width, channels)` of the inputs.
        output_channels: channels of the outputs.
        generator_filters, discriminator_filters: width of the first layer
            of each network (64 in the paper).
        depth: the U-Net's levels (default the deepest the size allows).
        discriminator_layers: stride-2 layers of the PatchGAN (3: 70x70).
        normalization: "batch" (the paper), "instance" or None.
        dropout: the decoder's dropout rate (0.5).
        l1_weight: lambda of the L1 term (100).
        adversarial_weight: weight of the adversarial term (1; 0 for L1 alone).
        colour_space: "rgb" (the paper) or "ycbcr", for colourisation
            (grey input, RGB output): the U-Net then predicts only the
            chrominance (Cb, Cr; its last layer starts at zero) and the
            output is `LumaChromaToRGB([input, chroma])`, so the input is the
            output's exact luminance (BT.601, as `colorization_pairs`' grey)
            and the untrained network returns the grey input itself. This is
            the colourisation literature's set-up (Zhang et al., 2016 predict
            Lab's ab from L; pix2pix's own colourisation experiment did the
            same); the losses, the discriminator and `translate` still see
            RGB images.
        seed: seed of the initial weights and of the dropout.

    Example:

    >>> gan = Pix2Pix(input_shape=(32, 32, 1), output_channels=3, seed=0)
    >>> gan.compile()
    >>> gan.fit(grey, colour, batch_size=16, epochs=1)  # doctest: +SKIP
    >>> colourised = gan.translate(grey_uint8)  # uint8 in, uint8 out
    """

    loss_names = ("d_loss", "g_loss", "l1_loss")

    def __init__(
        self,
        input_shape=(256, 256, 3),
        output_channels=3,
        generator_filters=64,
        discriminator_filters=64,
        depth=None,
        discriminator_layers=3,
        normalization="batch",
        dropout=0.5,
        l1_weight=100.0,
        adversarial_weight=1.0,
        colour_space="rgb",
        seed=None,
        **kwargs,
    ):
        input_shape = check_image_shape(input_shape)
        output_channels = check_positive_int(output_channels, "output_channels")
        seed = check_seed(seed)
        dropout = check_number(dropout, "dropout")
        if dropout >= 1:
            raise ValueError(f"`dropout` must be in [0, 1); received {dropout!r}.")
        self.l1_weight = check_number(l1_weight, "l1_weight")
        self.adversarial_weight = check_number(adversarial_weight, "adversarial_weight")
        if colour_space not in COLOUR_SPACES:
            raise ValueError(
                f"`colour_space` must be one of {COLOUR_SPACES}; received {colour_space!r}."
            )
        chroma = colour_space == "ycbcr"
        if chroma and (input_shape[-1] != 1 or output_channels != 3):
            raise ValueError(
                "`colour_space='ycbcr'` colourises: it needs grey inputs (1 channel) and RGB "
                f"outputs (output_channels=3); received input_shape {input_shape!r} and "
                f"output_channels {output_channels!r}."
            )
        generator = unet_generator(
            input_shape,
            2 if chroma else output_channels,
            filters=generator_filters,
            depth=depth,
            normalization=normalization,
            dropout=dropout,
            seed=seed,
            zero_output=chroma,
        )
        if chroma:
            grey = keras.Input(input_shape, name="images")
            rgb = LumaChromaToRGB(dtype="float32", name="output")([grey, generator(grey)])
            generator = keras.Model(grey, rgb, name="chroma_unet_generator")
        output_shape = (*input_shape[:2], output_channels)
        discriminator = patchgan_discriminator(
            output_shape,
            condition_shape=input_shape,
            filters=discriminator_filters,
            num_layers=discriminator_layers,
            normalization=normalization,
            seed=seed,
        )
        self._family_config = {
            "input_shape": input_shape,
            "output_channels": output_channels,
            "generator_filters": generator_filters,
            "discriminator_filters": discriminator_filters,
            "depth": depth,
            "discriminator_layers": discriminator_layers,
            "normalization": normalization,
            "dropout": dropout,
            "l1_weight": self.l1_weight,
            "adversarial_weight": self.adversarial_weight,
            "colour_space": colour_space,
        }
        super().__init__(generator, discriminator, seed=seed, **kwargs)

    def gan_train_step(self, data):
        source, target = self.image_batch(data)
        guard = self.begin_step()
        d_vars = self.discriminator_trainable_variables
        g_vars = self.generator_trainable_variables
        adversarial = self.adversarial_weight > 0
        if adversarial:
            fake = keras.ops.stop_gradient(self.generator(source, training=True))

            def d_loss_fn():
                real_logits = self.discriminator([source, target], training=True)
                fake_logits = self.discriminator([source, fake], training=True)
                loss = self.gan_loss.discriminator(
                    real_logits, fake_logits, label_smoothing=self.label_smoothing
                )
                return 0.5 * loss, {}

            d_loss, _ = backend.minimize(d_loss_fn, d_vars, self.d_optimizer)
            self.after_discriminator_step()
        else:
            d_loss = keras.ops.zeros(())

        def g_loss_fn():
            fake = self.generator(source, training=True)
            l1 = l1_distance(target, fake)
            loss = self.l1_weight * l1
            if adversarial:
                logits = self.discriminator([source, fake], training=True)
                loss = loss + self.adversarial_weight * self.gan_loss.generator(logits)
            return loss, {"l1_loss": l1}

        g_loss, terms = backend.minimize(g_loss_fn, g_vars, self.g_optimizer)
        self.after_generator_step()
        return self.finish_step({"d_loss": d_loss, "g_loss": g_loss, **terms}, guard)
