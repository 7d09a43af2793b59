"""StyleGAN2's residual discriminator at small scale."""

import math

import keras
from keras import layers

from keras_gans.utils import check_positive_int


def stylegan_discriminator(image_shape, filters=64, seed=None, name="discriminator"):
    """A residual discriminator (StyleGAN2's "resnet" D, without minibatch stddev).

    fromRGB (1x1 convolution), then per halving of the resolution down to
    4x4 a residual block: two 3x3 convolutions with leaky ReLU and 2x average
    pooling, plus a 1x1-convolved pooled skip, summed and scaled by
    `1/sqrt(2)`. At 4x4: a 3x3 convolution, a dense layer and one logit.
    """
    filters = check_positive_int(filters, "filters")
    size = image_shape[0]
    counter = [0]

    def init():
        counter[0] += 1
        return keras.initializers.HeNormal(seed=None if seed is None else seed + 1000 + counter[0])

    def lrelu(x):
        return layers.LeakyReLU(0.2)(x)

    inputs = keras.Input(image_shape)
    x = lrelu(layers.Conv2D(filters, 1, kernel_initializer=init(), name="from_rgb")(inputs))
    res = size
    while res > 4:
        skip = layers.AveragePooling2D(2)(x)
        skip = layers.Conv2D(filters, 1, use_bias=False, kernel_initializer=init())(skip)
        y = lrelu(layers.Conv2D(filters, 3, padding="same", kernel_initializer=init())(x))
        y = lrelu(layers.Conv2D(filters, 3, padding="same", kernel_initializer=init())(y))
        y = layers.AveragePooling2D(2)(y)
        x = layers.Rescaling(1.0 / math.sqrt(2.0))(layers.Add()([y, skip]))
        res //= 2
    x = lrelu(layers.Conv2D(filters, 3, padding="same", kernel_initializer=init())(x))
    x = layers.Flatten()(x)
    x = lrelu(layers.Dense(filters, kernel_initializer=init(), name="features")(x))
    outputs = layers.Dense(1, kernel_initializer=init(), name="logits")(x)
    return keras.Model(inputs, outputs, name=name)
