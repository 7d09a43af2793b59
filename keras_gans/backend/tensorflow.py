"""TensorFlow core: gradients through `tf.GradientTape`; `tf.distribute` replicas.

Under a `tf.distribute` strategy (for example `MirroredStrategy`) Keras runs
the train step once per replica on that replica's slice of the global batch,
and the optimizer sums the replicas' gradients. To make a step over R
replicas the same as one step over the whole batch on one device:

- `minimize` differentiates `loss / R`, so the summed gradient is the
  gradient of the mean of the replicas' losses: for every term that is a
  mean over samples (the adversarial losses, gradient penalties, R1), that
  is the gradient of the global batch mean; for a term that does not depend
  on the batch (historical averaging) it is the term's own gradient.
- `draw_for_replica` draws the noise of the whole global batch (every
  replica draws the same, since they share the seed state) and keeps this
  replica's slice, so replica r sees exactly the noise rows that one device
  would give to its samples.
- `run_train_step` traces the step with every `BatchNormalization` layer
  synchronized (`synchronized=True`: statistics over the global batch), and
  restores the layers' setting afterwards, so saved models stay loadable on
  other backends.
- `cross_replica_mean` averages the logged loss terms over replicas.
"""

import contextlib
import threading

import keras
import tensorflow as tf


def _replica_context():
    """`(num_replicas, context)`; `(1, None)` outside a multi-replica step."""
    if not tf.distribute.has_strategy():
        return 1, None
    context = tf.distribute.get_replica_context()
    if context is None:
        return 1, None
    return int(context.num_replicas_in_sync), context


def num_replicas():
    return _replica_context()[0]


def minimize(loss_fn, variables, optimizer):
    replicas = num_replicas()
    with tf.GradientTape() as tape:
        loss, aux = loss_fn()
        scaled = loss if replicas == 1 else loss * tf.cast(1.0 / replicas, loss.dtype)
        scaled = optimizer.scale_loss(scaled)
    grads = tape.gradient(scaled, variables, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    optimizer.apply(grads, variables)
    return loss, aux


def input_gradient(fn, x):
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(fn(x))
    return tape.gradient(y, x)


def draw_for_replica(draw, batch_size):
    replicas, context = _replica_context()
    if replicas == 1:
        return draw(batch_size)
    full = draw(batch_size * replicas)
    start = context.replica_id_in_sync_group * batch_size
    return tf.nest.map_structure(lambda t: t[start : start + batch_size], full)


def cross_replica_mean(value):
    replicas, context = _replica_context()
    if replicas == 1:
        return value
    return context.all_reduce(tf.distribute.ReduceOp.MEAN, value)


def run_train_step(model, data):
    # Keras' TensorFlow trainer wraps this call in a `tf.function` and, under
    # a distribution strategy, traces it once per replica, in threads.
    if num_replicas() == 1:
        return model.gan_train_step(data)
    with _synchronized_batch_norm(model):
        return model.gan_train_step(data)


_sync_lock = threading.Lock()
_sync_users = {}


@contextlib.contextmanager
def _synchronized_batch_norm(model):
    """Every BatchNormalization layer of `model` synchronized while any replica traces.

    The replicas trace concurrently, so the first to enter switches the
    layers and the last to leave switches them back.
    """
    key = id(model)
    with _sync_lock:
        users, layers = _sync_users.get(key, (0, None))
        if users == 0:
            layers = [
                layer
                for layer in model._flatten_layers(include_self=False, recursive=True)
                if isinstance(layer, keras.layers.BatchNormalization) and not layer.synchronized
            ]
            for layer in layers:
                layer.synchronized = True
        _sync_users[key] = (users + 1, layers)
    try:
        yield
    finally:
        with _sync_lock:
            users, layers = _sync_users.pop(key)
            if users > 1:
                _sync_users[key] = (users - 1, layers)
            else:
                for layer in layers:
                    layer.synchronized = False


_strategies = {}


def data_parallel(devices=None):
    """A `tf.distribute.MirroredStrategy` scope over `devices` (all by default).

    One strategy per set of devices and process: a second `MirroredStrategy`
    over the same devices can mix up its collective operations with the
    first's (seen as "Shape mismatch in the collective instance" errors).
    """
    key = None if devices is None else tuple(devices)
    if key not in _strategies:
        _strategies[key] = tf.distribute.MirroredStrategy(devices=devices)
    return _strategies[key].scope()


def inference_mode():
    return contextlib.nullcontext()


def shard_batches(data, batch_size):
    # One process feeds the global batch; the distribution splits it.
    return data, batch_size


def model_parallel(model_axis=2, devices=None, min_kernel_size=4096, layout_map=None):
    raise NotImplementedError(
        "keras_gans.backend.model_parallel() shards kernels over a device mesh with "
        "keras.distribution.ModelParallel, which only Keras' JAX backend implements. "
        "Run with KERAS_BACKEND=jax (the .keras files load on any backend), or use "
        "data_parallel() on this backend."
    )
