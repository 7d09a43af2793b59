"""`InfoGAN`: interpretable latent codes by mutual information (Chen et al., 2016)."""

import keras
import numpy as np
from keras import layers, ops

from keras_gans.models.dcgan.dcgan import DCGAN
from keras_gans.models.dcgan.dcgan_discriminator import dcgan_discriminator_body
from keras_gans.models.dcgan.dcgan_generator import init
from keras_gans.utils import check_positive_int


def _check_count(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"`{name}` must be a non-negative integer; received {value!r}.")
    return int(value)


@keras.saving.register_keras_serializable(package="keras_gans")
class InfoGAN(DCGAN):
    """A GAN whose latent codes get a meaning by maximizing mutual information.

    The generator's input is `[noise, c_cat, c_cont]`: `noise_dim` standard
    normal values, a one-hot categorical code of `num_categories` values
    (uniform prior) and `num_continuous` codes uniform in [-1, 1]. The
    auxiliary network Q shares the discriminator's body (its convolutions and
    features) and adds one hidden layer and a head predicting the categorical
    code (logits) and the continuous codes (means of a Gaussian with unit
    variance). Both the generator and Q (trained with the discriminator's
    optimizer) minimize the variational bound of the mutual information,
    `info_loss = categorical_weight * CE(c_cat, Q_cat) +
    continuous_weight * 0.5 * ||c_cont - Q_mean||^2`, logged as `info_loss`.

    The networks are DCGAN's (see `DCGAN` for the other arguments); MNIST in
    the paper: 62 noise values, one 10-way code, two continuous codes, and
    Adam with learning rate 1e-3 for the generator and 2e-4 for the
    discriminator and Q (the defaults of `compile`).

    Args:
        image_shape: `(height, width, channels)`.
        num_categories: values of the categorical code (0 for none).
        num_continuous: number of continuous codes (0 for none).
        noise_dim: size of the incompressible noise.
        categorical_weight, continuous_weight: the weights lambda of the two
            mutual-information terms.
        q_units: width of Q's hidden layer.
        **kwargs: the arguments of `DCGAN` but `latent_dim`.

    Example:

    >>> gan = InfoGAN(image_shape=(28, 28, 1), num_categories=10, num_continuous=2)
    >>> # One row per value of the categorical code:
    >>> images = gan.generate(10, categories=np.arange(10))
    """

    loss_names = ("d_loss", "g_loss", "info_loss")

    def __init__(
        self,
        image_shape=(28, 28, 1),
        num_categories=10,
        num_continuous=2,
        noise_dim=62,
        categorical_weight=1.0,
        continuous_weight=1.0,
        q_units=128,
        **kwargs,
    ):
        if "latent_dim" in kwargs:
            raise ValueError(
                "InfoGAN's latent size is noise_dim + num_categories + num_continuous; "
                "pass those instead of `latent_dim`."
            )
        self.num_categories = _check_count(num_categories, "num_categories")
        self.num_continuous = _check_count(num_continuous, "num_continuous")
        self.noise_dim = check_positive_int(noise_dim, "noise_dim")
        if self.num_categories + self.num_continuous == 0:
            raise ValueError("InfoGAN needs at least one code: num_categories or num_continuous.")
        if self.num_categories == 1:
            raise ValueError(
                "`num_categories` must be 0 or at least 2 (one value carries no code)."
            )
        self.categorical_weight = float(categorical_weight)
        self.continuous_weight = float(continuous_weight)
        self.q_units = check_positive_int(q_units, "q_units")
        latent_dim = self.noise_dim + self.num_categories + self.num_continuous
        super().__init__(image_shape=image_shape, latent_dim=latent_dim, **kwargs)
        del self._family_config["latent_dim"]
        self._family_config.update(
            {
                "num_categories": self.num_categories,
                "num_continuous": self.num_continuous,
                "noise_dim": self.noise_dim,
                "categorical_weight": self.categorical_weight,
                "continuous_weight": self.continuous_weight,
                "q_units": self.q_units,
            }
        )

    def default_optimizer(self, network="generator"):
        """The paper's MNIST setting: Adam(1e-3, 0.5) for G, Adam(2e-4, 0.5) for D and Q."""
        rate = 1e-3 if network == "generator" else 2e-4
        return keras.optimizers.Adam(learning_rate=rate, beta_1=0.5)

    def build_discriminator(self, image_shape, **kwargs):
        inputs, features, seeds = dcgan_discriminator_body(image_shape, **kwargs)
        logits = layers.Dense(
            1, kernel_initializer=init(next(seeds)), dtype="float32", name="logits"
        )(features)
        q = layers.Dense(self.q_units, use_bias=False, kernel_initializer=init(next(seeds)))(
            features
        )
        q = layers.LeakyReLU(0.2)(layers.BatchNormalization(momentum=0.9, epsilon=1e-5)(q))
        q = layers.Dense(
            self.num_categories + self.num_continuous,
            kernel_initializer=init(next(seeds)),
            dtype="float32",
            name="q",
        )(q)
        return keras.Model(inputs, [logits, q], name="infogan_discriminator")

    # -------------------------------------------------------------- latents
    def sample_latent(self, batch_size, categories=None, continuous=None):
        """Draws `[noise, one_hot(c_cat), c_cont]`.

        Args:
            batch_size: how many vectors.
            categories: fix the categorical code: an int for all, or one int
                per vector.
            continuous: fix the continuous codes: a number for all, an array
                `(num_continuous,)` for all, or `(batch_size, num_continuous)`.
        """
        parts = [keras.random.normal((batch_size, self.noise_dim), seed=self.seed_generator)]
        if self.num_categories:
            if categories is None:
                cat = keras.random.randint(
                    (batch_size,), 0, self.num_categories, seed=self.seed_generator
                )
            else:
                cat = self._fixed_categories(categories, batch_size)
            parts.append(ops.one_hot(cat, self.num_categories))
        elif categories is not None:
            raise ValueError("This InfoGAN has no categorical code (num_categories=0).")
        if self.num_continuous:
            if continuous is None:
                cont = keras.random.uniform(
                    (batch_size, self.num_continuous), -1.0, 1.0, seed=self.seed_generator
                )
            else:
                cont = self._fixed_continuous(continuous, batch_size)
            parts.append(cont)
        elif continuous is not None:
            raise ValueError("This InfoGAN has no continuous code (num_continuous=0).")
        return ops.concatenate([ops.cast(p, "float32") for p in parts], axis=-1)

    def _fixed_categories(self, categories, n):
        cat = np.asarray(categories)
        if cat.ndim == 0:
            cat = np.full((n,), cat)
        if cat.dtype.kind not in "iu" or cat.shape != (n,):
            raise ValueError(f"`categories` must be an int or {n} ints; received {categories!r}.")
        if cat.min() < 0 or cat.max() >= self.num_categories:
            raise ValueError(
                f"`categories` must lie in [0, {self.num_categories}); received {categories!r}."
            )
        return cat.astype("int32")

    def _fixed_continuous(self, continuous, n):
        cont = np.asarray(continuous, dtype="float32")
        if cont.ndim == 0:
            cont = np.full((n, self.num_continuous), cont, dtype="float32")
        elif cont.shape == (self.num_continuous,):
            cont = np.tile(cont[None], (n, 1))
        if cont.shape != (n, self.num_continuous):
            raise ValueError(
                f"`continuous` must be a number, {self.num_continuous} numbers or an "
                f"array ({n}, {self.num_continuous}); received shape {cont.shape}."
            )
        return cont

    def split_latent(self, z):
        """Splits latent vectors into `(noise, one-hot categories, continuous codes)`."""
        a = self.noise_dim
        b = a + self.num_categories
        return z[:, :a], z[:, a:b], z[:, b:]

    def grid_inputs(self, n, seed=0):
        """Rows of the categorical code's values, columns of fixed noise.

        With `n = 10 * num_categories` and 10 columns, row `r` shows category
        `r` and column `c` the same noise, so each column shows what the
        code alone changes. Continuous codes are 0.
        """
        rng = np.random.default_rng(seed)
        per_row = max(1, n // max(1, self.num_categories))
        rows = -(-n // per_row)
        noise = rng.standard_normal((per_row, self.noise_dim)).astype("float32")
        parts = [np.tile(noise, (rows, 1))[:n]]
        if self.num_categories:
            cat = (np.arange(n) // per_row) % self.num_categories
            parts.append(np.eye(self.num_categories, dtype="float32")[cat])
        if self.num_continuous:
            parts.append(np.zeros((n, self.num_continuous), dtype="float32"))
        return {"z": np.concatenate(parts, axis=1)}

    # --------------------------------------------------------------- losses
    def discriminator_logits(self, output):
        return output[0]

    def info_loss(self, z, q):
        """The mutual-information bound of the codes in `z` given Q's output `q`."""
        _, cat, cont = self.split_latent(ops.convert_to_tensor(z, "float32"))
        q = ops.cast(q, "float32")
        loss = 0.0
        if self.num_categories:
            ce = keras.losses.categorical_crossentropy(
                ops.stop_gradient(cat), q[:, : self.num_categories], from_logits=True
            )
            loss = loss + self.categorical_weight * ops.mean(ce)
        if self.num_continuous:
            mean = q[:, self.num_categories :]
            nll = 0.5 * ops.sum(ops.square(ops.stop_gradient(cont) - mean), axis=-1)
            loss = loss + self.continuous_weight * ops.mean(nll)
        return loss

    def discriminator_loss(self, step):
        adversarial = super().discriminator_loss(step)
        return adversarial + self.info_loss(step.z, step.fake_output[1])

    def generator_loss(self, step):
        adversarial = super().generator_loss(step)
        info = self.info_loss(step.z, step.fake_output[1])
        return adversarial + info, {"info_loss": info}
