"""StyleGAN2's residual discriminator at small scale."""

import math

import keras
from keras import layers

from keras_gans.layers.equalized import EqualizedConv2D, EqualizedDense
from keras_gans.layers.minibatch_stddev import MinibatchStdDev
from keras_gans.utils import check_positive_int


def stylegan_discriminator(
    image_shape, filters=64, minibatch_stddev=True, seed=None, name="discriminator"
):
    """A residual discriminator (StyleGAN2's "resnet" D).

    fromRGB (1x1 convolution), then per halving of the resolution down to
    4x4 a residual block: two 3x3 convolutions with leaky ReLU and 2x average
    pooling, plus a 1x1-convolved pooled skip, summed and scaled by
    `1/sqrt(2)`. At 4x4: with `minibatch_stddev`, the batch's standard
    deviation as an extra feature map (`layers.MinibatchStdDev`, over the
    whole batch), then a 3x3 convolution, a dense layer and one logit.

    Every layer has an equalized learning rate (`layers.EqualizedConv2D`,
    `layers.EqualizedDense`: weights stored N(0, 1), scaled by
    `1 / sqrt(fan_in)` at run time) and every leaky ReLU is followed by its
    gain `sqrt(2)`, as in StyleGAN2, so the generator and the discriminator
    share one learning rate (0.002 by default).
    """
    filters = check_positive_int(filters, "filters")
    size = image_shape[0]
    counter = [0]

    def seed_of():
        counter[0] += 1
        return None if seed is None else seed + 1000 + counter[0]

    def conv(x, width, k, use_bias=True, name=None):
        return EqualizedConv2D(width, k, use_bias=use_bias, seed=seed_of(), name=name)(x)

    def lrelu(x):
        return layers.Rescaling(math.sqrt(2.0))(layers.LeakyReLU(0.2)(x))

    inputs = keras.Input(image_shape)
    x = lrelu(conv(inputs, filters, 1, name="from_rgb"))
    res = size
    while res > 4:
        skip = layers.AveragePooling2D(2)(x)
        skip = conv(skip, filters, 1, use_bias=False)
        y = lrelu(conv(x, filters, 3))
        y = lrelu(conv(y, filters, 3))
        y = layers.AveragePooling2D(2)(y)
        x = layers.Rescaling(1.0 / math.sqrt(2.0))(layers.Add()([y, skip]))
        res //= 2
    if minibatch_stddev:
        x = MinibatchStdDev(name="minibatch_stddev")(x)
    x = lrelu(conv(x, filters, 3))
    x = layers.Flatten()(x)
    x = lrelu(EqualizedDense(filters, seed=seed_of(), name="features")(x))
    outputs = EqualizedDense(1, seed=seed_of(), name="logits")(x)
    return keras.Model(inputs, outputs, name=name)
