"""Regularizers of GAN training: gradient penalties, weight clipping, historical averaging.

Penalties take the critic as a callable and compute input gradients through
`keras_gans.backend.input_gradient`, so they run unchanged on every backend.
"""

import keras
from keras import ops

from keras_gans import backend


def _per_sample_norm(grads):
    # In float32 even under mixed precision: the 1e-12 (and squares of
    # small gradients) would vanish in float16.
    grads = ops.cast(grads, "float32")
    axes = tuple(range(1, len(grads.shape)))
    return ops.sqrt(ops.sum(ops.square(grads), axis=axes) + 1e-12)


def interpolate(real, fake, seed=None):
    """Random points on the lines between real and fake samples (WGAN-GP's x-hat).

    `x_hat = eps * real + (1 - eps) * fake` with one `eps ~ U[0, 1]` per sample.
    """
    ones = (1,) * (len(real.shape) - 1)
    # Under tf.distribute, each replica keeps its rows of the global draw.
    eps = backend.draw_for_replica(
        lambda n: keras.random.uniform((n,) + ones, seed=seed, dtype=real.dtype),
        ops.shape(real)[0],
    )
    return eps * real + (1.0 - eps) * ops.cast(fake, real.dtype)


def gradient_penalty(critic, real, fake, seed=None, target=1.0):
    """The WGAN-GP penalty (Gulrajani et al., 2017), without its weight lambda.

    `mean((||grad_x critic(x_hat)||_2 - target)^2)` over interpolates `x_hat`
    of `real` and `fake` (see `interpolate`). Multiply by lambda (10 in the
    paper) and add it to the critic's loss.

    Args:
        critic: a callable from samples to scores (one per sample).
        real, fake: batches of the same shape.
        seed: a `keras.random.SeedGenerator` (or int) for the interpolation.
        target: the gradient norm aimed at (1 in the paper).
    """
    x_hat = interpolate(real, fake, seed=seed)
    grads = backend.input_gradient(critic, x_hat)
    return ops.mean(ops.square(_per_sample_norm(grads) - target))


def r1_penalty(critic, real):
    """The R1 penalty (Mescheder et al., 2018) without its weight gamma/2.

    `mean(||grad_x critic(x)||^2)` on real samples.
    """
    grads = ops.cast(backend.input_gradient(critic, real), "float32")
    axes = tuple(range(1, len(grads.shape)))
    return ops.mean(ops.sum(ops.square(grads), axis=axes))


def clip_weights(variables, clip_value):
    """Clips every variable into `[-clip_value, clip_value]` (WGAN, Arjovsky et al.)."""
    for v in variables:
        v.assign(ops.clip(v, -clip_value, clip_value))


class HistoricalAveraging(keras.layers.Layer):
    """Running means of parameters and the penalty on the distance to them.

    Historical averaging (Salimans et al., 2016) adds
    `weight * sum_i ||theta_i - mean_t(theta_i[t])||^2` to each network's loss,
    the mean running over the parameter values after every past update of
    that network (the initial values included). The running means are
    non-trainable variables of this layer, so they are saved with the model
    and travel in the JAX training state; `GAN.compile(historical_averaging=w)`
    creates one.

    Args:
        variables: the parameters to average (both networks' trainables).
        weight: the penalty's weight.
    """

    def __init__(self, variables, weight=1.0, **kwargs):
        super().__init__(**kwargs)
        self.weight = float(weight)
        self._index = {}
        self._means = []
        self._counts = []
        for i, v in enumerate(variables):
            mean = self.add_weight(
                shape=v.shape,
                dtype=v.dtype,
                initializer=_constant_of(v),
                trainable=False,
                name=f"mean_{i}",
            )
            count = self.add_weight(
                shape=(), dtype="float32", initializer="ones", trainable=False, name=f"count_{i}"
            )
            self._index[id(v)] = i
            self._means.append(mean)
            self._counts.append(count)
        self.built = True

    def _lookup(self, v):
        try:
            return self._index[id(v)]
        except KeyError:
            raise ValueError(
                f"Variable {v.path!r} has no historical average; averaging covers "
                "the variables given at construction."
            ) from None

    def penalty(self, variables):
        """`weight * sum ||v - running_mean(v)||^2` over `variables`."""
        total = 0.0
        for v in variables:
            mean = self._means[self._lookup(v)]
            total = total + ops.sum(ops.square(ops.cast(v, "float32") - ops.cast(mean, "float32")))
        return self.weight * total

    def update(self, variables):
        """Folds the variables' current values into their running means."""
        for v in variables:
            i = self._lookup(v)
            mean, count = self._means[i], self._counts[i]
            new_count = count + 1.0
            mean.assign(mean + (ops.cast(v, mean.dtype) - mean) / ops.cast(new_count, mean.dtype))
            count.assign(new_count)

    def means(self, variables):
        """The running means of `variables`, as tensors."""
        return [self._means[self._lookup(v)].value for v in variables]


def _constant_of(variable):
    value = ops.convert_to_numpy(variable.value).copy()

    def initializer(shape, dtype=None):
        return ops.cast(ops.convert_to_tensor(value), dtype or variable.dtype)

    return initializer
