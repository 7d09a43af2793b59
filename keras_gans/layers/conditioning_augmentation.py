"""`ConditioningAugmentation`: StackGAN's Gaussian around a condition embedding."""

import keras
from keras import ops

from keras_gans.utils import check_positive_int, check_seed


def gaussian_kl(mean, log_var):
    """Per-sample `KL(N(mean, exp(log_var)) || N(0, I))` in nats.

    The closed form `0.5 * sum(mean^2 + exp(log_var) - 1 - log_var)`, summed
    over every axis but the first.
    """
    mean = ops.cast(mean, "float32")
    log_var = ops.cast(log_var, "float32")
    per_dim = 0.5 * (ops.square(mean) + ops.exp(log_var) - 1.0 - log_var)
    axes = tuple(range(1, len(per_dim.shape)))
    return ops.sum(per_dim, axis=axes)


@keras.saving.register_keras_serializable(package="keras_gans")
class ConditioningAugmentation(keras.layers.Layer):
    """Conditioning augmentation (Zhang et al., 2017, StackGAN, section 3.1).

    From an embedding `e` (any vector: a text embedding, a learned class
    embedding), a dense layer gives `mu(e)` and `log sigma^2(e)`; the layer
    returns `[c, kl]` with `c = mu + sigma * eps`, `eps ~ N(0, I)` in
    training and `c = mu` otherwise, and `kl` the per-sample
    `KL(N(mu, sigma^2) || N(0, I))` that the generator's loss adds as a
    regularizer.

    Args:
        units: size of `c`.
        seed: seed of `eps` and of the dense layer's initial weights.
    """

    def __init__(self, units, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.units = check_positive_int(units, "units")
        self.seed = check_seed(seed)
        self.dense = keras.layers.Dense(
            2 * self.units,
            kernel_initializer=keras.initializers.GlorotUniform(seed=self.seed),
            name="mean_and_log_var",
        )
        self.seed_generator = keras.random.SeedGenerator(self.seed, name="ca_seed_generator")

    def build(self, input_shape):
        self.dense.build(input_shape)

    def moments(self, embedding):
        """`(mu, log_var)` of the Gaussian around `embedding`."""
        stats = self.dense(embedding)
        mean, log_var = ops.split(stats, 2, axis=-1)
        return mean, log_var

    def call(self, embedding, training=False):
        mean, log_var = self.moments(embedding)
        if training:
            eps = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
            c = mean + ops.exp(0.5 * log_var) * eps
        else:
            c = mean
        return [c, gaussian_kl(mean, log_var)]

    def compute_output_shape(self, input_shape):
        return [(*input_shape[:-1], self.units), input_shape[:-1]]

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "seed": self.seed})
        return config
