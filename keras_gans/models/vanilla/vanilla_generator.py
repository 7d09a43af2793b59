"""The MLP generator of the original GAN."""

import keras


def glorot(seed, index):
    """Glorot-uniform kernels; seeded per layer when `seed` is given."""
    return keras.initializers.GlorotUniform(seed=None if seed is None else seed + index)


def vanilla_generator(
    latent_dim,
    data_dim,
    units=(128, 128),
    activation="relu",
    output_activation=None,
    batch_norm=False,
    seed=None,
    name="generator",
):
    """An MLP from `(batch, latent_dim)` noise to `(batch, data_dim)` samples.

    Args:
        latent_dim: size of the noise vector.
        data_dim: size of one (flat) sample.
        units: width of each hidden layer.
        activation: activation of the hidden layers.
        output_activation: activation of the output (`None` for unbounded
            data, `"tanh"` for data scaled to [-1, 1]).
        batch_norm: batch normalization after each hidden layer.
        seed: seed of the kernel initializers (random when None).
    """
    z = keras.Input((latent_dim,), name="z")
    h = z
    for i, width in enumerate(units):
        if batch_norm:
            h = keras.layers.Dense(width, kernel_initializer=glorot(seed, i), name=f"dense_{i}")(h)
            h = keras.layers.BatchNormalization(name=f"bn_{i}")(h)
            h = keras.layers.Activation(activation, name=f"act_{i}")(h)
        else:
            # One layer call instead of two: Keras' per-call overhead dominates
            # small MLPs on the torch backend.
            h = keras.layers.Dense(
                width, activation=activation, kernel_initializer=glorot(seed, i), name=f"dense_{i}"
            )(h)
    x = keras.layers.Dense(
        data_dim,
        activation=output_activation,
        kernel_initializer=glorot(seed, len(units)),
        name="out",
    )(h)
    return keras.Model(z, x, name=name)
