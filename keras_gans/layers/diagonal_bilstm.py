"""`DiagonalBiLSTM`: PixelRNN's diagonal bidirectional LSTM layer (van den Oord et al., 2016)."""

import keras
import numpy as np
from keras import ops

from keras_gans.layers.masked_conv2d import MaskedConv2D
from keras_gans.utils import check_positive_int


def skew(x):
    """Shifts row `i` of `(batch, height, width, channels)` right by `i` places.

    Returns `(batch, height, width + height - 1, channels)` with
    `out[:, i, i + j] = x[:, i, j]` and zeros elsewhere, so that each
    diagonal `i + j = c` of `x` becomes column `c` of the output. Padding
    every row with `height` zeros, flattening the rows and cutting the
    flat map into rows one shorter moves row `i` right by `i`.
    """
    height, width, channels = x.shape[1:]
    x = ops.pad(x, ((0, 0), (0, 0), (0, height), (0, 0)))
    x = ops.reshape(x, (-1, height * (width + height), channels))
    x = x[:, : height * (width + height - 1)]
    return ops.reshape(x, (-1, height, width + height - 1, channels))


def unskew(x, width):
    """The inverse of `skew`: `out[:, i, j] = x[:, i, i + j]`, `j < width`."""
    height, skewed_width, channels = x.shape[1:]
    x = ops.reshape(x, (-1, height * skewed_width, channels))
    x = ops.pad(x, ((0, 0), (0, height), (0, 0)))
    x = ops.reshape(x, (-1, height, skewed_width + 1, channels))
    return x[:, :, :width]


def _shift_down(x):
    """Moves every row one down (a zero row enters at the top)."""
    return ops.pad(x, ((0, 0), (1, 0), (0, 0), (0, 0)))[:, :-1]


@keras.saving.register_keras_serializable(package="keras_gans")
class DiagonalBiLSTM(keras.layers.Layer):
    """Two LSTMs that sweep an image along its diagonals, one from each side.

    Section 3.2 of "Pixel Recurrent Neural Networks". Each direction:
    the input-to-state part is a 1x1 convolution with mask B (computed for
    the whole map at once); the map is skewed (`skew`) so that each
    diagonal becomes a column; the state-to-state part is a `2 x 1`
    convolution over the previous column's hidden state (the pixel above
    and the pixel to the left in the unskewed image), computed one column
    at a time; the hidden states are unskewed. The left LSTM sweeps left to
    right and sees the quadrant above and to the left of each pixel; the
    right LSTM runs on the mirrored map and sees the quadrant above and to
    the right, including pixels to the right in the same row, so its output
    is shifted down one row before it is added to the left one. The sum
    sees every earlier pixel in raster order (no blind spot) and nothing
    later: the output at a pixel depends on the input at that pixel and
    before it.

    The two directions run in the same loop, stacked on a leading axis.
    Returns `(batch, height, width, units)`.

    Args:
        units: channels of the hidden and cell states of each direction.
        kernel_initializer: initializer of the kernels.
        unroll: `False` (default): `keras.ops.scan` over the
            `height + width - 1` skewed columns (one compiled loop body);
            `True`: a Python loop, unrolled into the graph. Both give the
            same values; see `benchmarks/pixelrnn_speed.py` for what each
            costs to compile and run.
    """

    def __init__(self, units, kernel_initializer="glorot_uniform", unroll=False, **kwargs):
        super().__init__(**kwargs)
        self.units = check_positive_int(units, "units")
        if not isinstance(unroll, bool):
            raise TypeError(f"`unroll` must be a bool; received {unroll!r}.")
        self.unroll = unroll
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        # Both directions' gates from one convolution: the left LSTM's
        # 4 * units channels first, then the right LSTM's.
        self.input_to_state = MaskedConv2D(
            8 * self.units,
            1,
            mask_type="B",
            kernel_initializer=self.kernel_initializer,
            name="input_to_state",
        )

    def build(self, input_shape):
        self.input_to_state.build(input_shape)
        # [direction (left, right), row (above, same), state in, gates out].
        self.state_kernel = self.add_weight(
            shape=(2, 2, self.units, 4 * self.units),
            initializer=self.kernel_initializer,
            name="state_kernel",
        )
        self.state_bias = self.add_weight(
            shape=(2, 4 * self.units), initializer="zeros", name="state_bias"
        )

    def call(self, x):
        height, width = x.shape[1], x.shape[2]
        u = self.units
        left, right = ops.split(self.input_to_state(x), 2, axis=-1)
        # Directions stacked on the batch axis, the right one mirrored.
        gates_in = skew(ops.concatenate([left, ops.flip(right, axis=2)], axis=0))
        columns = height + width - 1
        gates_in = ops.reshape(gates_in, (2, -1, height, columns, 4 * u))
        # (columns, direction, batch, height, gates): the loop runs over axis 0.
        gates_in = ops.transpose(gates_in, (3, 0, 1, 2, 4))
        kernel = ops.reshape(self.state_kernel, (2, 2 * u, 4 * u))
        bias = ops.reshape(self.state_bias, (2, 1, 1, 4 * u))

        # Skewed column `col` holds row `i` of the image only where `i <= col`;
        # the states left of each row's start are held at zero, as if the
        # image were padded with zero states.
        started = np.arange(height)[None, :] <= np.arange(columns)[:, None]
        started = ops.convert_to_tensor(
            started.reshape(columns, 1, 1, height, 1), dtype=gates_in.dtype
        )

        def step(carry, inputs):
            (h, c), (gates_column, mask) = carry, inputs
            above = ops.pad(h, ((0, 0), (0, 0), (1, 0), (0, 0)))[:, :, :-1]
            state = ops.concatenate([above, h], axis=-1)
            gates = gates_column + ops.einsum("dbhk,dkg->dbhg", state, kernel) + bias
            i_gate, f_gate, o_gate, g = ops.split(gates, 4, axis=-1)
            c = ops.sigmoid(f_gate) * c + ops.sigmoid(i_gate) * ops.tanh(g)
            c = c * mask
            h = ops.sigmoid(o_gate) * ops.tanh(c)
            return (h, c), (h, c)

        zeros = ops.zeros_like(gates_in[0, ..., :u])
        if self.unroll:
            carry, hs = (zeros, zeros), []
            for col in range(columns):
                carry, _ = step(carry, (gates_in[col], started[col]))
                hs.append(carry[0])
            hs = ops.stack(hs, axis=0)
        else:
            # The loop body returns the carry as its output (TensorFlow's
            # scan wants outputs shaped like the carry).
            _, (hs, _) = ops.scan(step, (zeros, zeros), (gates_in, started), length=columns)
        hs = ops.transpose(hs, (1, 2, 3, 0, 4))
        hs = unskew(ops.reshape(hs, (-1, height, columns, u)), width)
        hs = ops.reshape(hs, (2, -1, height, width, u))
        return hs[0] + _shift_down(ops.flip(hs[1], axis=2))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "unroll": self.unroll,
            }
        )
        return config
