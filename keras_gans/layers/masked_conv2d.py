"""`MaskedConv2D`: a convolution that sees only earlier pixels (PixelCNN)."""

import keras
import numpy as np
from keras import ops

from keras_gans.utils import check_positive_int

MASK_TYPES = ("A", "B", "V")


def causal_mask(kernel_size, mask_type):
    """The spatial mask of a `(height, width)` kernel, as a float32 array.

    With the kernel's centre at `(height // 2, width // 2)`:
    - `"A"`: the rows above the centre and the pixels left of it (the first
      layer of a PixelCNN: a pixel never sees itself);
    - `"B"`: the same plus the centre (later layers: the centre holds
      features of earlier pixels only);
    - `"V"`: every row up to and including the centre row (the vertical stack
      of the gated PixelCNN; its output is shifted down one row before the
      horizontal stack reads it).
    """
    if mask_type not in MASK_TYPES:
        raise ValueError(f"`mask_type` must be one of {MASK_TYPES}; received {mask_type!r}.")
    kh, kw = kernel_size
    ch, cw = kh // 2, kw // 2
    mask = np.zeros((kh, kw), dtype="float32")
    if mask_type == "V":
        mask[: ch + 1, :] = 1.0
        return mask
    mask[:ch, :] = 1.0
    mask[ch, :cw] = 1.0
    if mask_type == "B":
        mask[ch, cw] = 1.0
    return mask


@keras.saving.register_keras_serializable(package="keras_gans")
class MaskedConv2D(keras.layers.Layer):
    """A stride-1 "same" convolution whose kernel is multiplied by a causal mask.

    The mask (see `causal_mask`) is spatial and the same for every pair of
    input and output channels, which makes the layer causal in raster order
    for one-channel images. Kernel sizes should be odd.

    Args:
        filters: output channels.
        kernel_size: an int or `(height, width)`.
        mask_type: `"A"`, `"B"` or `"V"` (see `causal_mask`).
        use_bias: add a bias.
        kernel_initializer, bias_initializer: as in `keras.layers.Conv2D`.
    """

    def __init__(
        self,
        filters,
        kernel_size,
        mask_type="B",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = check_positive_int(filters, "filters")
        if isinstance(kernel_size, int):
            kernel_size = (kernel_size, kernel_size)
        self.kernel_size = tuple(check_positive_int(k, "kernel_size") for k in kernel_size)
        if len(self.kernel_size) != 2:
            raise ValueError(f"`kernel_size` must be an int or a pair; received {kernel_size!r}.")
        self.mask_type = mask_type
        self.mask = causal_mask(self.kernel_size, mask_type)[:, :, None, None]
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def build(self, input_shape):
        channels = input_shape[-1]
        self.kernel = self.add_weight(
            shape=(*self.kernel_size, channels, self.filters),
            initializer=self.kernel_initializer,
            name="kernel",
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.filters,), initializer=self.bias_initializer, name="bias"
            )

    def call(self, inputs):
        kernel = self.kernel * ops.convert_to_tensor(self.mask, dtype=self.kernel.dtype)
        out = ops.conv(inputs, kernel, strides=1, padding="same")
        if self.use_bias:
            out = out + self.bias
        return out

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "mask_type": self.mask_type,
                "use_bias": self.use_bias,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            }
        )
        return config
