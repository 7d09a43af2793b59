"""JAX core: one stateless train step over the whole model state.

Keras' JAX trainer calls `train_step(state, data) -> (logs, state)` inside
`jax.jit`. `run_train_step` opens ONE `keras.StatelessScope` mapping every
model, optimizer and metric variable to its value in `state`, runs the model's
stateful-looking `gan_train_step(data)` inside it, and reads the new values
back. Both optimizers' slots travel in the state because the model's optimizer
is a `keras.optimizers.MultiOptimizer` holding both.

`minimize` differentiates a pure function that maps every variable again in
an inner scope (the differentiated ones to the traced values, all others to
their current values in the outer scope: a nested scope does not fall back to
the outer one). Non-trainable values changed inside the loss (BatchNorm
statistics, seed state) are assigned back to the outer scope before the
optimizer applies the gradients. Variables are matched by identity, never by
list position.
"""

import contextlib

import jax
import jax.numpy as jnp
import keras

# The variables of the step being traced, in the order of the state.
_active = []


def _all_variables():
    if not _active:
        raise RuntimeError(
            "keras_gans.backend.minimize/input_gradient must be called inside "
            "a GAN train step (model.fit / train_on_batch) on the JAX backend."
        )
    return _active[-1]


def _current_values(variables):
    return [v.value for v in variables]


def minimize(loss_fn, variables, optimizer):
    variables = list(variables)
    diff_ids = {id(v) for v in variables}
    others = [v for v in _all_variables() if id(v) not in diff_ids]
    other_values = _current_values(others)

    def pure(diff_values):
        mapping = list(zip(variables, diff_values)) + list(zip(others, other_values))
        with keras.StatelessScope(state_mapping=mapping) as scope:
            loss, aux = loss_fn()
            # Loss scaling (a LossScaleOptimizer's dynamic scale; 1 otherwise).
            scaled = optimizer.scale_loss(loss)
        changed = {}
        for i, (v, old) in enumerate(zip(others, other_values)):
            new = scope.get_current_value(v)
            if new is not old:
                changed[i] = new
        return scaled, (loss, aux, changed)

    (_, (loss, aux, changed)), grads = jax.value_and_grad(pure, has_aux=True)(
        _current_values(variables)
    )
    for i, value in changed.items():
        others[i].assign(value)
    optimizer.apply(grads, variables)
    return loss, aux


def input_gradient(fn, x):
    """Gradient of `sum(fn(x))` w.r.t. `x`; variable updates inside are dropped."""
    everything = _all_variables()
    mapping = list(zip(everything, _current_values(everything)))

    def total(xx):
        with keras.StatelessScope(state_mapping=mapping):
            return jnp.sum(fn(xx))

    return jax.grad(total)(jnp.asarray(x))


def run_train_step(model, state, data):
    trainable, non_trainable, optimizer_vars, metric_vars = state
    groups = [
        model.trainable_variables,
        model.non_trainable_variables,
        model.optimizer.variables,
        model.metrics_variables,
    ]
    refs = [v for group in groups for v in group]
    values = [*trainable, *non_trainable, *optimizer_vars, *metric_vars]
    _active.append(refs)
    try:
        with keras.StatelessScope(state_mapping=list(zip(refs, values))) as scope:
            logs = model.gan_train_step(data)
    finally:
        _active.pop()
    new_state = []
    start = 0
    for group in groups:
        new_state.append(
            [
                _value_or(scope.get_current_value(v), old)
                for v, old in zip(group, values[start : start + len(group)])
            ]
        )
        start += len(group)
    return logs, tuple(new_state)


def _value_or(value, default):
    return default if value is None else value


def num_replicas():
    # Under `keras.distribution` the step sees global arrays: one replica.
    return 1


def draw_for_replica(draw, batch_size):
    return draw(batch_size)


def cross_replica_mean(value):
    return value


def data_parallel(devices=None):
    """A `keras.distribution.DataParallel` scope over `devices` (all by default).

    The train step is traced once over global arrays whose batch axis is
    sharded over the devices; XLA inserts the collectives, so losses, batch
    statistics and noise are those of the whole batch, as on one device.
    """
    return keras.distribution.DataParallel(devices=devices).scope()


def inference_mode():
    return contextlib.nullcontext()


def shard_batches(data, batch_size):
    # One process feeds the global batch; the distribution splits it.
    return data, batch_size
