"""U-Net and ResNet generators and the PatchGAN discriminator, written once.

pix2pix (Isola et al., 2017) uses the U-Net and the PatchGAN; CycleGAN (Zhu
et al., 2017) the ResNet generator (or the U-Net) and the PatchGAN. Every
builder takes a `seed` for its initial weights (N(0, 0.02), as both papers)
and returns a functional `keras.Model`.
"""

import keras
from keras import layers

from keras_gans.models.dcgan.dcgan_generator import check_image_shape, init
from keras_gans.utils import check_positive_int, seed_stream

NORMALIZATIONS = ("batch", "instance", None)


def _check_normalization(normalization):
    if normalization not in NORMALIZATIONS:
        raise ValueError(
            f"`normalization` must be one of 'batch', 'instance' or None; "
            f"received {normalization!r}."
        )
    return normalization


def _norm(x, normalization):
    if normalization == "batch":
        return layers.BatchNormalization(momentum=0.9, epsilon=1e-5)(x)
    if normalization == "instance":
        # GroupNormalization with one group per channel is instance normalization.
        return layers.GroupNormalization(groups=-1, epsilon=1e-5)(x)
    return x


def default_unet_depth(image_shape, max_depth=8):
    """The deepest U-Net (at most `max_depth`, the paper's 8 for 256x256) the size allows.

    Each level halves the height and width, so both must stay divisible.
    """
    h, w = image_shape[0], image_shape[1]
    depth = 0
    while depth < max_depth and h % 2 == 0 and w % 2 == 0 and h > 1 and w > 1:
        h, w, depth = h // 2, w // 2, depth + 1
    if depth == 0:
        raise ValueError(f"A U-Net needs even height and width; received {image_shape!r}.")
    return depth


def unet_generator(
    input_shape,
    output_channels,
    filters=64,
    depth=None,
    normalization="batch",
    dropout=0.5,
    seed=None,
    name="unet_generator",
    zero_output=False,
):
    """pix2pix's U-Net: an encoder-decoder with skip connections between mirrored levels.

    Encoder level `i` is a 4x4 stride-2 convolution (`filters * 2**i`
    channels, at most `8 * filters`), normalization (not on the first level)
    and LeakyReLU(0.2). Decoder level `i` is a 4x4 stride-2 transposed
    convolution, normalization, dropout on the three innermost levels (the
    paper's noise), ReLU, then concatenation with the encoder's output of the
    same size. A last transposed convolution and tanh give
    `output_channels` channels in [-1, 1] at the input's size.

    Args:
        input_shape: `(height, width, channels)`; height and width divisible
            by `2**depth`.
        output_channels: channels of the output image.
        filters: channels of the first level (64 in the paper).
        depth: number of down-sampling levels; default the deepest the size
            allows (at most 8: 256x256 down to 1x1, the paper's network).
        normalization: "batch" (the paper), "instance" or None.
        dropout: rate of the decoder's dropout (0 turns it off).
        seed: seed of the initial weights.
        zero_output: start the last layer at zero (kernel and bias), so the
            untrained network outputs 0 (the seeds of the other layers are
            unchanged).
    """
    input_shape = check_image_shape(input_shape)
    output_channels = check_positive_int(output_channels, "output_channels")
    filters = check_positive_int(filters, "filters")
    normalization = _check_normalization(normalization)
    if depth is None:
        depth = default_unet_depth(input_shape)
    depth = check_positive_int(depth, "depth")
    if input_shape[0] % 2**depth or input_shape[1] % 2**depth:
        raise ValueError(
            f"A U-Net of depth {depth} needs height and width divisible by {2**depth}; "
            f"received {input_shape!r}."
        )
    seeds = seed_stream(seed, 11)
    inputs = keras.Input(input_shape, name="images")
    x = inputs
    skips = []
    for i in range(depth):
        x = layers.Conv2D(
            min(filters * 2**i, 8 * filters),
            4,
            strides=2,
            padding="same",
            use_bias=normalization is None or i == 0,
            kernel_initializer=init(next(seeds)),
        )(x)
        if i > 0 and i < depth - 1:
            x = _norm(x, normalization)
        x = layers.LeakyReLU(0.2)(x)
        skips.append(x)
    for i in reversed(range(depth - 1)):
        x = layers.Conv2DTranspose(
            min(filters * 2**i, 8 * filters),
            4,
            strides=2,
            padding="same",
            use_bias=normalization is None,
            kernel_initializer=init(next(seeds)),
        )(x)
        x = _norm(x, normalization)
        if dropout and i >= depth - 4:
            x = layers.Dropout(dropout, seed=next(seeds))(x)
        x = layers.ReLU()(x)
        x = layers.Concatenate()([x, skips[i]])
    last_init = init(next(seeds))
    x = layers.Conv2DTranspose(
        output_channels,
        4,
        strides=2,
        padding="same",
        kernel_initializer="zeros" if zero_output else last_init,
    )(x)
    outputs = layers.Activation("tanh", dtype="float32", name="output")(x)
    return keras.Model(inputs, outputs, name=name)


def _residual_block(x, channels, normalization, seeds):
    y = layers.Conv2D(channels, 3, padding="same", kernel_initializer=init(next(seeds)))(x)
    y = layers.ReLU()(_norm(y, normalization))
    y = layers.Conv2D(channels, 3, padding="same", kernel_initializer=init(next(seeds)))(y)
    y = _norm(y, normalization)
    return layers.Add()([x, y])


def resnet_generator(
    image_shape,
    output_channels=None,
    filters=64,
    num_blocks=6,
    num_downsampling=2,
    normalization="instance",
    seed=None,
    name="resnet_generator",
):
    """CycleGAN's ResNet generator (after Johnson et al., 2016).

    A 7x7 convolution, `num_downsampling` stride-2 3x3 convolutions doubling
    the channels, `num_blocks` residual blocks (two 3x3 convolutions each),
    as many stride-2 transposed convolutions back, and a 7x7 convolution with
    tanh. Normalization and ReLU follow every convolution but the last. The
    paper uses 6 blocks for 128x128 images and 9 for 256x256, with instance
    normalization; "same" zero padding stands in for its reflection padding.

    Args:
        image_shape: `(height, width, channels)`, height and width divisible
            by `2**num_downsampling`.
        output_channels: default the input's channels.
        filters: channels of the first convolution (64 in the paper).
        num_blocks: residual blocks at the lowest resolution.
        num_downsampling: stride-2 levels (2 in the paper).
        normalization: "instance" (the paper), "batch" or None.
        seed: seed of the initial weights.
    """
    image_shape = check_image_shape(image_shape)
    output_channels = check_positive_int(output_channels or image_shape[-1], "output_channels")
    filters = check_positive_int(filters, "filters")
    num_blocks = check_positive_int(num_blocks, "num_blocks")
    if isinstance(num_downsampling, bool) or not isinstance(num_downsampling, int):
        raise ValueError(f"`num_downsampling` must be an integer >= 0; got {num_downsampling!r}.")
    if (
        num_downsampling < 0
        or image_shape[0] % 2**num_downsampling
        or (image_shape[1] % 2**num_downsampling)
    ):
        raise ValueError(
            f"`num_downsampling`={num_downsampling!r} needs height and width divisible by "
            f"2**num_downsampling; received image_shape {image_shape!r}."
        )
    normalization = _check_normalization(normalization)
    seeds = seed_stream(seed, 12)
    inputs = keras.Input(image_shape, name="images")
    x = layers.Conv2D(filters, 7, padding="same", kernel_initializer=init(next(seeds)))(inputs)
    x = layers.ReLU()(_norm(x, normalization))
    channels = filters
    for _ in range(num_downsampling):
        channels *= 2
        x = layers.Conv2D(
            channels, 3, strides=2, padding="same", kernel_initializer=init(next(seeds))
        )(x)
        x = layers.ReLU()(_norm(x, normalization))
    for _ in range(num_blocks):
        x = _residual_block(x, channels, normalization, seeds)
    for _ in range(num_downsampling):
        channels //= 2
        x = layers.Conv2DTranspose(
            channels, 3, strides=2, padding="same", kernel_initializer=init(next(seeds))
        )(x)
        x = layers.ReLU()(_norm(x, normalization))
    x = layers.Conv2D(output_channels, 7, padding="same", kernel_initializer=init(next(seeds)))(x)
    outputs = layers.Activation("tanh", dtype="float32", name="output")(x)
    return keras.Model(inputs, outputs, name=name)


def patchgan_discriminator(
    image_shape,
    condition_shape=None,
    filters=64,
    num_layers=3,
    normalization="batch",
    seed=None,
    name="patchgan_discriminator",
):
    """The PatchGAN: a grid of logits, each judging one patch of the image.

    `num_layers` 4x4 stride-2 convolutions (`filters`, `2 * filters`, ...,
    at most `8 * filters`; normalization on all but the first; LeakyReLU
    0.2), one 4x4 stride-1 convolution, and a 4x4 stride-1 convolution to one
    logit per position. With 3 layers each logit sees a 70x70 patch (the
    papers' "70x70 PatchGAN"). With `condition_shape`, the model takes
    `[condition, image]` and judges their channel-wise concatenation, as
    pix2pix's conditional discriminator.

    Args:
        image_shape: `(height, width, channels)` of the judged image.
        condition_shape: shape of the conditioning image, or None.
        filters: channels of the first layer (64 in the papers).
        num_layers: stride-2 layers (3 in the papers).
        normalization: "batch" (pix2pix), "instance" (CycleGAN) or None.
        seed: seed of the initial weights.

    Returns:
        A model from images (or `[condition, image]`) to logits of shape
        `(batch, height / 2**num_layers, width / 2**num_layers, 1)`.
    """
    image_shape = check_image_shape(image_shape)
    filters = check_positive_int(filters, "filters")
    num_layers = check_positive_int(num_layers, "num_layers")
    normalization = _check_normalization(normalization)
    seeds = seed_stream(seed, 13)
    image = keras.Input(image_shape, name="images")
    if condition_shape is not None:
        condition_shape = check_image_shape(condition_shape)
        condition = keras.Input(condition_shape, name="condition")
        inputs = [condition, image]
        x = layers.Concatenate()([condition, image])
    else:
        inputs = image
        x = image
    for i in range(num_layers):
        x = layers.Conv2D(
            min(filters * 2**i, 8 * filters),
            4,
            strides=2,
            padding="same",
            use_bias=normalization is None or i == 0,
            kernel_initializer=init(next(seeds)),
        )(x)
        if i > 0:
            x = _norm(x, normalization)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2D(
        min(filters * 2**num_layers, 8 * filters),
        4,
        padding="same",
        use_bias=normalization is None,
        kernel_initializer=init(next(seeds)),
    )(x)
    x = layers.LeakyReLU(0.2, name="features")(_norm(x, normalization))
    logits = layers.Conv2D(
        1, 4, padding="same", kernel_initializer=init(next(seeds)), dtype="float32", name="logits"
    )(x)
    return keras.Model(inputs, logits, name=name)
