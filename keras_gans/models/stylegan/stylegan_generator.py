"""StyleGAN2's generator at small scale: mapping network and synthesis network."""

import math

import keras
import numpy as np
from keras import layers, ops

from keras_gans.layers.equalized import EqualizedDense
from keras_gans.layers.modulated_conv2d import ModulatedConv2D
from keras_gans.utils import check_number, check_positive_int, check_seed

NOISE_MODES = ("random", "const", "none")


def check_resolution(image_shape, minimum=8):
    try:
        image_shape = tuple(int(s) for s in image_shape)
    except (TypeError, ValueError):
        raise TypeError(
            f"`image_shape` must be (height, width, channels); received {image_shape!r}."
        ) from None
    if len(image_shape) != 3 or image_shape[-1] < 1:
        raise ValueError(
            f"`image_shape` must be (height, width, channels); received {image_shape}."
        )
    size = image_shape[0]
    if image_shape[1] != size or size < minimum or size & (size - 1):
        raise ValueError(
            f"StyleGAN draws square images whose side is a power of two >= {minimum}; "
            f"received {image_shape}. Pad or resize the data (28x28 -> 32x32)."
        )
    return image_shape


def _lrelu(x):
    return ops.leaky_relu(x, negative_slope=0.2) * math.sqrt(2.0)


@keras.saving.register_keras_serializable(package="keras_gans")
class StyleGenerator(keras.Model):
    """z -> w (mapping) -> image (synthesis with per-layer styles and noise).

    Mapping: pixel-normalized z through `mapping_layers` dense layers with
    leaky ReLU to `w`, learning at `mapping_lr_multiplier` (0.01) times the
    synthesis network's rate. Synthesis: a learned constant 4x4 input; at 4x4 one
    modulated 3x3 convolution, then per doubling of the resolution a
    bilinear 2x upsampling and two modulated convolutions. Every
    convolution takes its own style `A_l(w_l)` (a dense layer, bias 1),
    adds per-pixel noise times a learned scale (initially 0) and a bias, and
    applies leaky ReLU. A toRGB layer (1x1 modulated convolution, no
    demodulation) at each resolution adds to the upsampled image of the
    previous one (skip architecture). There are `num_ws = 1 + 2 * log2(size / 4)`
    styles; each toRGB reuses the style of the convolution before it.

    Every weight has an equalized learning rate (`layers.EqualizedDense`,
    `ModulatedConv2D(equalized=True)`): stored N(0, 1), scaled by
    `1 / sqrt(fan_in)` at run time, with leaky ReLU's gain `sqrt(2)` applied
    to the activations, so that activations keep unit scale from the first
    step and Adam (lr 0.002) moves all layers at the same relative speed.

    `call(z)` maps and synthesizes with random noise. `mapping(z)`,
    `synthesis(ws, noise)` and `w_avg` (the running mean of `w`, used by the
    truncation trick) give access to the parts.

    Args:
        image_shape: `(size, size, channels)`, `size` a power of two >= 8.
        latent_dim: size of z.
        w_dim: size of w.
        mapping_layers: dense layers of the mapping network (8 in the paper).
        filters: channels of every synthesis layer.
        mapping_lr_multiplier: learning-rate multiplier of the mapping
            network (StyleGAN's 0.01; 1 trains it as fast as the rest).
        w_avg_decay: the decay of the running mean of w.
        seed: seed of the initial weights, the constant noise and the noise.
    """

    def __init__(
        self,
        image_shape=(32, 32, 3),
        latent_dim=128,
        w_dim=128,
        mapping_layers=8,
        filters=64,
        mapping_lr_multiplier=0.01,
        w_avg_decay=0.995,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.image_shape = check_resolution(image_shape)
        self.latent_dim = check_positive_int(latent_dim, "latent_dim")
        self.w_dim = check_positive_int(w_dim, "w_dim")
        self.mapping_layers = check_positive_int(mapping_layers, "mapping_layers")
        self.filters = check_positive_int(filters, "filters")
        self.mapping_lr_multiplier = check_number(
            mapping_lr_multiplier, "mapping_lr_multiplier", minimum=0.0, inclusive=False
        )
        self.w_avg_decay = check_number(w_avg_decay, "w_avg_decay", minimum=0.0)
        self.seed = check_seed(seed)
        self.seed_generator = keras.random.SeedGenerator(self.seed, name="noise_seed_generator")
        size, _, channels = self.image_shape
        rng_seed = 0 if self.seed is None else self.seed

        def seed_of(i):
            return None if self.seed is None else self.seed + i

        def init(i):
            return keras.initializers.RandomNormal(0.0, 1.0, seed=seed_of(i))

        self.mapping_dense = [
            EqualizedDense(
                self.w_dim,
                lr_multiplier=self.mapping_lr_multiplier,
                seed=seed_of(i),
                name=f"mapping_{i}",
            )
            for i in range(self.mapping_layers)
        ]
        self.resolutions = [4 * 2**i for i in range(int(math.log2(size // 4)) + 1)]
        # One entry per modulated convolution: (resolution, upsample first).
        self.conv_plan = [(4, False)]
        for res in self.resolutions[1:]:
            self.conv_plan += [(res, True), (res, False)]
        self.num_ws = len(self.conv_plan)
        f = self.filters
        self.const = self.add_weight(
            shape=(4, 4, f),
            # N(0, 1), as StyleGAN2's: demodulation keeps the scale of its
            # input, so this sets the scale of every activation; Keras's
            # default stddev 0.05 left them ~0.02, swamped by the biases.
            initializer=keras.initializers.RandomNormal(0.0, 1.0, seed=rng_seed),
            name="const",
        )
        self.styles, self.convs, self.noise_strengths, self.biases, self.const_noise = (
            [],
            [],
            [],
            [],
            [],
        )
        noise_rng = np.random.default_rng(rng_seed)
        for i, (res, _) in enumerate(self.conv_plan):
            self.styles.append(
                EqualizedDense(f, bias_initializer=1.0, seed=seed_of(100 + i), name=f"style_{i}")
            )
            self.convs.append(
                ModulatedConv2D(
                    f, 3, kernel_initializer=init(200 + i), equalized=True, name=f"conv_{i}"
                )
            )
            self.noise_strengths.append(
                self.add_weight(shape=(), initializer="zeros", name=f"noise_strength_{i}")
            )
            self.biases.append(self.add_weight(shape=(f,), initializer="zeros", name=f"bias_{i}"))
            fixed = noise_rng.standard_normal((res, res, 1)).astype("float32")
            self.const_noise.append(
                self.add_weight(
                    shape=(res, res, 1),
                    initializer=keras.initializers.Constant(fixed),
                    trainable=False,
                    name=f"const_noise_{i}",
                )
            )
        self.to_rgb_styles, self.to_rgb, self.to_rgb_biases = [], [], []
        for j in range(len(self.resolutions)):
            self.to_rgb_styles.append(
                EqualizedDense(
                    f, bias_initializer=1.0, seed=seed_of(300 + j), name=f"to_rgb_style_{j}"
                )
            )
            self.to_rgb.append(
                ModulatedConv2D(
                    channels,
                    1,
                    demodulate=False,
                    kernel_initializer=init(400 + j),
                    equalized=True,
                    name=f"to_rgb_{j}",
                )
            )
            self.to_rgb_biases.append(
                self.add_weight(shape=(channels,), initializer="zeros", name=f"to_rgb_bias_{j}")
            )
        self.upsample = layers.UpSampling2D(2, interpolation="bilinear")
        self.w_avg = self.add_weight(
            shape=(self.w_dim,), initializer="zeros", trainable=False, name="w_avg"
        )
        # A symbolic call creates the weights without running the network.
        self(keras.KerasTensor((None, self.latent_dim)))

    # -------------------------------------------------------------- mapping
    def mapping(self, z, training=False):
        """w from z: pixel norm, then the dense layers with leaky ReLU."""
        x = ops.cast(z, self.compute_dtype)
        x = x * ops.rsqrt(ops.mean(ops.square(x), axis=-1, keepdims=True) + 1e-8)
        for dense in self.mapping_dense:
            x = _lrelu(dense(x))
        return x

    def update_w_avg(self, w):
        """Moves `w_avg` towards the batch mean of `w` (training only)."""
        mean = ops.stop_gradient(ops.mean(ops.cast(w, "float32"), axis=0))
        d = self.w_avg_decay
        self.w_avg.assign(d * self.w_avg + (1.0 - d) * mean)

    def truncate(self, w, psi):
        """The truncation trick: `w_avg + psi * (w - w_avg)`."""
        return self.w_avg + psi * (w - self.w_avg)

    def broadcast(self, w):
        """`(batch, w_dim)` -> `(batch, num_ws, w_dim)`: the same w for every layer."""
        return ops.repeat(ops.expand_dims(w, 1), self.num_ws, axis=1)

    # ------------------------------------------------------------ synthesis
    def synthesis(self, ws, noise="random", training=False):
        """Images from per-layer styles `ws` of shape `(batch, num_ws, w_dim)`.

        `noise`: `"random"` (fresh per-pixel noise), `"const"` (a fixed noise
        image per layer, drawn once from the seed) or `"none"`.
        """
        if noise not in NOISE_MODES:
            raise ValueError(f"`noise` must be one of {NOISE_MODES}; received {noise!r}.")
        ws = ops.cast(ws, self.compute_dtype)
        batch = ops.shape(ws)[0]
        x = ops.broadcast_to(self.const, (batch, 4, 4, self.filters))
        image = None
        rgb_index = 0
        for i, (res, up) in enumerate(self.conv_plan):
            if up:
                x = self.upsample(x)
            x = self.convs[i]([x, self.styles[i](ws[:, i])])
            if noise == "random":
                n = keras.random.normal((batch, res, res, 1), seed=self.seed_generator)
                x = x + self.noise_strengths[i] * n
            elif noise == "const":
                x = x + self.noise_strengths[i] * self.const_noise[i]
            x = _lrelu(x + self.biases[i])
            last_of_resolution = i + 1 == len(self.conv_plan) or self.conv_plan[i + 1][0] != res
            if last_of_resolution:
                rgb = self.to_rgb[rgb_index]([x, self.to_rgb_styles[rgb_index](ws[:, i])])
                rgb = rgb + self.to_rgb_biases[rgb_index]
                image = rgb if image is None else self.upsample(image) + rgb
                rgb_index += 1
        return image

    def call(self, z, training=False):
        return self.synthesis(self.broadcast(self.mapping(z, training=training)), training=training)

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "image_shape": self.image_shape,
            "latent_dim": self.latent_dim,
            "w_dim": self.w_dim,
            "mapping_layers": self.mapping_layers,
            "filters": self.filters,
            "mapping_lr_multiplier": self.mapping_lr_multiplier,
            "w_avg_decay": self.w_avg_decay,
            "seed": self.seed,
        }
