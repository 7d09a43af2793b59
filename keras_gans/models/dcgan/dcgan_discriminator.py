"""`dcgan_discriminator`: the DCGAN discriminator for any image size, grey or colour."""

import keras
from keras import layers

from keras_gans.layers import MinibatchDiscrimination
from keras_gans.models.dcgan.dcgan_generator import (
    check_image_shape,
    default_filters,
    init,
    label_input,
    num_resamplings,
)
from keras_gans.utils import check_positive_int, seed_stream

NORMALIZATIONS = ("batch", "layer", None)


def dcgan_discriminator_body(
    image_shape=(28, 28, 1),
    filters=None,
    kernel_size=5,
    normalization="batch",
    num_classes=None,
    minibatch_discrimination=None,
    seed=None,
):
    """The convolutional body of the DCGAN discriminator.

    Returns `(inputs, features, seeds)`: the model inputs, the flattened
    features (a layer named `"features"`, which feature matching reads) and
    the stream of layer seeds for the heads.
    """
    image_shape = check_image_shape(image_shape)
    filters = check_positive_int(filters or default_filters(image_shape), "filters")
    kernel_size = check_positive_int(kernel_size, "kernel_size")
    if normalization not in NORMALIZATIONS:
        raise ValueError(
            f"`normalization` must be one of {NORMALIZATIONS}; received {normalization!r}."
        )
    n_down, _ = num_resamplings(image_shape)
    seeds = seed_stream(seed, 2)
    images = keras.Input(image_shape, name="images")
    inputs = images
    x = images
    if num_classes is not None:
        labels, one_hot = label_input(num_classes)
        inputs = [images, labels]
        maps = layers.Reshape((1, 1, int(num_classes)))(one_hot)
        maps = layers.UpSampling2D(image_shape[:2])(maps)
        x = layers.Concatenate()([images, maps])
    for i in range(n_down):
        normalized = i > 0 and normalization is not None
        x = layers.Conv2D(
            filters * 2**i,
            kernel_size,
            strides=2,
            padding="same",
            use_bias=not normalized,
            kernel_initializer=init(next(seeds)),
        )(x)
        if normalized and normalization == "batch":
            x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5)(x)
        elif normalized:
            x = layers.LayerNormalization(axis=(1, 2, 3), epsilon=1e-5)(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten(name="features")(x)
    if minibatch_discrimination:
        kernels = 100 if minibatch_discrimination is True else minibatch_discrimination
        x = MinibatchDiscrimination(
            check_positive_int(kernels, "minibatch_discrimination"),
            kernel_dim=5,
            kernel_initializer=keras.initializers.RandomNormal(stddev=0.05, seed=next(seeds)),
        )(x)
    return inputs, x, seeds


def dcgan_discriminator(
    image_shape=(28, 28, 1),
    filters=None,
    kernel_size=5,
    normalization="batch",
    num_classes=None,
    minibatch_discrimination=None,
    seed=None,
    name="dcgan_discriminator",
):
    """The DCGAN discriminator (Radford et al., 2016): one logit per image.

    Stride-2 convolutions doubling the filters until the smallest feature map
    (the generator's mirror), LeakyReLU(0.2), batch normalization on every
    layer but the input one, no pooling, then the flattened features into a
    single logit. For 64x64 images with the default 128 filters:
    64x64x3 -> 32x32x128 -> 16x16x256 -> 8x8x512 -> 4x4x1024 -> 1.

    Args:
        image_shape: `(height, width, channels)`.
        filters: filters of the first convolution; default
            `default_filters(image_shape)`.
        kernel_size: kernel size of the convolutions (5 in the paper).
        normalization: `"batch"`, `"layer"` (for gradient penalties, which
            batch statistics would break) or None.
        num_classes: when given, the discriminator takes `[images, labels]`;
            one-hot label maps are concatenated to the image channels.
        minibatch_discrimination: None/False, True (100 kernels) or the
            number of kernels of a `MinibatchDiscrimination` layer placed
            before the logit.
        seed: seed of the initial weights.
        name: the model's name.
    """
    inputs, features, seeds = dcgan_discriminator_body(
        image_shape,
        filters,
        kernel_size,
        normalization,
        num_classes,
        minibatch_discrimination,
        seed,
    )
    logits = layers.Dense(1, kernel_initializer=init(next(seeds)), dtype="float32", name="logits")(
        features
    )
    return keras.Model(inputs, logits, name=name)
