"""The MLP discriminator of the original GAN."""

import keras

from keras_gans.models.vanilla.vanilla_generator import glorot


def vanilla_discriminator(
    data_dim,
    units=(128, 128),
    activation="leaky_relu",
    dropout=0.0,
    seed=None,
    name="discriminator",
):
    """An MLP from `(batch, data_dim)` samples to `(batch, 1)` logits.

    Args:
        data_dim: size of one (flat) sample.
        units: width of each hidden layer.
        activation: activation of the hidden layers.
        dropout: dropout rate after each hidden layer (0 for none).
        seed: seed of the kernel initializers and of dropout (random when None).
    """
    x = keras.Input((data_dim,), name="x")
    h = x
    for i, width in enumerate(units):
        h = keras.layers.Dense(
            width, activation=activation, kernel_initializer=glorot(seed, i), name=f"dense_{i}"
        )(h)
        if dropout:
            h = keras.layers.Dropout(dropout, seed=seed, name=f"dropout_{i}")(h)
    logits = keras.layers.Dense(1, kernel_initializer=glorot(seed, len(units)), name="logits")(h)
    return keras.Model(x, logits, name=name)
