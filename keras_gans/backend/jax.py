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
import math

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


class _ShardedKernels(keras.distribution.ModelParallel):
    """`ModelParallel` whose default layout shards every big kernel's last axis.

    A variable named `kernel` (Dense, Conv, Conv2DTranspose and the families'
    own layers) with at least `min_kernel_size` entries and a last axis that
    divides over the `model` mesh axis is split on that axis; every other
    variable is replicated. Paths in `layout_map` take precedence.
    """

    def __init__(self, layout_map, min_kernel_size):
        super().__init__(layout_map=layout_map, batch_dim_name="data")
        self._min_kernel_size = min_kernel_size
        self._model_size = self.device_mesh.shape[1]

    def get_variable_layout(self, variable):
        if getattr(variable, "_layout", None) is not None:
            return variable._layout
        explicit = self._layout_map[variable.path]
        if explicit is not None:
            return explicit
        shape = tuple(variable.shape)
        axes = [None] * len(shape)
        if (
            variable.path.rsplit("/", 1)[-1] == "kernel"
            and len(shape) >= 2
            and math.prod(shape) >= self._min_kernel_size
            and shape[-1] % self._model_size == 0
        ):
            axes[-1] = "model"
        return keras.distribution.TensorLayout(axes, self.device_mesh)

    def get_tensor_layout(self, path):
        explicit = self._layout_map[path]
        if explicit is not None or not _active:
            return explicit
        # Inside a train step: every layer output split over `data` on its
        # batch axis and whole on the others (see `model_parallel`).
        return jax.sharding.NamedSharding(
            self.device_mesh.backend_mesh, jax.sharding.PartitionSpec("data")
        )


def model_parallel(model_axis=2, devices=None, min_kernel_size=4096, layout_map=None):
    """A `keras.distribution.ModelParallel` scope over a `(data, model)` device mesh.

    The devices (all by default) form a mesh of `len(devices) // model_axis`
    rows on the `data` axis, over which the batch is split, and `model_axis`
    columns on the `model` axis, over which every kernel of at least
    `min_kernel_size` entries whose last axis divides by `model_axis` is
    split (see `_ShardedKernels`). `layout_map` maps variable paths (regular
    expressions, as in `keras.distribution.LayoutMap`) to axis tuples such as
    `(None, "model")` that override that rule.
    """
    if devices is None:
        devices = keras.distribution.list_devices()
    devices = list(devices)
    if not (isinstance(model_axis, int) and model_axis >= 1):
        raise ValueError(f"`model_axis` must be a positive integer; received {model_axis!r}.")
    if len(devices) % model_axis:
        raise ValueError(
            f"{len(devices)} devices do not form a mesh with a model axis of {model_axis}: "
            "the number of devices must be a multiple of `model_axis`."
        )
    mesh = keras.distribution.DeviceMesh(
        shape=(len(devices) // model_axis, model_axis),
        axis_names=("data", "model"),
        devices=devices,
    )
    layouts = keras.distribution.LayoutMap(mesh)
    for path, axes in (layout_map or {}).items():
        layouts[path] = tuple(axes)
    return _ShardedKernels(layouts, min_kernel_size).scope()
