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
        unroll: `False` (default): `keras.ops.scan` over the rows (one
            compiled loop body, so compiling under JAX or TensorFlow does
            not grow with the height); `True`: a Python loop, unrolled into
            the graph. Both give the same values.
    """

    def __init__(
        self, units, kernel_size=3, kernel_initializer="glorot_uniform", unroll=False, **kwargs
    ):
        super().__init__(**kwargs)
        if not isinstance(unroll, bool):
            raise TypeError(f"`unroll` must be a bool; received {unroll!r}.")
        self.unroll = unroll
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
        # (height, batch, width, gates): the loop runs over the rows.
        gates_in = ops.transpose(self.input_to_state(x), (1, 0, 2, 3))
        kernel = ops.cast(self.state_kernel, gates_in.dtype)
        bias = ops.cast(self.state_bias, gates_in.dtype)

        def step(carry, gates_row):
            h, c = carry
            gates = gates_row + ops.conv(h, kernel, padding="same") + bias
            i_gate, f_gate, o_gate, g = ops.split(gates, 4, axis=-1)
            c = ops.sigmoid(f_gate) * c + ops.sigmoid(i_gate) * ops.tanh(g)
            h = ops.sigmoid(o_gate) * ops.tanh(c)
            return (h, c), (h, c)

        zeros = ops.zeros_like(gates_in[0, ..., : self.units])
        if self.unroll:
            carry, rows = (zeros, zeros), []
            for i in range(x.shape[1]):
                carry, _ = step(carry, gates_in[i])
                rows.append(carry[0])
            return ops.stack(rows, axis=1)
        # The loop body returns the carry as its output (TensorFlow's scan
        # wants outputs shaped like the carry).
        _, (hs, _) = ops.scan(step, (zeros, zeros), gates_in, length=x.shape[1])
        return ops.transpose(hs, (1, 0, 2, 3))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "kernel_size": self.kernel_size,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "unroll": self.unroll,
            }
        )
        return config
