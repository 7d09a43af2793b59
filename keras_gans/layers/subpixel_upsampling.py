"""`SubPixelUpsampling`: the efficient sub-pixel convolution's shuffle (Shi et al., 2016)."""

import keras
from keras import ops

from keras_gans.utils import check_positive_int


@keras.saving.register_keras_serializable(package="keras_gans")
class SubPixelUpsampling(keras.layers.Layer):
    """Rearranges `(h, w, c * r * r)` into `(h * r, w * r, c)` (depth to space).

    Output pixel `(h * r + i, w * r + j)` of channel `k` is input channel
    `(i * r + j) * c + k` at `(h, w)`: the channels form `r * r` groups of
    `c`, and group `i * r + j` fills offset `(i, j)` of every `r x r` block.
    This is TensorFlow's `depth_to_space` order (and PyTorch's
    `pixel_shuffle` for channels-last data), written with `keras.ops` so it
    runs on every backend. A convolution to `c * r * r` channels followed by
    this layer is SRGAN's upsampling block.

    Args:
        scale: the upsampling factor `r` (>= 1).

    Example:

    >>> x = np.arange(4, dtype="float32").reshape(1, 1, 1, 4)
    >>> SubPixelUpsampling(2)(x)[0, ..., 0]  # [[0, 1], [2, 3]]
    """

    def __init__(self, scale=2, **kwargs):
        super().__init__(**kwargs)
        self.scale = check_positive_int(scale, "scale")

    def call(self, inputs):
        r = self.scale
        shape = ops.shape(inputs)
        h, w, c = shape[1], shape[2], shape[3]
        if isinstance(c, int) and c % (r * r):
            raise ValueError(
                f"SubPixelUpsampling(scale={r}) needs channels divisible by {r * r}; received {c}."
            )
        out_c = c // (r * r)
        x = ops.reshape(inputs, (-1, h, w, r, r, out_c))
        x = ops.transpose(x, (0, 1, 3, 2, 4, 5))
        return ops.reshape(x, (-1, h * r, w * r, out_c))

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        r = self.scale
        if c is not None and c % (r * r):
            raise ValueError(
                f"SubPixelUpsampling(scale={r}) needs channels divisible by {r * r}; received {c}."
            )
        return (
            b,
            None if h is None else h * r,
            None if w is None else w * r,
            None if c is None else c // (r * r),
        )

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}
