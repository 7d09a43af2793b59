"""`LumaChromaToRGB`: RGB from a luminance and a chrominance (BT.601 YCbCr), in [-1, 1]."""

import keras
from keras import ops

# R, G, B = Y + sum(coefficient * chroma): rows (Cb, Cr), columns (R, G, B). The
# inverse of Y = 0.299 R + 0.587 G + 0.114 B, Cb = (B - Y) / 1.772, Cr = (R - Y) / 1.402
# (full-range BT.601, as JPEG).
CHROMA_TO_RGB = ((0.0, -0.114 * 1.772 / 0.587, 1.772), (1.402, -0.299 * 1.402 / 0.587, 0.0))


@keras.saving.register_keras_serializable(package="keras_gans")
class LumaChromaToRGB(keras.layers.Layer):
    """Maps `[luma (h, w, 1), chroma (h, w, 2)]` to RGB `(h, w, 3)`, clipped to [-1, 1].

    Full-range BT.601 YCbCr (JPEG's): the luma is `0.299 R + 0.587 G + 0.114
    B` in the images' [-1, 1] units, and the chroma `(Cb, Cr) = ((B - Y) /
    1.772, (R - Y) / 1.402)` doubled to the same units (so each lies in
    [-1, 1] and zero chroma is grey). The luma of the output equals the input
    luma wherever no channel is clipped. No weights.
    """

    def call(self, inputs):
        luma, chroma = inputs
        rgb = luma + ops.matmul(chroma, ops.convert_to_tensor(CHROMA_TO_RGB, dtype=chroma.dtype))
        return ops.clip(rgb, -1.0, 1.0)

    def compute_output_shape(self, input_shapes):
        return (*input_shapes[0][:-1], 3)
