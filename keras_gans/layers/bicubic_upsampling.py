"""`BicubicUpsampling`: fixed bicubic interpolation, the same numbers on every backend."""

import keras
import numpy as np
from keras import ops

from keras_gans.utils import check_positive_int


def _cubic(x, a=-0.5):
    x = abs(x)
    if x <= 1:
        return (a + 2) * x**3 - (a + 3) * x**2 + 1
    if x < 2:
        return a * x**3 - 5 * a * x**2 + 8 * a * x - 4 * a
    return 0.0


def bicubic_weights(scale):
    """`(scale, 5)` weights: output phase `k` from input offsets -2..2 (a = -0.5).

    Output pixel `i * scale + k` sits at input coordinate
    `i + (k + 0.5) / scale - 0.5` (pixel centres aligned, as Pillow, MATLAB
    and `tf.image.resize`); each row sums to 1.
    """
    scale = check_positive_int(scale, "scale")
    weights = np.zeros((scale, 5))
    for k in range(scale):
        d = (k + 0.5) / scale - 0.5
        weights[k] = [_cubic(j - d) for j in range(-2, 3)]
    return weights / weights.sum(axis=1, keepdims=True)


@keras.saving.register_keras_serializable(package="keras_gans")
class BicubicUpsampling(keras.layers.Layer):
    """Upsamples `(h, w, c)` to `(h * r, w * r, c)` by bicubic interpolation (a = -0.5).

    The cubic convolution kernel of Keys (1981) with a = -0.5, as Pillow's
    `BICUBIC`, MATLAB's `imresize` and `tf.image.resize`, applied along the
    height then the width with pixel centres aligned; borders repeat the edge
    pixel. Written with `keras.ops` slices, so every backend gives the same
    numbers (Keras' own `UpSampling2D(interpolation="bicubic")` follows each
    framework, and PyTorch's bicubic uses a = -0.75). No weights.

    Args:
        scale: the integer factor `r` (>= 1).
    """

    def __init__(self, scale=2, **kwargs):
        super().__init__(**kwargs)
        self.scale = check_positive_int(scale, "scale")
        self._weights = bicubic_weights(self.scale).tolist()

    def _along(self, x, axis):
        # Two edge copies on each side, then 5 shifted views of the original length.
        first = x[:, :1] if axis == 1 else x[:, :, :1]
        last = x[:, -1:] if axis == 1 else x[:, :, -1:]
        x = ops.concatenate([first, first, x, last, last], axis=axis)
        views = []
        for t in range(5):
            end = t - 4 if t < 4 else None
            views.append(x[:, t:end] if axis == 1 else x[:, :, t:end])
        phases = [sum(w * v for w, v in zip(row, views) if w != 0) for row in self._weights]
        out = ops.stack(phases, axis=axis + 1)
        shape = ops.shape(out)
        if axis == 1:
            return ops.reshape(out, (-1, shape[1] * self.scale, shape[3], shape[4]))
        return ops.reshape(out, (-1, shape[1], shape[2] * self.scale, shape[4]))

    def call(self, inputs):
        if self.scale == 1:
            return inputs
        return self._along(self._along(inputs, 1), 2)

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        r = self.scale
        return (b, None if h is None else h * r, None if w is None else w * r, c)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}
