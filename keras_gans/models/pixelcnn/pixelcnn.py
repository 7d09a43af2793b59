"""`PixelCNN`: an autoregressive model of binary images (van den Oord et al., 2016)."""

import keras
import numpy as np
from keras import layers, ops

from keras_gans.layers.masked_conv2d import MaskedConv2D
from keras_gans.models.likelihood import (
    LikelihoodModel,
    bernoulli_nll,
    check_binary,
    check_image_shape,
    check_n,
    numpy_bernoulli_nll,
)
from keras_gans.utils import check_positive_int, check_seed


def _shift_down(x):
    """Moves every row one down (a zero row enters at the top)."""
    padded = ops.pad(x, ((0, 0), (1, 0), (0, 0), (0, 0)))
    return padded[:, :-1]


def _gate(x):
    a, b = ops.split(x, 2, axis=-1)
    return ops.tanh(a) * ops.sigmoid(b)


class AutoregressiveModel(LikelihoodModel):
    """What PixelCNN and PixelRNN share: the exact NLL as loss, `nll`, `sample`.

    `model(x)` maps binary images `(batch, height, width, 1)` to per-pixel
    Bernoulli logits of the same shape; the logit at pixel `i` (raster
    order) depends only on pixels `j < i`, so
    `p(x) = prod_i sigmoid(+-logit_i)` is exact and
    `-log p(x) = bernoulli_nll(model(x), x)` in nats.
    """

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The mean over the batch of each image's exact NLL in nats."""
        images = self._images(x)
        loss = ops.mean(bernoulli_nll(y_pred, images))
        for term in self.losses:
            loss = loss + self._aggregate_additional_loss(term)
        return loss

    def nll(self, x, batch_size=256):
        """Per-image negative log-likelihood in nats, as float64 numpy.

        `x`: binary images in {0, 1}. The mean over a test set is the figure
        the PixelRNN paper reports for binarized MNIST (in nats); divide by
        `height * width * ln 2` for bits per dimension (`bits_per_dim`).
        """
        x = check_binary(x, self.image_shape)
        batch_size = check_positive_int(batch_size, "batch_size")
        out = []
        for start in range(0, len(x), batch_size):
            chunk = x[start : start + batch_size]
            out.append(numpy_bernoulli_nll(self.predict_on_batch(chunk), chunk))
        return np.concatenate(out)

    def sample(self, n, seed=None, batch_size=256):
        """Draws `n` binary images pixel by pixel in raster order, as float32 {0, 1}.

        Each pixel costs one forward pass of the whole network (`height *
        width` passes per batch). `seed` fixes the draws (numpy).
        """
        n = check_n(n)
        batch_size = check_positive_int(batch_size, "batch_size")
        rng = np.random.default_rng(check_seed(seed))
        height, width, channels = self.image_shape
        out = []
        for start in range(0, n, batch_size):
            m = min(batch_size, n - start)
            x = np.zeros((m, height, width, channels), dtype="float32")
            for i in range(height):
                for j in range(width):
                    logits = np.asarray(self.predict_on_batch(x)[:, i, j, :], dtype="float64")
                    p = 1.0 / (1.0 + np.exp(-logits))
                    x[:, i, j, :] = (rng.random(p.shape) < p).astype("float32")
            out.append(x)
        return np.concatenate(out, axis=0)

    def generate(self, n, seed=None, batch_size=256):
        """`sample(n)` mapped to [-1, 1], the range GAN samples and
        `keras_gans.metrics` use."""
        return self.sample(n, seed=seed, batch_size=batch_size) * 2.0 - 1.0


@keras.saving.register_keras_serializable(package="keras_gans")
class PixelCNN(AutoregressiveModel):
    """PixelCNN for binary one-channel images, plain or gated.

    `gated=False` (van den Oord et al., 2016a, "Pixel Recurrent Neural
    Networks", section 3.5): a 7x7 convolution with mask A, then residual
    blocks (1x1, 3x3 with mask B, 1x1) with ReLUs, then two 1x1 layers to one
    logit per pixel.

    `gated=True` (van den Oord et al., 2016b, "Conditional Image Generation
    with PixelCNN Decoders"): a vertical stack (rows above, kernel k x k) and
    a horizontal stack (pixels to the left, kernel 1 x k, mask A in the first
    layer, B later), joined by a 1x1 convolution of the vertical stack shifted
    down one row, with gated activations `tanh(a) * sigmoid(b)` and residual
    connections in the horizontal stack. It has no blind spot.

    Train with `fit` on binary images (pixels in {0, 1}; see
    `keras_gans.datasets.binarize`); the loss is the exact NLL in nats per
    image. `model(x)` returns per-pixel logits of shape `x.shape`.

    Args:
        image_shape: `(height, width, 1)`.
        filters: channels of the hidden layers.
        num_layers: residual blocks (plain) or gated layers.
        kernel_size: kernel of the gated layers and of the plain model's 3x3
            masked convolutions (odd).
        first_kernel_size: the first layer's kernel (7 in the papers).
        gated: the gated variant.
        seed: seed of the initial weights.

    Example:

    >>> model = PixelCNN(image_shape=(28, 28, 1), seed=0)
    >>> model.compile()
    >>> model.fit(binary_images, batch_size=64, epochs=10)  # doctest: +SKIP
    >>> model(np.zeros((2, 28, 28, 1))).shape
    (2, 28, 28, 1)
    """

    def __init__(
        self,
        image_shape=(28, 28, 1),
        filters=64,
        num_layers=5,
        kernel_size=3,
        first_kernel_size=7,
        gated=False,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.image_shape = check_image_shape(image_shape, channels=1)
        self.filters = check_positive_int(filters, "filters")
        self.num_layers = check_positive_int(num_layers, "num_layers")
        self.kernel_size = check_positive_int(kernel_size, "kernel_size")
        self.first_kernel_size = check_positive_int(first_kernel_size, "first_kernel_size")
        for arg, k in (("kernel_size", kernel_size), ("first_kernel_size", first_kernel_size)):
            if k % 2 == 0:
                raise ValueError(f"`{arg}` must be odd (a centred causal mask); received {k}.")
        self.gated = bool(gated)
        self.seed = check_seed(seed)
        init = keras.initializers.GlorotUniform(seed=self.seed)
        h = self.filters

        def conv(filters, kernel, mask=None, name=None):
            if mask is None:
                return layers.Conv2D(
                    filters, kernel, padding="same", kernel_initializer=init, name=name
                )
            return MaskedConv2D(filters, kernel, mask_type=mask, kernel_initializer=init, name=name)

        k, k0 = self.kernel_size, self.first_kernel_size
        if self.gated:
            self.v_convs, self.h_convs, self.v_to_h, self.h_out = [], [], [], []
            for i in range(self.num_layers):
                kv = k0 if i == 0 else k
                self.v_convs.append(conv(2 * h, (kv, kv), "V", f"vertical_{i}"))
                self.h_convs.append(conv(2 * h, (1, kv), "A" if i == 0 else "B", f"horizontal_{i}"))
                self.v_to_h.append(conv(2 * h, 1, name=f"vertical_to_horizontal_{i}"))
                self.h_out.append(conv(h, 1, name=f"horizontal_out_{i}"))
        else:
            self.first = conv(2 * h, k0, "A", "first")
            self.blocks = []
            for i in range(self.num_layers):
                self.blocks.append(
                    (
                        conv(h, 1, name=f"block_{i}_in"),
                        conv(h, k, "B", f"block_{i}_masked"),
                        conv(2 * h, 1, name=f"block_{i}_out"),
                    )
                )
        self.head = conv(h, 1, name="head")
        self.logits = layers.Conv2D(
            1,
            1,
            kernel_initializer=keras.initializers.GlorotUniform(seed=self.seed),
            name="logits",
        )
        # A symbolic call creates the weights without running the network.
        self(keras.KerasTensor((None, *self.image_shape)))

    def call(self, x, training=False):
        x = ops.cast(x, self.compute_dtype)
        if self.gated:
            v = h = x
            for i in range(self.num_layers):
                v_pre = self.v_convs[i](v)
                h_pre = self.h_convs[i](h) + self.v_to_h[i](_shift_down(v_pre))
                v = _gate(v_pre)
                h_new = self.h_out[i](_gate(h_pre))
                h = h_new if i == 0 else h + h_new
            out = h
        else:
            out = self.first(x)
            for conv_in, masked, conv_out in self.blocks:
                y = conv_in(ops.relu(out))
                y = masked(ops.relu(y))
                out = out + conv_out(ops.relu(y))
        out = self.head(ops.relu(out))
        return self.logits(ops.relu(out))

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "image_shape": self.image_shape,
            "filters": self.filters,
            "num_layers": self.num_layers,
            "kernel_size": self.kernel_size,
            "first_kernel_size": self.first_kernel_size,
            "gated": self.gated,
            "seed": self.seed,
        }
