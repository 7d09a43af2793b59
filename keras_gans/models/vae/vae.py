"""`VAE`: a convolutional variational autoencoder (Kingma & Welling, 2014)."""

import keras
import numpy as np
from keras import layers, ops

from keras_gans.layers.conditioning_augmentation import gaussian_kl
from keras_gans.models.likelihood import (
    LikelihoodModel,
    bernoulli_nll,
    check_binary,
    check_image_shape,
    check_n,
    numpy_bernoulli_nll,
)
from keras_gans.utils import check_positive_int, check_seed


@keras.saving.register_keras_serializable(package="keras_gans")
class VAE(LikelihoodModel):
    """A convolutional VAE with a Bernoulli decoder.

    Encoder: two stride-2 3x3 convolutions (ReLU) and a dense layer to the
    mean and log-variance of `q(z|x)`. Decoder: a dense layer to a
    quarter-resolution map, two (2x nearest upsampling + 3x3 convolution)
    steps and a 3x3 convolution to one logit per pixel and channel. Training
    maximizes the ELBO with the reparameterisation trick
    (`z = mean + exp(log_var / 2) * eps`, one draw per image per step): the
    loss is `E_q[-log p(x|z)] + KL(q(z|x) || N(0, I))`, in nats per image.
    Logs `loss` (the negative ELBO), `reconstruction` and `kl`.

    Pixels are in [0, 1]; the ELBO is a bound on the log-likelihood only for
    binary images (`keras_gans.datasets.binarize`). Height and width must be
    divisible by 4.

    Args:
        image_shape: `(height, width, channels)`.
        latent_dim: size of `z`.
        filters: channels of the first convolution (doubled in the second).
        hidden_units: units of the dense layer between the convolutions and
            the latent code (0 for none).
        seed: seed of the initial weights and of the training noise.

    Example:

    >>> vae = VAE(image_shape=(28, 28, 1), seed=0)
    >>> vae.compile()
    >>> vae.fit(binary_images, batch_size=64, epochs=10)  # doctest: +SKIP
    >>> vae.generate(4).shape
    (4, 28, 28, 1)
    """

    def __init__(
        self,
        image_shape=(28, 28, 1),
        latent_dim=16,
        filters=32,
        hidden_units=256,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.image_shape = check_image_shape(image_shape)
        height, width, channels = self.image_shape
        if height % 4 or width % 4:
            raise ValueError(
                f"VAE needs a height and width divisible by 4; received {self.image_shape}."
            )
        self.latent_dim = check_positive_int(latent_dim, "latent_dim")
        self.filters = check_positive_int(filters, "filters")
        if not isinstance(hidden_units, int) or hidden_units < 0:
            raise ValueError(f"`hidden_units` must be an int >= 0; received {hidden_units!r}.")
        self.hidden_units = hidden_units
        self.seed = check_seed(seed)
        self.seed_generator = keras.random.SeedGenerator(self.seed, name="vae_seed_generator")

        def init():
            return keras.initializers.GlorotUniform(seed=self.seed)

        f = self.filters
        enc = [
            layers.Input(self.image_shape),
            layers.Conv2D(f, 3, 2, "same", activation="relu", kernel_initializer=init()),
            layers.Conv2D(2 * f, 3, 2, "same", activation="relu", kernel_initializer=init()),
            layers.Flatten(),
        ]
        if hidden_units:
            enc.append(layers.Dense(hidden_units, activation="relu", kernel_initializer=init()))
        enc.append(layers.Dense(2 * self.latent_dim, kernel_initializer=init()))
        self.encoder = keras.Sequential(enc, name="encoder")
        dec = [layers.Input((self.latent_dim,))]
        if hidden_units:
            dec.append(layers.Dense(hidden_units, activation="relu", kernel_initializer=init()))
        dec += [
            layers.Dense(
                (height // 4) * (width // 4) * 2 * f, activation="relu", kernel_initializer=init()
            ),
            layers.Reshape((height // 4, width // 4, 2 * f)),
            layers.UpSampling2D(2),
            layers.Conv2D(2 * f, 3, padding="same", activation="relu", kernel_initializer=init()),
            layers.UpSampling2D(2),
            layers.Conv2D(f, 3, padding="same", activation="relu", kernel_initializer=init()),
            layers.Conv2D(channels, 3, padding="same", kernel_initializer=init()),
        ]
        self.decoder = keras.Sequential(dec, name="decoder")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")
        self.built = True

    def encode(self, x, training=False):
        """The mean and log-variance of `q(z|x)`."""
        stats = self.encoder(ops.cast(x, self.compute_dtype), training=training)
        mean, log_var = ops.split(stats, 2, axis=-1)
        return mean, log_var

    def call(self, x, training=False):
        """Reconstruction logits of `x`.

        Training draws `z` with the reparameterisation trick and adds the KL
        term with `add_loss`; otherwise `z` is the posterior mean.
        """
        mean, log_var = self.encode(x, training=training)
        if training:
            eps = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
            z = mean + ops.exp(0.5 * log_var) * eps
            self.add_loss(ops.mean(gaussian_kl(mean, log_var)))
        else:
            z = mean
        return self.decoder(z, training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The negative ELBO, averaged over the batch: reconstruction NLL + KL."""
        images = self._images(x)
        reconstruction = ops.mean(bernoulli_nll(y_pred, images))
        kl = ops.zeros(())
        for term in self.losses:
            kl = kl + self._aggregate_additional_loss(term)
        self.reconstruction_tracker.update_state(reconstruction)
        self.kl_tracker.update_state(kl)
        return reconstruction + kl

    def negative_elbo(self, x, seed=0, batch_size=256):
        """Per-image negative ELBO in nats (float64 numpy), one draw of `z` each.

        For binary `x`, an upper bound on the image's NLL: compare it with
        `PixelCNN.nll` (an exact figure).
        """
        x = check_binary(x, self.image_shape)
        rng = np.random.default_rng(check_seed(seed))
        out = []
        for start in range(0, len(x), check_positive_int(batch_size, "batch_size")):
            chunk = x[start : start + batch_size]
            stats = np.asarray(self.encoder.predict_on_batch(chunk), dtype="float64")
            mean, log_var = np.split(stats, 2, axis=-1)
            z = mean + np.exp(0.5 * log_var) * rng.standard_normal(mean.shape)
            logits = self.decoder.predict_on_batch(z.astype("float32"))
            kl = 0.5 * np.sum(mean**2 + np.exp(log_var) - 1.0 - log_var, axis=-1)
            out.append(numpy_bernoulli_nll(logits, chunk) + kl)
        return np.concatenate(out)

    def decode(self, z, batch_size=256):
        """Pixel probabilities `sigmoid(decoder(z))` in [0, 1], as numpy."""
        z = np.asarray(z, dtype="float32")
        out = []
        for start in range(0, len(z), check_positive_int(batch_size, "batch_size")):
            logits = np.asarray(self.decoder.predict_on_batch(z[start : start + batch_size]))
            out.append(1.0 / (1.0 + np.exp(-logits.astype("float64"))))
        return np.concatenate(out).astype("float32")

    def reconstruct(self, x, batch_size=256):
        """Pixel probabilities of the reconstruction of `x` through the posterior mean."""
        x = np.asarray(x, dtype="float32")
        stats = np.concatenate(
            [
                np.asarray(self.encoder.predict_on_batch(x[s : s + batch_size]))
                for s in range(0, len(x), batch_size)
            ]
        )
        return self.decode(stats[:, : self.latent_dim], batch_size=batch_size)

    def sample(self, n, seed=None, batch_size=256):
        """`n` decoded mean images (pixel probabilities in [0, 1]) of `z ~ N(0, I)`."""
        rng = np.random.default_rng(check_seed(seed))
        z = rng.standard_normal((check_n(n), self.latent_dim)).astype("float32")
        return self.decode(z, batch_size=batch_size)

    def generate(self, n=None, z=None, seed=None, batch_size=256):
        """Decoded mean images mapped to [-1, 1], the range GAN samples and
        `keras_gans.metrics` use: of `n` draws of `z ~ N(0, I)` (numpy,
        seeded by `seed`), or of the given latent vectors `z`."""
        if (n is None) == (z is None):
            raise ValueError("Pass either `n` or `z` to `generate`.")
        if z is None:
            return self.sample(n, seed=seed, batch_size=batch_size) * 2.0 - 1.0
        z = np.asarray(z, dtype="float32")
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"`z` must have shape (n, {self.latent_dim}); received {z.shape}.")
        return self.decode(z, batch_size=batch_size) * 2.0 - 1.0

    def grid_inputs(self, n, seed=0):
        """Fixed inputs for sample grids and reference outputs: `{"z": ...}`,
        drawn with numpy."""
        rng = np.random.default_rng(seed)
        return {"z": rng.standard_normal((check_n(n), self.latent_dim)).astype("float32")}

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "image_shape": self.image_shape,
            "latent_dim": self.latent_dim,
            "filters": self.filters,
            "hidden_units": self.hidden_units,
            "seed": self.seed,
        }
