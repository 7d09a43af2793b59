"""StackGAN's two generator stages and two discriminators, at small scale."""

import keras
from keras import layers, ops

from keras_gans.layers.conditioning_augmentation import ConditioningAugmentation


@keras.saving.register_keras_serializable(package="keras_gans")
class StopGradient(layers.Layer):
    """Passes its input on and blocks the gradient."""

    def call(self, x):
        return ops.stop_gradient(x)

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package="keras_gans")
class ResidualRefinement(layers.Layer):
    """`[upsampled image in (-1, 1), residual logits]` -> `tanh(atanh(image) + residual)`.

    The image's own logits plus a residual, through tanh: with a zero
    residual the output is the input image, so a stage-II generator built on
    it starts as an upsampling of stage I and learns corrections to it
    rather than an image of its own. The image is clipped to
    `[-1 + epsilon, 1 - epsilon]` before `atanh`.
    """

    def __init__(self, epsilon=1e-3, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)

    def call(self, inputs):
        image, residual = inputs
        image = ops.clip(ops.cast(image, residual.dtype), -1.0 + self.epsilon, 1.0 - self.epsilon)
        return ops.tanh(ops.arctanh(image) + residual)

    def compute_output_shape(self, input_shape):
        return input_shape[1]

    def get_config(self):
        config = super().get_config()
        config["epsilon"] = self.epsilon
        return config


def _init(seed, offset):
    return keras.initializers.RandomNormal(0.0, 0.02, seed=None if seed is None else seed + offset)


def start_size(size):
    """The side a stage-I generator starts from: `size / 2^k` with the most
    halvings `k` that leave an integer >= 4 (14 -> 7, 16 -> 4)."""
    start = size
    while start % 2 == 0 and start // 2 >= 4:
        start //= 2
    return start


def stage1_generator(latent_dim, embedding_dim, image_shape, filters=64, cond_dim=32, seed=None):
    """Stage I: `(z, embedding)` -> `[low-resolution image, kl]`.

    Conditioning augmentation turns the embedding into `c`; `concat(z, c)`
    goes through a dense layer to a small map, then (2x upsampling, 3x3
    convolution, batch norm, ReLU) blocks up to the stage's resolution and a
    3x3 convolution with tanh.
    """
    size, _, channels = image_shape
    s0 = start_size(size)
    ups = 0
    while s0 * 2**ups < size:
        ups += 1
    z = keras.Input((latent_dim,), name="z")
    e = keras.Input((embedding_dim,), name="embedding")
    c, kl = ConditioningAugmentation(cond_dim, seed=seed, name="ca1")(e)
    width = filters * 2**ups
    x = layers.Concatenate()([z, c])
    x = layers.Dense(s0 * s0 * width, use_bias=False, kernel_initializer=_init(seed, 1))(x)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    x = layers.Reshape((s0, s0, width))(x)
    for i in range(ups):
        width //= 2
        x = layers.UpSampling2D(2)(x)
        x = layers.Conv2D(
            width, 3, padding="same", use_bias=False, kernel_initializer=_init(seed, 2 + i)
        )(x)
        x = layers.ReLU()(layers.BatchNormalization()(x))
    image = layers.Conv2D(
        channels, 3, padding="same", activation="tanh", kernel_initializer=_init(seed, 20)
    )(x)
    return keras.Model([z, e], [image, kl], name="stage1_generator")


def stage2_generator(
    embedding_dim, low_shape, filters=64, cond_dim=32, residual_blocks=2, seed=None
):
    """Stage II: `(low-resolution image, embedding)` -> `[image at twice the side, kl]`.

    Its own conditioning augmentation gives `c`, replicated over the image
    encoding (a 3x3 convolution of the stage-I image); residual blocks, then a
    2x upsampling, a 3x3 convolution and a 3x3 convolution to residual
    logits, added to the logits of the bilinearly upsampled stage-I image
    (`ResidualRefinement`). Stage II thus starts as an upsampling of stage I
    and refines it: it cannot drop stage I's image for one texture per
    embedding, which a stage II that drew its image from scratch did (it has
    no noise input of its own, and its discriminator does not see stage I).
    """
    size, _, channels = low_shape
    low = keras.Input(low_shape, name="stage1_image")
    e = keras.Input((embedding_dim,), name="embedding")
    c, kl = ConditioningAugmentation(
        cond_dim, seed=None if seed is None else seed + 50, name="ca2"
    )(e)
    x = layers.Conv2D(filters, 3, padding="same", kernel_initializer=_init(seed, 30))(low)
    x = layers.ReLU()(x)
    tiled = layers.Reshape((1, 1, cond_dim))(c)
    tiled = layers.UpSampling2D(size)(tiled)
    x = layers.Concatenate()([x, tiled])
    x = layers.Conv2D(
        filters, 3, padding="same", use_bias=False, kernel_initializer=_init(seed, 31)
    )(x)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    for i in range(residual_blocks):
        y = layers.Conv2D(
            filters, 3, padding="same", use_bias=False, kernel_initializer=_init(seed, 32 + 2 * i)
        )(x)
        y = layers.ReLU()(layers.BatchNormalization()(y))
        y = layers.Conv2D(
            filters, 3, padding="same", use_bias=False, kernel_initializer=_init(seed, 33 + 2 * i)
        )(y)
        y = layers.BatchNormalization()(y)
        x = layers.ReLU()(layers.Add()([x, y]))
    x = layers.UpSampling2D(2)(x)
    x = layers.Conv2D(
        filters // 2 or 1, 3, padding="same", use_bias=False, kernel_initializer=_init(seed, 40)
    )(x)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    residual = layers.Conv2D(
        channels, 3, padding="same", kernel_initializer=_init(seed, 41), name="residual"
    )(x)
    upsampled = layers.UpSampling2D(2, interpolation="bilinear")(low)
    image = ResidualRefinement(name="refine")([upsampled, residual])
    return keras.Model([low, e], [image, kl], name="stage2_generator")


def stage_discriminator(image_shape, embedding_dim, filters=64, cond_dim=32, seed=None, name="d"):
    """`(image, embedding)` -> one logit: stride-2 convolutions down to a small
    map, the compressed embedding replicated over it, a 1x1 convolution and a
    dense logit."""
    size = image_shape[0]
    x_in = keras.Input(image_shape, name="image")
    e = keras.Input((embedding_dim,), name="embedding")
    x = x_in
    width = filters
    i = 0
    while size > 4 and size % 2 == 0:
        x = layers.Conv2D(width, 4, 2, padding="same", kernel_initializer=_init(seed, 60 + i))(x)
        if i:
            x = layers.BatchNormalization()(x)
        x = layers.LeakyReLU(0.2)(x)
        size //= 2
        width *= 2
        i += 1
    c = layers.Dense(cond_dim, kernel_initializer=_init(seed, 80))(e)
    c = layers.LeakyReLU(0.2)(c)
    c = layers.UpSampling2D(size)(layers.Reshape((1, 1, cond_dim))(c))
    x = layers.Concatenate()([x, c])
    x = layers.Conv2D(width, 1, kernel_initializer=_init(seed, 81))(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten()(x)
    logit = layers.Dense(1, kernel_initializer=_init(seed, 82))(x)
    return keras.Model([x_in, e], logit, name=name)


def _pool(x):
    return ops.average_pool(x, 2, 2, padding="valid")


def stackgan_generator(
    image_shape, num_classes, latent_dim=100, embedding_dim=32, filters=64, cond_dim=32, seed=None
):
    """`[z, labels]` -> `[stage-II image, stage-I image, kl]`.

    Labels pick a learned embedding (the stand-in for a text embedding); both
    stages read it. Stage II reads stage I's image through a stop-gradient,
    so stage I is trained by its own loss alone, as in the paper's
    two-stage training.
    """
    size, _, channels = image_shape
    low_shape = (size // 2, size // 2, channels)
    z = keras.Input((latent_dim,), name="z")
    labels = keras.Input((), dtype="int32", name="labels")
    e = layers.Embedding(num_classes, embedding_dim, name="class_embedding")(labels)
    g1 = stage1_generator(latent_dim, embedding_dim, low_shape, filters, cond_dim, seed)
    g2 = stage2_generator(embedding_dim, low_shape, filters, cond_dim, seed=seed)
    low, kl1 = g1([z, e])
    high, kl2 = g2([StopGradient(name="stop_gradient")(low), e])
    kl = layers.Add(name="kl")([kl1, kl2])
    return keras.Model([z, labels], [high, low, kl], name="generator")


def stackgan_discriminator(
    image_shape, num_classes, embedding_dim=32, filters=64, cond_dim=32, seed=None
):
    """`[high image, low image, labels]` -> `[stage-II logit, stage-I logit]`."""
    size, _, channels = image_shape
    low_shape = (size // 2, size // 2, channels)
    high = keras.Input(image_shape, name="high")
    low = keras.Input(low_shape, name="low")
    labels = keras.Input((), dtype="int32", name="labels")
    e = layers.Embedding(num_classes, embedding_dim, name="class_embedding")(labels)
    d2 = stage_discriminator(
        image_shape, embedding_dim, filters, cond_dim, seed, name="stage2_discriminator"
    )
    d1 = stage_discriminator(
        low_shape,
        embedding_dim,
        filters,
        cond_dim,
        None if seed is None else seed + 7,
        name="stage1_discriminator",
    )
    return keras.Model([high, low, labels], [d2([high, e]), d1([low, e])], name="discriminator")
