"""`RowLSTM`: PixelRNN's row-by-row LSTM layer (van den Oord et al., 2016)."""

import keras
from keras import ops

from keras_gans.layers.masked_conv2d import MaskedConv2D
from keras_gans.utils import check_positive_int


@keras.saving.register_keras_serializable(package="keras_gans")
class RowLSTM(keras.layers.Layer):
    """An LSTM that processes an image one row at a time, top to bottom.

    Section 3.1 of "Pixel Recurrent Neural Networks": the input-to-state
    part is a `1 x k` convolution with mask B over each row of the input
    (computed for all rows at once); the state-to-state part is a 1-D
    convolution of width `k` over the previous row's hidden state. Every
    pixel's state sees the rows above through a triangular receptive field
    and, through the masked input, the pixels to its left. Returns the
    hidden states, `(batch, height, width, units)`.

    Args:
        units: channels of the hidden and cell states.
        kernel_size: width `k` of both convolutions (odd; 3 in the paper).
        kernel_initializer: initializer of both kernels.
    """

    def __init__(self, units, kernel_size=3, kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.units = check_positive_int(units, "units")
        self.kernel_size = check_positive_int(kernel_size, "kernel_size")
        if self.kernel_size % 2 == 0:
            raise ValueError(f"`kernel_size` must be odd; received {kernel_size}.")
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.input_to_state = MaskedConv2D(
            4 * self.units,
            (1, self.kernel_size),
            mask_type="B",
            kernel_initializer=self.kernel_initializer,
            name="input_to_state",
        )

    def build(self, input_shape):
        self.input_to_state.build(input_shape)
        self.state_kernel = self.add_weight(
            shape=(self.kernel_size, self.units, 4 * self.units),
            initializer=self.kernel_initializer,
            name="state_kernel",
        )
        self.state_bias = self.add_weight(
            shape=(4 * self.units,), initializer="zeros", name="state_bias"
        )

    def call(self, x):
        gates_in = self.input_to_state(x)
        batch, width = ops.shape(x)[0], x.shape[2]
        h = ops.zeros((batch, width, self.units), dtype=x.dtype)
        c = ops.zeros((batch, width, self.units), dtype=x.dtype)
        rows = []
        for i in range(x.shape[1]):
            gates = (
                gates_in[:, i] + ops.conv(h, self.state_kernel, padding="same") + self.state_bias
            )
            i_gate, f_gate, o_gate, g = ops.split(gates, 4, axis=-1)
            c = ops.sigmoid(f_gate) * c + ops.sigmoid(i_gate) * ops.tanh(g)
            h = ops.sigmoid(o_gate) * ops.tanh(c)
            rows.append(h)
        return ops.stack(rows, axis=1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "kernel_size": self.kernel_size,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            }
        )
        return config
