"""`PixelRNN`: Row LSTM and Diagonal BiLSTM models of binary images (van den Oord et al., 2016)."""

import keras
from keras import layers, ops

from keras_gans.layers.diagonal_bilstm import DiagonalBiLSTM
from keras_gans.layers.masked_conv2d import MaskedConv2D
from keras_gans.layers.row_lstm import RowLSTM
from keras_gans.models.likelihood import check_image_shape
from keras_gans.models.pixelcnn.pixelcnn import AutoregressiveModel
from keras_gans.utils import check_positive_int, check_seed

KINDS = ("row_lstm", "diagonal_bilstm")


@keras.saving.register_keras_serializable(package="keras_gans")
class PixelRNN(AutoregressiveModel):
    """PixelRNN with Row LSTM or Diagonal BiLSTM layers, for binary one-channel images.

    A 7x7 convolution with mask A, then `num_layers` recurrent layers with
    residual connections (each: the LSTM layer, then a 1x1 convolution back
    to the residual width, added to its input), then ReLU, a 1x1
    convolution, ReLU and a 1x1 convolution to one logit per pixel.
    `kind="row_lstm"` uses `RowLSTM` layers (a triangular receptive field
    above each pixel); `kind="diagonal_bilstm"` uses `DiagonalBiLSTM`
    layers (the whole context above and to the left; slower: its loop runs
    over `height + width - 1` diagonals instead of `height` rows). Training,
    `nll`, `sample` and `generate` are those of `PixelCNN` (exact NLL in
    nats).

    Args:
        image_shape: `(height, width, 1)`.
        units: LSTM state size (the residual stream has `2 * units`).
        num_layers: LSTM layers.
        kernel_size: width of the Row LSTM convolutions (3 in the paper);
            unused by the Diagonal BiLSTM, whose state-to-state kernel is
            always `2 x 1`.
        kind: `"row_lstm"` or `"diagonal_bilstm"`.
        seed: seed of the initial weights.

    Example:

    >>> model = PixelRNN(image_shape=(28, 28, 1), seed=0)
    >>> model(np.zeros((2, 28, 28, 1))).shape
    (2, 28, 28, 1)
    >>> model = PixelRNN(image_shape=(28, 28, 1), kind="diagonal_bilstm", seed=0)
    >>> model(np.zeros((2, 28, 28, 1))).shape
    (2, 28, 28, 1)
    """

    def __init__(
        self,
        image_shape=(28, 28, 1),
        units=32,
        num_layers=2,
        kernel_size=3,
        kind="row_lstm",
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.image_shape = check_image_shape(image_shape, channels=1)
        self.units = check_positive_int(units, "units")
        self.num_layers = check_positive_int(num_layers, "num_layers")
        self.kernel_size = check_positive_int(kernel_size, "kernel_size")
        if kind not in KINDS:
            raise ValueError(f"`kind` must be one of {KINDS}; received {kind!r}.")
        self.kind = kind
        self.seed = check_seed(seed)

        def init(i):
            return keras.initializers.GlorotUniform(
                seed=None if self.seed is None else self.seed + i
            )

        u = self.units
        self.first = MaskedConv2D(2 * u, 7, mask_type="A", kernel_initializer=init(0), name="first")
        if self.kind == "row_lstm":
            self.rnns = [
                RowLSTM(u, self.kernel_size, kernel_initializer=init(1 + i), name=f"row_lstm_{i}")
                for i in range(self.num_layers)
            ]
        else:
            self.rnns = [
                DiagonalBiLSTM(u, kernel_initializer=init(1 + i), name=f"diagonal_bilstm_{i}")
                for i in range(self.num_layers)
            ]
        self.projections = [
            layers.Conv2D(2 * u, 1, kernel_initializer=init(20 + i), name=f"residual_{i}")
            for i in range(self.num_layers)
        ]
        self.head = layers.Conv2D(u, 1, kernel_initializer=init(40), name="head")
        self.logits = layers.Conv2D(1, 1, kernel_initializer=init(41), name="logits")
        # A symbolic call creates the weights without running the network.
        self(keras.KerasTensor((None, *self.image_shape)))

    def call(self, x, training=False):
        out = self.first(ops.cast(x, self.compute_dtype))
        for rnn, projection in zip(self.rnns, self.projections):
            out = out + projection(rnn(out))
        out = self.head(ops.relu(out))
        return self.logits(ops.relu(out))

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "image_shape": self.image_shape,
            "units": self.units,
            "num_layers": self.num_layers,
            "kernel_size": self.kernel_size,
            "kind": self.kind,
            "seed": self.seed,
        }
