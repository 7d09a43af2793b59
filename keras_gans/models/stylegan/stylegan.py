"""`StyleGAN`: StyleGAN2 at small scale (Karras et al., 2019, 2020)."""

import keras
import numpy as np
from keras import ops

from keras_gans import backend
from keras_gans import ema as ema_lib
from keras_gans.gan import GAN, _Holder
from keras_gans.models.stylegan.stylegan_discriminator import stylegan_discriminator
from keras_gans.models.stylegan.stylegan_generator import (
    NOISE_MODES,
    StyleGenerator,
    check_resolution,
)
from keras_gans.regularizers import r1_penalty
from keras_gans.utils import check_number, check_positive_int, check_seed


class _RampedEMA(ema_lib.GeneratorEMA):
    """A generator EMA whose half-life grows with the step (StyleGAN2's ema_rampup)."""

    def __init__(self, generator, ema_generator, decay, rampup, optimizer):
        super().__init__(generator, ema_generator, decay)
        self.rampup = rampup
        self.optimizer = optimizer

    def current_decay(self):
        """`min(decay, 0.5 ** (1 / (rampup * t)))`, `t` the steps including this one."""
        t = ops.cast(self.optimizer.iterations, "float32") + 1.0
        half_life = ops.maximum(self.rampup * t, 1e-8)
        return ops.minimum(self.decay, ops.power(0.5, 1.0 / half_life))


@keras.saving.register_keras_serializable(package="keras_gans")
class StyleGAN(GAN):
    """A style-based GAN: mapping network, modulated convolutions, noise, skips.

    The generator is `StyleGenerator` (mapping network z -> w, learned
    constant input, modulated/demodulated convolutions driven by one style
    per layer, per-layer noise with learned scales, toRGB skip outputs); the
    discriminator is StyleGAN2's residual network. Training uses the
    non-saturating loss, the R1 penalty `r1_gamma / 2 * E||grad D(x_real)||^2`
    on every discriminator update (logged as `r1`; no lazy schedule), style
    mixing regularization (with probability `mixing_prob` a batch takes its
    styles from a second w after a random crossover layer) and an
    exponential moving average of the generator (`compile(ema_decay=0.999)`
    by default, its half-life ramped up with the steps trained: see
    `compile`), which `generate` samples with. The discriminator sees the
    batch's standard deviation at 4x4 (`minibatch_stddev`).

    As in StyleGAN2, every weight of both networks has an equalized learning
    rate (stored N(0, 1), scaled by `1 / sqrt(fan_in)` at run time; see
    `layers.EqualizedDense`), the mapping network learns at 0.01 times the
    rate of the rest (`mapping_lr_multiplier`), and both networks use Adam
    with lr 0.002 and betas (0, 0.99).

    Not in this small-scale version: path-length regularization, lazy
    regularization, minibatch standard deviation.

    Images are in [-1, 1]; `image_shape` is square with a power-of-two side
    >= 8 (pad 28x28 data to 32x32).

    Args:
        image_shape: `(size, size, channels)`.
        latent_dim: size of z.
        w_dim: size of w.
        mapping_layers: dense layers of the mapping network.
        mapping_lr_multiplier: the mapping network's learning-rate
            multiplier (0.01 as in StyleGAN; its weights move 100x slower
            than the synthesis network's).
        generator_filters, discriminator_filters: channels per layer.
        mixing_prob: probability of style mixing per training batch.
        r1_gamma: weight gamma of the R1 penalty.
        minibatch_stddev: give the default discriminator the batch's
            standard deviation as a feature at 4x4 (`layers.MinibatchStdDev`).
        ema_rampup: caps the generator EMA's half-life at this fraction of
            the steps trained so far (None: a plain EMA); see `compile`.
        discriminator: a Keras model to use instead of the default
            discriminator (images -> one logit per image).
        seed: seed of the initial weights and of all training noise.

    Example:

    >>> gan = StyleGAN(image_shape=(32, 32, 3), seed=0)
    >>> gan.compile()
    >>> gan.fit(keras_gans.datasets.load("cifar10"), epochs=1)  # doctest: +SKIP
    >>> gan.generate(4, truncation=0.7).shape
    (4, 32, 32, 3)
    """

    conditional = False
    loss_names = ("d_loss", "g_loss", "r1")
    default_ema_decay = 0.999

    def __init__(
        self,
        image_shape=(32, 32, 3),
        latent_dim=128,
        w_dim=128,
        mapping_layers=8,
        mapping_lr_multiplier=0.01,
        generator_filters=64,
        discriminator_filters=64,
        mixing_prob=0.9,
        r1_gamma=0.1,
        minibatch_stddev=True,
        ema_rampup=0.05,
        discriminator=None,
        seed=None,
        **kwargs,
    ):
        image_shape = check_resolution(image_shape)
        seed = check_seed(seed)
        mixing_prob = check_number(mixing_prob, "mixing_prob", minimum=0.0)
        if mixing_prob > 1.0:
            raise ValueError(f"`mixing_prob` must be in [0, 1]; received {mixing_prob}.")
        r1_gamma = check_number(r1_gamma, "r1_gamma", minimum=0.0)
        if ema_rampup is not None:
            ema_rampup = check_number(ema_rampup, "ema_rampup", minimum=0.0, inclusive=False)
        generator = StyleGenerator(
            image_shape=image_shape,
            latent_dim=latent_dim,
            w_dim=w_dim,
            mapping_layers=mapping_layers,
            mapping_lr_multiplier=mapping_lr_multiplier,
            filters=generator_filters,
            seed=seed,
            name="generator",
        )
        custom = discriminator is not None
        if isinstance(discriminator, dict):
            discriminator = keras.saving.deserialize_keras_object(discriminator)
        if discriminator is None:
            discriminator = stylegan_discriminator(
                image_shape,
                filters=check_positive_int(discriminator_filters, "discriminator_filters"),
                minibatch_stddev=bool(minibatch_stddev),
                seed=seed,
            )
        self._family_config = {
            "image_shape": image_shape,
            "latent_dim": generator.latent_dim,
            "w_dim": generator.w_dim,
            "mapping_layers": generator.mapping_layers,
            "mapping_lr_multiplier": generator.mapping_lr_multiplier,
            "generator_filters": generator.filters,
            "discriminator_filters": discriminator_filters,
            "mixing_prob": mixing_prob,
            "r1_gamma": r1_gamma,
            "minibatch_stddev": bool(minibatch_stddev),
            "ema_rampup": ema_rampup,
            "discriminator": (
                keras.saving.serialize_keras_object(discriminator) if custom else None
            ),
        }
        super().__init__(
            generator, discriminator, latent_dim=generator.latent_dim, seed=seed, **kwargs
        )
        self.image_shape = image_shape
        self.mixing_prob = mixing_prob
        self.r1_gamma = r1_gamma
        self.ema_rampup = ema_rampup
        self._sampling = _Holder(truncation=1.0, noise="random")

    @property
    def num_ws(self):
        return self.generator.num_ws

    def default_optimizer(self, network="generator"):
        """StyleGAN2's Adam: lr 0.002, betas (0, 0.99), for both networks
        (whose weights have equalized learning rates)."""
        return keras.optimizers.Adam(learning_rate=2e-3, beta_1=0.0, beta_2=0.99)

    def compile(self, *args, ema_decay="default", **kwargs):
        """`GAN.compile`, with `ema_decay=0.999` unless given (None turns it off).

        With `ema_rampup` (the constructor's, 0.05 by default) the EMA's
        half-life is at most `ema_rampup` times the steps trained so far, as
        StyleGAN2's ramp-up: the decay of step `t` is
        `min(ema_decay, 0.5 ** (1 / (ema_rampup * t)))`. A plain 0.999 EMA
        keeps `0.999^t` of the initial weights (41% after 900 steps), and
        sampled nearly blank images after short runs.
        """
        if isinstance(ema_decay, str) and ema_decay == "default":
            ema_decay = self.default_ema_decay
        super().compile(*args, ema_decay=ema_decay, **kwargs)
        ema = self._state.ema
        if ema is not None and self.ema_rampup is not None:
            self._state.ema = _RampedEMA(
                self.generator, self.ema_generator, ema.decay, self.ema_rampup, self.optimizer
            )

    # ----------------------------------------------------------------- hooks
    def mixed_styles(self, w1, w2, crossover):
        """Per-layer styles: `w1` for layers `< crossover`, `w2` from there on.

        `crossover` is an int or a `(batch,)` tensor in `[0, num_ws]`.
        """
        layer = ops.arange(self.num_ws)[None, :, None]
        crossover = ops.reshape(ops.cast(crossover, "int32"), (-1, 1, 1))
        return ops.where(layer < crossover, w1[:, None, :], w2[:, None, :])

    def call_generator(self, z, labels=None, training=False):
        g = self.generator
        if not training:
            w = g.mapping(z)
            psi = self._sampling.truncation
            if psi != 1.0:
                w = g.truncate(w, psi)
            return g.synthesis(g.broadcast(w), noise=self._sampling.noise)
        w = g.mapping(z, training=True)
        g.update_w_avg(w)
        ws = g.broadcast(w)
        if self.mixing_prob > 0 and self.num_ws > 1:
            batch = ops.shape(z)[0]
            z2 = self.sample_latent(batch)
            w2 = g.mapping(z2, training=True)
            cut = keras.random.randint((), 1, self.num_ws, seed=self.seed_generator)
            mix = keras.random.uniform((), seed=self.seed_generator) < self.mixing_prob
            cut = ops.where(mix, cut, self.num_ws)
            ws = self.mixed_styles(w, w2, ops.broadcast_to(cut, (batch,)))
        return g.synthesis(ws, noise="random", training=True)

    def discriminator_loss(self, step):
        loss = super().discriminator_loss(step)
        if self.r1_gamma == 0:
            return loss, {"r1": ops.zeros(())}

        def critic(x):
            return self.discriminator_logits(self.call_discriminator(x, step.labels, training=True))

        r1 = r1_penalty(critic, step.real)
        return loss + 0.5 * self.r1_gamma * r1, {"r1": r1}

    # -------------------------------------------------------------- sampling
    def generate(
        self,
        n=None,
        z=None,
        labels=None,
        batch_size=256,
        use_ema=None,
        truncation=1.0,
        noise="random",
    ):
        """`GAN.generate` with the truncation trick and a choice of noise.

        Args:
            truncation: psi: `w = w_avg + psi * (w - w_avg)`; 1 leaves w as
                it is, 0 gives the image of the average w for every z.
            noise: `"random"`, `"const"` (the same noise images for every
                call) or `"none"`.
            n, z, labels, batch_size, use_ema: as in `GAN.generate`.
        """
        truncation = check_number(truncation, "truncation")
        if noise not in NOISE_MODES:
            raise ValueError(f"`noise` must be one of {NOISE_MODES}; received {noise!r}.")
        old = (self._sampling.truncation, self._sampling.noise)
        self._sampling.truncation, self._sampling.noise = truncation, noise
        try:
            return super().generate(n=n, z=z, labels=labels, batch_size=batch_size, use_ema=use_ema)
        finally:
            self._sampling.truncation, self._sampling.noise = old

    def style_mix(self, z1, z2, crossover, truncation=1.0, noise="const", use_ema=None):
        """Images whose layers `< crossover` take their style from `z1`, the rest from `z2`.

        Coarse styles (pose, shape) sit in the first layers, fine ones
        (colour, texture) in the last: `crossover` near 0 keeps little of
        `z1`, near `num_ws` nearly all of it. Returns numpy, one image per
        pair of rows.
        """
        z1 = np.asarray(z1, dtype="float32")
        z2 = np.asarray(z2, dtype="float32")
        if z1.shape != z2.shape or z1.ndim != 2 or z1.shape[1] != self.latent_dim:
            raise ValueError(
                f"`z1` and `z2` must both have shape (n, {self.latent_dim}); received "
                f"{z1.shape} and {z2.shape}."
            )
        if not isinstance(crossover, (int, np.integer)) or not 0 <= crossover <= self.num_ws:
            raise ValueError(
                f"`crossover` must be an int in [0, {self.num_ws}]; received {crossover!r}."
            )
        with backend.inference_mode(), self._sampling_generator(use_ema):
            g = self.generator
            w1, w2 = g.truncate(g.mapping(z1), truncation), g.truncate(g.mapping(z2), truncation)
            ws = self.mixed_styles(w1, w2, crossover)
            return ops.convert_to_numpy(g.synthesis(ws, noise=noise))

    def get_config(self):
        config = super().get_config()
        if config.get("discriminator") is None:
            config.pop("discriminator", None)
        return config
