"""`VirtualBatchNormalization` and `ReferenceBatch`: normalization by a fixed reference batch."""

import keras
import numpy as np
from keras import ops

from keras_gans.utils import check_positive_int, check_seed


@keras.saving.register_keras_serializable(package="keras_gans")
class VirtualBatchNormalization(keras.layers.Layer):
    """Virtual batch normalization (Salimans et al., 2016, section 3.4).

    Each example is normalized with the statistics of a fixed *reference
    batch* plus the example itself, never with the other examples of its
    batch, so one sample's output does not depend on which samples share its
    batch. The first `reference_size` rows of the input are the reference
    batch (a `ReferenceBatch` wrapper puts them there); they are normalized
    with their own statistics. Every other example `x` uses the statistics of
    the virtual batch `reference + {x}`:

        mean(x) = (R * mean_ref + mean_x) / (R + 1)
        var(x)  = (R * meansq_ref + meansq_x) / (R + 1) - mean(x)^2

    where means run over the batch and all axes but `axis` (so over space too
    for images), and R = `reference_size`. Then `gamma * (x - mean) /
    sqrt(var + epsilon) + beta`, as in batch normalization. Training and
    inference compute the same thing; there are no moving averages.

    Args:
        reference_size: rows of every input that form the reference batch.
        axis: the feature (channel) axis.
        epsilon: added to the variance.
        center, scale: learn `beta` / `gamma`.
    """

    def __init__(self, reference_size, axis=-1, epsilon=1e-5, center=True, scale=True, **kwargs):
        super().__init__(**kwargs)
        self.reference_size = check_positive_int(reference_size, "reference_size")
        self.axis = int(axis)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)

    def build(self, input_shape):
        rank = len(input_shape)
        axis = self.axis % rank
        if axis == 0:
            raise ValueError("`axis` cannot be the batch axis.")
        self._feature_axis = axis
        shape = (input_shape[axis],)
        self.gamma = (
            self.add_weight(shape=shape, initializer="ones", name="gamma") if self.scale else None
        )
        self.beta = (
            self.add_weight(shape=shape, initializer="zeros", name="beta") if self.center else None
        )

    def _broadcast(self, v, rank):
        shape = [1] * rank
        shape[self._feature_axis] = -1
        return ops.reshape(v, shape)

    def call(self, inputs):
        rank = len(inputs.shape)
        r = self.reference_size
        x = ops.cast(inputs, "float32")
        space = tuple(i for i in range(1, rank) if i != self._feature_axis)
        ref = x[:r]
        rest = x[r:]
        ref_axes = (0, *space)
        ref_mean = ops.mean(ref, axis=ref_axes, keepdims=True)
        ref_meansq = ops.mean(ops.square(ref), axis=ref_axes, keepdims=True)
        if space:
            ex_mean = ops.mean(rest, axis=space, keepdims=True)
            ex_meansq = ops.mean(ops.square(rest), axis=space, keepdims=True)
        else:
            ex_mean, ex_meansq = rest, ops.square(rest)
        w = 1.0 / (r + 1.0)
        mean = (1.0 - w) * ref_mean + w * ex_mean
        meansq = (1.0 - w) * ref_meansq + w * ex_meansq
        var = ops.maximum(meansq - ops.square(mean), 0.0)
        ref_var = ops.maximum(ref_meansq - ops.square(ref_mean), 0.0)
        out_ref = (ref - ref_mean) / ops.sqrt(ref_var + self.epsilon)
        out_rest = (rest - mean) / ops.sqrt(var + self.epsilon)
        out = ops.concatenate([out_ref, out_rest], axis=0)
        if self.gamma is not None:
            out = out * self._broadcast(ops.cast(self.gamma, "float32"), rank)
        if self.beta is not None:
            out = out + self._broadcast(ops.cast(self.beta, "float32"), rank)
        return ops.cast(out, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "reference_size": self.reference_size,
                "axis": self.axis,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
            }
        )
        return config


@keras.saving.register_keras_serializable(package="keras_gans")
class ReferenceBatch(keras.layers.Layer):
    """Runs a network on `concat([reference, inputs])` and drops the reference rows.

    The fixed reference batch (a non-trainable variable, saved with the
    model) reaches every `VirtualBatchNormalization` layer inside `network`
    as the first `reference_size` rows. For a generator the reference batch
    is a fixed draw of latent vectors (Salimans et al. draw it once at the
    start of training).

    Args:
        network: a single-input Keras model or layer with
            `VirtualBatchNormalization` layers of the same `reference_size`.
        reference: the reference batch, array `(reference_size, ...)`; or
            None to draw a standard normal one of `reference_size` rows of
            the network's input shape with `seed`.
        reference_size: rows of the reference batch when `reference` is None.
        seed: seed of that draw.
    """

    def __init__(self, network, reference=None, reference_size=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.network = network
        seed = check_seed(seed)
        input_shape = _input_shape(network)
        if reference is None:
            reference_size = check_positive_int(reference_size, "reference_size")
            rng = np.random.default_rng(seed)
            reference = rng.standard_normal((reference_size, *input_shape)).astype("float32")
        reference = np.asarray(reference, dtype="float32")
        if reference.ndim == 0 or tuple(reference.shape[1:]) != tuple(input_shape):
            raise ValueError(
                f"`reference` must have shape (reference_size, {', '.join(map(str, input_shape))})"
                f"; received shape {reference.shape}."
            )
        self.reference_size = int(reference.shape[0])
        self.seed = seed
        self.reference = self.add_weight(
            shape=reference.shape,
            initializer="zeros",
            trainable=False,
            name="reference",
        )
        self.reference.assign(reference)
        self.built = True

    def call(self, inputs, training=None):
        reference = ops.cast(self.reference, inputs.dtype)
        out = self.network(ops.concatenate([reference, inputs], axis=0), training=training)
        return out[self.reference_size :]

    def compute_output_spec(self, inputs, training=None):
        return self.network.compute_output_spec(inputs)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "network": keras.saving.serialize_keras_object(self.network),
                "reference_size": self.reference_size,
                "seed": self.seed,
            }
        )
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["network"] = keras.saving.deserialize_keras_object(
            config["network"], custom_objects=custom_objects
        )
        return cls(**config)


def _input_shape(network):
    try:
        shape = network.inputs[0].shape
    except (AttributeError, IndexError, TypeError, ValueError):
        raise ValueError(
            "ReferenceBatch needs a network with one known input (a functional "
            f"or Sequential model); received {type(network).__name__}."
        ) from None
    return tuple(shape[1:])
