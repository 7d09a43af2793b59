"""`DCGAN`: deep convolutional GAN (Radford et al., 2016)."""

import keras

from keras_gans.gan import GAN
from keras_gans.models.dcgan.dcgan_discriminator import dcgan_discriminator
from keras_gans.models.dcgan.dcgan_generator import check_image_shape, dcgan_generator
from keras_gans.utils import check_positive_int, check_seed


@keras.saving.register_keras_serializable(package="keras_gans")
class DCGAN(GAN):
    """A DCGAN built from an image shape, for grey or colour images.

    The networks follow the paper's guidelines (see `dcgan_generator` and
    `dcgan_discriminator`): strided convolutions instead of pooling, batch
    normalization in both networks, no hidden dense layers, ReLU and a tanh
    output in the generator, LeakyReLU in the discriminator, N(0, 0.02)
    initial weights, and Adam(2e-4, beta_1=0.5) with the non-saturating loss.
    Images are expected in [-1, 1] (`keras_gans.datasets.load` gives that).
    `image_shape=(64, 64, 3)` gives the paper's LSUN architecture.

    Args:
        image_shape: `(height, width, channels)`, for example `(28, 28, 1)`,
            `(32, 32, 3)` or `(64, 64, 3)`.
        latent_dim: size of `z` (100 in the paper).
        generator_filters, discriminator_filters: width of the networks
            (filters at full resolution; default 64, or 128 from 64x64).
        kernel_size: convolution kernel size (5 in the paper).
        upsampling: `"transpose"` (the paper) or `"resize"` (faster with JAX
            on CPU); see `dcgan_generator`.
        generator_normalization: `"batch"`, `"virtual"` (virtual batch
            normalization) or None.
        discriminator_normalization: `"batch"`, `"layer"` or None.
        minibatch_discrimination: None, True or a number of kernels: adds a
            `MinibatchDiscrimination` layer before the discriminator's logit.
        reference_size: reference batch size for virtual batch normalization.
        seed: seed of the initial weights and of all training noise.

    Example:

    >>> gan = DCGAN(image_shape=(28, 28, 1), seed=0)
    >>> gan.compile()
    >>> gan.fit(keras_gans.datasets.load("mnist"), epochs=5)  # doctest: +SKIP
    >>> gan.generate(16).shape
    (16, 28, 28, 1)
    """

    conditional = False

    def __init__(
        self,
        image_shape=(28, 28, 1),
        latent_dim=100,
        generator_filters=None,
        discriminator_filters=None,
        kernel_size=5,
        upsampling="transpose",
        generator_normalization="batch",
        discriminator_normalization="batch",
        minibatch_discrimination=None,
        reference_size=64,
        seed=None,
        **kwargs,
    ):
        image_shape = check_image_shape(image_shape)
        latent_dim = check_positive_int(latent_dim, "latent_dim")
        for arg, value in (
            ("generator_filters", generator_filters),
            ("discriminator_filters", discriminator_filters),
        ):
            if value is not None:
                check_positive_int(value, arg)
        seed = check_seed(seed)
        self._family_config = {
            "image_shape": image_shape,
            "latent_dim": latent_dim,
            "generator_filters": generator_filters,
            "discriminator_filters": discriminator_filters,
            "kernel_size": kernel_size,
            "upsampling": upsampling,
            "generator_normalization": generator_normalization,
            "discriminator_normalization": discriminator_normalization,
            "minibatch_discrimination": minibatch_discrimination,
            "reference_size": reference_size,
        }
        num_classes = self._num_classes_arg(kwargs)
        generator = dcgan_generator(
            latent_dim,
            image_shape,
            filters=generator_filters,
            kernel_size=kernel_size,
            upsampling=upsampling,
            normalization=generator_normalization,
            num_classes=num_classes,
            reference_size=reference_size,
            seed=seed,
        )
        discriminator = self.build_discriminator(
            image_shape,
            filters=discriminator_filters,
            kernel_size=kernel_size,
            normalization=discriminator_normalization,
            num_classes=num_classes,
            minibatch_discrimination=minibatch_discrimination,
            seed=seed,
        )
        super().__init__(generator, discriminator, latent_dim=latent_dim, seed=seed, **kwargs)
        self.image_shape = image_shape

    def _num_classes_arg(self, kwargs):
        return None

    def build_discriminator(self, image_shape, **kwargs):
        """Builds the discriminator; families with extra heads override it."""
        return dcgan_discriminator(image_shape, **kwargs)
