"""Equalized learning rate layers (Karras et al., 2018): `EqualizedDense`, `EqualizedConv2D`."""

import math

import keras
from keras import ops

from keras_gans.utils import check_number, check_positive_int


def _normal(stddev, seed):
    return keras.initializers.RandomNormal(0.0, stddev, seed=seed)


class _Equalized(keras.layers.Layer):
    """Shared parts: weights stored as N(0, 1 / lr_multiplier), scaled at run time.

    The stored kernel is multiplied by `gain * lr_multiplier / sqrt(fan_in)`
    and the stored bias by `lr_multiplier` in every call. The initial
    effective kernel is then N(0, gain^2 / fan_in) whatever `lr_multiplier`,
    and an optimizer step of size `lr` on the stored weights moves the
    effective ones by `lr * lr_multiplier / sqrt(fan_in)`: every layer learns
    at the same relative speed under Adam, and `lr_multiplier` slows a layer
    down (StyleGAN's mapping network uses 0.01).
    """

    def __init__(
        self, gain=1.0, lr_multiplier=1.0, use_bias=True, bias_initializer=0.0, seed=None, **kw
    ):
        super().__init__(**kw)
        self.gain = check_number(gain, "gain", minimum=0.0, inclusive=False)
        self.lr_multiplier = check_number(
            lr_multiplier, "lr_multiplier", minimum=0.0, inclusive=False
        )
        self.use_bias = bool(use_bias)
        self.bias_initializer = check_number(bias_initializer, "bias_initializer")
        self.seed = seed

    def _make(self, kernel_shape, fan_in, units):
        self.weight_scale = self.gain * self.lr_multiplier / math.sqrt(fan_in)
        self.kernel = self.add_weight(
            shape=kernel_shape,
            initializer=_normal(1.0 / self.lr_multiplier, self.seed),
            name="kernel",
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(units,),
                initializer=keras.initializers.Constant(self.bias_initializer / self.lr_multiplier),
                name="bias",
            )

    def _add_bias(self, out):
        if self.bias is None:
            return out
        return out + ops.cast(self.bias, out.dtype) * self.lr_multiplier

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "gain": self.gain,
                "lr_multiplier": self.lr_multiplier,
                "use_bias": self.use_bias,
                "bias_initializer": self.bias_initializer,
                "seed": self.seed,
            }
        )
        return config


@keras.saving.register_keras_serializable(package="keras_gans")
class EqualizedDense(_Equalized):
    """A dense layer with an equalized learning rate.

    `y = x @ (kernel * gain * lr_multiplier / sqrt(in)) + bias * lr_multiplier`
    with the stored `kernel` drawn from N(0, 1 / lr_multiplier^2) and the
    stored bias `bias_initializer / lr_multiplier`.

    Args:
        units: output size.
        gain: scale of the effective kernel (1 for a linear layer; use the
            activation's gain on the activation, as StyleGAN does).
        lr_multiplier: relative learning rate of this layer.
        use_bias: add a bias.
        bias_initializer: initial value of the effective bias (a number;
            StyleGAN's style affines start at 1).
        seed: seed of the kernel's initializer.
    """

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = check_positive_int(units, "units")

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        self._make((fan_in, self.units), fan_in, self.units)

    def call(self, x):
        kernel = ops.cast(self.kernel, x.dtype) * self.weight_scale
        return self._add_bias(ops.matmul(x, kernel))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        config = super().get_config()
        config["units"] = self.units
        return config


@keras.saving.register_keras_serializable(package="keras_gans")
class EqualizedConv2D(_Equalized):
    """A stride-1, "same"-padded convolution with an equalized learning rate.

    As `EqualizedDense` with `fan_in = kernel_size^2 * in_channels`.

    Args:
        filters: output channels.
        kernel_size: odd int.
        gain, lr_multiplier, use_bias, bias_initializer, seed: as in
            `EqualizedDense`.
    """

    def __init__(self, filters, kernel_size=3, **kwargs):
        super().__init__(**kwargs)
        self.filters = check_positive_int(filters, "filters")
        self.kernel_size = check_positive_int(kernel_size, "kernel_size")

    def build(self, input_shape):
        k, channels = self.kernel_size, int(input_shape[-1])
        self._make((k, k, channels, self.filters), k * k * channels, self.filters)

    def call(self, x):
        kernel = ops.cast(self.kernel, x.dtype) * self.weight_scale
        return self._add_bias(ops.conv(x, kernel, strides=1, padding="same"))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        config = super().get_config()
        config.update({"filters": self.filters, "kernel_size": self.kernel_size})
        return config
