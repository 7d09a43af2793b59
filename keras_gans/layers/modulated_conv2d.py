"""`ModulatedConv2D`: StyleGAN2's style-modulated, demodulated convolution."""

import math

import keras
from keras import ops

from keras_gans.utils import check_positive_int


@keras.saving.register_keras_serializable(package="keras_gans")
class ModulatedConv2D(keras.layers.Layer):
    """A convolution whose kernel each sample scales by its own style (Karras et al., 2020).

    Called on `[x, styles]` with `x` of shape `(batch, height, width, in)` and
    `styles` of shape `(batch, in)`. Per sample `b` the kernel is
    `w'[..., i, o] = w[..., i, o] * s[b, i]` (modulation) and, with
    `demodulate=True`, divided by `sqrt(sum_{kh, kw, i} w'[..., i, o]^2 + eps)`
    (demodulation), which brings unit-variance inputs back to unit-variance
    outputs. Computed without grouped convolutions as StyleGAN2's non-fused
    path: `conv(x * s, w) * d`, which equals the per-sample convolution with
    `w'` exactly.

    Args:
        filters: output channels.
        kernel_size: odd int; "same" padding, stride 1.
        demodulate: divide by the modulated kernel's norm (False for toRGB).
        epsilon: added under the square root.
        kernel_initializer: initializer of the shared kernel.
        equalized: equalized learning rate (Karras et al., 2018): the stored
            kernel is multiplied by `1 / sqrt(kernel_size^2 * in)` in every
            call, so that a kernel initialized N(0, 1) gives unit-variance
            outputs and Adam moves every layer at the same relative speed.
            With demodulation the output does not depend on the kernel's
            scale, but its gradient does (it falls as 1 / scale); without
            demodulation (toRGB) the scale sets the output.
    """

    def __init__(
        self,
        filters,
        kernel_size=3,
        demodulate=True,
        epsilon=1e-8,
        kernel_initializer="he_normal",
        equalized=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = check_positive_int(filters, "filters")
        self.kernel_size = check_positive_int(kernel_size, "kernel_size")
        self.demodulate = bool(demodulate)
        self.epsilon = float(epsilon)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.equalized = bool(equalized)

    def build(self, input_shape):
        x_shape = input_shape[0]
        k = self.kernel_size
        self.kernel = self.add_weight(
            shape=(k, k, x_shape[-1], self.filters),
            initializer=self.kernel_initializer,
            name="kernel",
        )
        fan_in = k * k * int(x_shape[-1])
        self.weight_gain = 1.0 / math.sqrt(fan_in) if self.equalized else 1.0

    def effective_kernel(self):
        """The kernel the convolution uses: the stored one times `weight_gain`."""
        if self.weight_gain == 1.0:
            return self.kernel
        return self.kernel * self.weight_gain

    def demodulation(self, styles):
        """`1 / sqrt(sum (w * s)^2 + eps)` per sample and output channel: `(batch, filters)`."""
        w2 = ops.sum(ops.square(self.effective_kernel()), axis=(0, 1))  # (in, out)
        return ops.rsqrt(ops.matmul(ops.square(styles), w2) + self.epsilon)

    def call(self, inputs):
        x, styles = inputs
        styles = ops.cast(styles, x.dtype)
        kernel = ops.cast(self.effective_kernel(), x.dtype)
        out = ops.conv(x * styles[:, None, None, :], kernel, strides=1, padding="same")
        if self.demodulate:
            out = out * self.demodulation(styles)[:, None, None, :]
        return out

    def compute_output_shape(self, input_shape):
        return (*input_shape[0][:-1], self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "demodulate": self.demodulate,
                "epsilon": self.epsilon,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "equalized": self.equalized,
            }
        )
        return config
