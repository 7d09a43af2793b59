"""`MinibatchStdDev`: the minibatch standard deviation feature (Karras et al., 2018)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_gans")
class MinibatchStdDev(keras.layers.Layer):
    """Appends one feature map: the batch's mean standard deviation.

    For `x` of shape `(batch, height, width, channels)`: the standard
    deviation of every feature over the batch, averaged over height, width
    and channels, broadcast to one extra channel. A discriminator that sees
    it can tell a batch of near-identical samples (mode collapse) from a
    real batch. Over the whole batch (ProGAN's form), so any batch size
    works; a batch of one gives 0.
    """

    def __init__(self, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)

    def call(self, x):
        variance = ops.var(ops.cast(x, "float32"), axis=0)
        std = ops.mean(ops.sqrt(variance + self.epsilon))
        shape = ops.shape(x)
        feature = ops.cast(ops.broadcast_to(std, (shape[0], shape[1], shape[2], 1)), x.dtype)
        return ops.concatenate([x, feature], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 1)

    def get_config(self):
        config = super().get_config()
        config["epsilon"] = self.epsilon
        return config
