"""The only place in keras_gans that knows which framework runs.

Model code is written once with `keras.ops`; it asks this module for the few
things that differ per framework:

- `minimize(loss_fn, variables, optimizer)`: differentiate `loss_fn()` with
  respect to `variables` only and apply the gradients with `optimizer`.
  `loss_fn` takes no argument and returns `(loss, aux)`; `minimize` returns
  the same pair.
- `input_gradient(fn, x)`: the gradient of `sum(fn(x))` with respect to `x`,
  differentiable again (for gradient penalties inside a loss).
- `run_train_step(model, *args)`: adapts the model's stateful-looking
  `gan_train_step(data)` to what the framework's Keras trainer calls
  (`train_step(data)`, or `train_step(state, data)` for JAX).
- `inference_mode()`: a context in which no autograd graph is recorded.
- `data_parallel(devices=None)`: a context in which to build, compile and
  fit a model for data-parallel training over `devices`:
  `keras.distribution.DataParallel` on JAX, `tf.distribute.MirroredStrategy`
  on TensorFlow, the ranks of an initialised `torch.distributed` process
  group on PyTorch (one process per device; raises when there is no group).
- `model_parallel(model_axis=2, devices=None, min_kernel_size=4096,
  layout_map=None)`: on JAX, a `keras.distribution.ModelParallel` scope over
  a `(data, model)` mesh that splits the batch over `data` and every big
  kernel's last axis over `model`; TensorFlow and PyTorch raise
  `NotImplementedError`.
- `shard_batches(data, batch_size)`: `(data, batch_size)` for this process:
  on torch inside `data_parallel()`, this rank's rows of every global batch
  and the per-rank batch size; elsewhere both unchanged.
- `num_replicas()`, `draw_for_replica(draw, batch_size)`,
  `cross_replica_mean(x)`: what the train step needs to give the same result
  on several replicas as on one device (`tf.distribute` and
  `torch.distributed` run the step per replica; see
  `keras_gans.backend.tensorflow` and `keras_gans.backend.torch`).

The framework is chosen by `keras.config.backend()` (that is, by
`KERAS_BACKEND`) when keras_gans is imported.
"""

import keras

name = keras.config.backend()

if name == "tensorflow":
    from keras_gans.backend import tensorflow as _core
elif name == "jax":
    from keras_gans.backend import jax as _core
elif name == "torch":
    from keras_gans.backend import torch as _core
else:
    raise ImportError(
        f"keras_gans runs on the 'tensorflow', 'jax' and 'torch' Keras "
        f"backends; the current backend is {name!r}. Set KERAS_BACKEND to "
        "one of the three before importing keras."
    )

minimize = _core.minimize
input_gradient = _core.input_gradient
run_train_step = _core.run_train_step
inference_mode = _core.inference_mode
data_parallel = _core.data_parallel
num_replicas = _core.num_replicas
draw_for_replica = _core.draw_for_replica
cross_replica_mean = _core.cross_replica_mean
shard_batches = _core.shard_batches
model_parallel = _core.model_parallel

__all__ = [
    "name",
    "minimize",
    "input_gradient",
    "run_train_step",
    "inference_mode",
    "data_parallel",
    "num_replicas",
    "draw_for_replica",
    "cross_replica_mean",
    "shard_batches",
    "model_parallel",
]
