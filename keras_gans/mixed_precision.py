"""Dynamic loss scaling for a GAN's two networks under `mixed_float16`.

In float16, gradients smaller than about 6e-8 flush to zero. Loss scaling
multiplies a network's loss by a large factor before differentiation and
divides the gradients by it before the update, so small gradients survive
the float16 backward pass. The factor adapts: when any gradient is not
finite the update is skipped (weights and optimizer slots keep their values)
and the factor halves; after `growth_interval` finite steps in a row it
doubles. This is Keras' `LossScaleOptimizer` rule, which cannot be used here
because Keras refuses it inside the `MultiOptimizer` that carries both
networks' optimizers.

`GAN.compile` gives each network its own `DynamicLossScale` when the model
computes in float16 (`keras.mixed_precision.set_global_policy(
"mixed_float16")` before building it). `mixed_bfloat16` has float32's range
and needs none. Variables stay float32 under both policies.
"""

import keras
from keras import ops

from keras_gans import backend
from keras_gans.utils import check_number, check_positive_int


@keras.saving.register_keras_serializable(package="keras_gans")
class DynamicLossScale(keras.layers.Layer):
    """The loss scale of one network: a factor and a count of finite steps.

    Both are non-trainable float32 variables, so they are saved with the
    model and travel in the JAX training state.

    Args:
        initial_scale: the first factor (2**15, as in Keras).
        growth_interval: finite steps in a row after which the factor doubles.
    """

    def __init__(self, initial_scale=2.0**15, growth_interval=2000, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.initial_scale = check_number(initial_scale, "initial_scale", 0.0, inclusive=False)
        self.growth_interval = check_positive_int(growth_interval, "growth_interval")
        self.scale = self.add_weight(
            shape=(),
            dtype="float32",
            initializer=keras.initializers.Constant(self.initial_scale),
            trainable=False,
            name="scale",
        )
        self.good_steps = self.add_weight(
            shape=(), dtype="float32", initializer="zeros", trainable=False, name="good_steps"
        )
        self.built = True

    def get_config(self):
        config = super().get_config()
        config.update(initial_scale=self.initial_scale, growth_interval=self.growth_interval)
        return config


class ScaledUpdate:
    """What `keras_gans.backend.minimize` needs of an optimizer, with loss scaling.

    `scale_loss(loss)` multiplies by the current factor; `apply(grads,
    variables)` unscales the gradients and applies them with the wrapped
    optimizer, or, when any is not finite (on any replica), keeps every
    weight and optimizer variable as it was and halves the factor. All of it
    is written with `keras.ops` (no data-dependent Python branch), so it runs
    under jit on every backend.
    """

    def __init__(self, optimizer, loss_scale):
        self.optimizer = optimizer
        self.loss_scale = loss_scale

    def scale_loss(self, loss):
        return ops.cast(loss, "float32") * ops.convert_to_tensor(self.loss_scale.scale)

    def apply(self, grads, variables):
        ls = self.loss_scale
        scale = ops.convert_to_tensor(ls.scale)
        grads = [ops.cast(g, "float32") / scale for g in grads]
        finite = ops.all(ops.stack([ops.all(ops.isfinite(g)) for g in grads]))
        # Every replica must take the same decision.
        finite = backend.cross_replica_mean(ops.cast(finite, "float32")) > 0.5
        kept = list(variables) + list(self.optimizer.variables)
        before = [ops.copy(ops.convert_to_tensor(v)) for v in kept]
        safe = [ops.where(finite, g, ops.zeros_like(g)) for g in grads]
        self.optimizer.apply([ops.cast(g, v.dtype) for g, v in zip(safe, variables)], variables)
        for v, old in zip(kept, before):
            v.assign(ops.where(finite, ops.convert_to_tensor(v), old))
        good = ops.convert_to_tensor(ls.good_steps) + 1.0
        grow = ops.logical_and(finite, good >= ls.growth_interval)
        ls.scale.assign(ops.where(grow, scale * 2.0, ops.where(finite, scale, scale * 0.5)))
        ls.good_steps.assign(ops.where(ops.logical_and(finite, ops.logical_not(grow)), good, 0.0))
        return finite
