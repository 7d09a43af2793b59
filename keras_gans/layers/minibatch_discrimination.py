"""`MinibatchDiscrimination`: lets the discriminator look at a whole batch."""

import keras
from keras import ops

from keras_gans.utils import check_positive_int


@keras.saving.register_keras_serializable(package="keras_gans")
class MinibatchDiscrimination(keras.layers.Layer):
    """Minibatch discrimination (Salimans et al., 2016, section 3.2).

    For features `f(x_i)` of shape `(batch, A)`, a learned tensor
    `T` of shape `(A, B, C)` gives `M_i = f(x_i) T` of shape `(B, C)`. For each of
    the `B` kernels, `c_b(x_i, x_j) = exp(-||M_i,b - M_j,b||_1)` and
    `o(x_i)_b = sum_j c_b(x_i, x_j)`, the sum running over the whole batch
    (`j = i` included, as in the paper: it adds 1). The layer outputs
    `concat([f(x_i), o(x_i)])` of shape `(batch, A + B)`, so the
    discriminator can tell a collapsed batch (samples close to each other)
    from a real one. Place it before the discriminator's last dense layer.

    Args:
        num_kernels: `B`, the number of closeness features added.
        kernel_dim: `C`, the size of each kernel's projection.
        kernel_initializer: initializer of `T`.
    """

    def __init__(
        self, num_kernels=100, kernel_dim=5, kernel_initializer="glorot_uniform", **kwargs
    ):
        super().__init__(**kwargs)
        self.num_kernels = check_positive_int(num_kernels, "num_kernels")
        self.kernel_dim = check_positive_int(kernel_dim, "kernel_dim")
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                "MinibatchDiscrimination takes flat features of shape (batch, "
                f"features); received shape {input_shape}. Flatten first."
            )
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.num_kernels * self.kernel_dim),
            initializer=self.kernel_initializer,
            name="kernel",
        )

    def call(self, inputs):
        m = ops.matmul(inputs, self.kernel)
        m = ops.reshape(m, (-1, self.num_kernels, self.kernel_dim))
        # (batch, 1, B, C) - (1, batch, B, C): L1 over C -> (batch, batch, B).
        l1 = ops.sum(ops.abs(ops.expand_dims(m, 1) - ops.expand_dims(m, 0)), axis=-1)
        closeness = ops.sum(ops.exp(-l1), axis=1)
        return ops.concatenate([inputs, ops.cast(closeness, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1] + self.num_kernels)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_kernels": self.num_kernels,
                "kernel_dim": self.kernel_dim,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            }
        )
        return config
