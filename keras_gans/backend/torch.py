"""PyTorch core: `torch.autograd.grad` on the variables being trained; `torch.distributed` ranks.

`torch.autograd.grad` returns gradients for the requested tensors only, so a
generator step never writes into the discriminator's `.grad` (and the other
way round), and no `zero_grad()` is needed.

Data parallel (`data_parallel()`): the user starts one process per device
(`torchrun`, `torch.multiprocessing`), initialises the default process group
(`gloo` on CPU, `nccl` on GPUs), and builds, compiles and fits inside
`data_parallel()`, each process feeding its own slice of every global batch
(`shard_batches`). Keras' torch trainer runs the step in every process on
its slice; to make a step over R ranks equal one step over the whole batch
in one process:

- `minimize` differentiates `loss / R` and sums the gradients over the ranks
  (all-reduce) before the optimizer applies them: the gradient of the mean
  of the ranks' losses, which for every per-sample mean is the gradient of
  the global batch mean. Every rank applies the same gradient, so weights
  and optimizer slots stay identical.
- `run_train_step`, on the first step of a model, broadcasts every model and
  optimizer variable (seed states included) from rank 0, so all ranks start
  from the same weights and draw the same noise; on every step it checks
  that all ranks got a batch of the same size; and it computes every
  `BatchNormalization` layer's statistics over the global batch (sums
  all-reduced with a differentiable all-reduce; the layers themselves are
  not changed).
- `draw_for_replica` draws the noise of the whole global batch and keeps
  this rank's rows; `cross_replica_mean` averages over the ranks.
"""

import contextlib
import weakref

import numpy as np
import torch
import torch.distributed as dist

# The process group's size and this process's rank while inside
# `data_parallel()`; None outside.
_parallel = []
_synced = weakref.WeakSet()


def _active():
    return _parallel[-1] if _parallel else None


def num_replicas():
    active = _active()
    return 1 if active is None else active[0]


def minimize(loss_fn, variables, optimizer):
    loss, aux = loss_fn()
    replicas = num_replicas()
    scaled = loss if replicas == 1 else loss / replicas
    grads = torch.autograd.grad(
        optimizer.scale_loss(scaled),
        [v.value for v in variables],
        allow_unused=True,
        materialize_grads=True,
    )
    if replicas > 1:
        grads = _all_reduce_sum(grads)
    with torch.no_grad():
        optimizer.apply(list(grads), variables)
    return loss.detach(), _detach(aux)


def input_gradient(fn, x):
    if not (isinstance(x, torch.Tensor) and x.requires_grad):
        x = torch.as_tensor(x).detach().requires_grad_(True)
    y = fn(x).sum()
    (grad,) = torch.autograd.grad(y, x, create_graph=True)
    return grad


def run_train_step(model, data):
    if num_replicas() == 1:
        return model.gan_train_step(data)
    _check_same_batch(model, data)
    if model not in _synced:
        _broadcast_from_rank_zero(model)
        _synced.add(model)
    with _global_batch_norm(model):
        return model.gan_train_step(data)


def draw_for_replica(draw, batch_size):
    active = _active()
    if active is None:
        return draw(batch_size)
    replicas, rank = active
    full = draw(batch_size * replicas)
    start = rank * batch_size
    return _map(lambda t: t[start : start + batch_size], full)


def cross_replica_mean(value):
    replicas = num_replicas()
    if replicas == 1:
        return value
    if isinstance(value, torch.Tensor):
        total = value.detach().clone()
    else:
        total = torch.tensor(value, dtype=torch.float32, device=_collective_device())
    dist.all_reduce(total)
    return total / replicas


def data_parallel(devices=None):
    """A context in which to build, compile and fit over the ranks of the default process group.

    `devices` is not used on torch: each process trains on the device Keras
    gives it (on GPUs, call `torch.cuda.set_device(local_rank)` first).
    """
    if not (dist.is_available() and dist.is_initialized()):
        raise RuntimeError(
            "keras_gans.backend.data_parallel() on the PyTorch backend trains over the "
            "processes of a torch.distributed process group, and none is initialised. "
            "Start one process per device (e.g. `torchrun --nproc_per_node=2 train.py`, "
            "or torch.multiprocessing) and call "
            "`torch.distributed.init_process_group('gloo')` ('nccl' on GPUs) in each "
            "before entering data_parallel(); see the README's distribution section."
        )
    if devices is not None:
        raise ValueError(
            "On the PyTorch backend each process trains on its own device; pass no "
            f"`devices` to data_parallel() (received {devices!r})."
        )
    return _data_parallel_scope(dist.get_world_size(), dist.get_rank())


@contextlib.contextmanager
def _data_parallel_scope(replicas, rank):
    _parallel.append((replicas, rank))
    try:
        yield
    finally:
        _parallel.pop()


def shard_batches(data, batch_size):
    """`(local_data, local_batch_size)`: this rank's rows of every global batch.

    `data` is an array (or a tuple/list/dict of arrays with the same first
    axis) cut into global batches of `batch_size` rows in order; rank r of R
    keeps rows `[r * batch_size / R, (r + 1) * batch_size / R)` of each,
    which `fit(local_data, batch_size=local_batch_size, shuffle=False)` then
    feeds as its slice of the same global batches. Outside `data_parallel()`
    the data and batch size come back unchanged.
    """
    active = _active()
    if active is None:
        return data, batch_size
    replicas, rank = active
    if batch_size % replicas:
        raise ValueError(
            f"A global batch of {batch_size} samples does not divide over {replicas} "
            "processes: use a batch size that is a multiple of the number of processes."
        )
    local = batch_size // replicas
    arrays = _flatten(data)
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise ValueError("Every array in `data` must have the same number of samples.")
    last = n % batch_size
    if last % replicas:
        raise ValueError(
            f"The last global batch has {last} samples ({n} samples in batches of "
            f"{batch_size}), which do not divide over {replicas} processes: drop or pad "
            "samples so that it does."
        )
    rows = []
    for start in range(0, n, batch_size):
        size = min(batch_size, n - start) // replicas
        rows.append(np.arange(start + rank * size, start + (rank + 1) * size))
    index = np.concatenate(rows) if rows else np.zeros((0,), "int64")
    return _map(lambda a: a[index], data), local


def inference_mode():
    return torch.no_grad()


# ------------------------------------------------------------------ helpers
class _AllReduceSum(torch.autograd.Function):
    """Sum over ranks whose gradient is the sum of the ranks' gradients.

    With every rank differentiating its share of one global loss, the
    gradient of a statistic all ranks used is the sum of what each rank's
    loss sends back: the backward is the same all-reduce.
    """

    @staticmethod
    def forward(ctx, tensor):
        total = tensor.clone(memory_format=torch.contiguous_format)
        dist.all_reduce(total)
        return total

    @staticmethod
    def backward(ctx, grad):
        return _AllReduceSum.apply(grad)


def _all_reduce_sum(tensors):
    """Sums a list of tensors over the ranks with one collective."""
    flat = torch.cat([t.reshape(-1) for t in tensors])
    dist.all_reduce(flat)
    out, start = [], 0
    for t in tensors:
        out.append(flat[start : start + t.numel()].view_as(t))
        start += t.numel()
    return out


def _collective_device():
    """Where a tensor made for a collective must live: NCCL takes CUDA tensors only."""
    if dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def _check_same_batch(model, data):
    real, _ = model.unpack_batch(data)
    n = int(real.shape[0])
    sizes = torch.tensor([n, -n], dtype=torch.int64, device=_collective_device())
    dist.all_reduce(sizes, op=dist.ReduceOp.MAX)
    if int(sizes[0]) != n or int(-sizes[1]) != n:
        raise ValueError(
            f"Under data_parallel() every process must train on a batch of the same size "
            f"(this is its share of the global batch); this process got {n} samples, "
            f"others between {int(-sizes[1])} and {int(sizes[0])}. Cut the data with "
            "keras_gans.backend.shard_batches(data, global_batch_size)."
        )


def _model_variables(model):
    found, seen = [], set()
    for v in list(model.variables) + list(model.optimizer.variables):
        if id(v) not in seen:
            seen.add(id(v))
            found.append(v)
    return found


def _broadcast_from_rank_zero(model):
    with torch.no_grad():
        for v in _model_variables(model):
            value = v.value.detach().clone()
            dist.broadcast(value, src=0)
            v.assign(value)


def _global_moments(layer, inputs, mask):
    """`BatchNormalization._moments` over the global batch (sums all-reduced)."""
    if mask is not None:
        raise NotImplementedError(
            "BatchNormalization with a mask is not supported under data_parallel() on torch."
        )
    axes = list(layer._reduction_axes)
    x = inputs.float()
    count = torch.tensor(float(np.prod([x.shape[a] for a in axes])), device=x.device)
    sums = torch.stack([x.sum(dim=axes), torch.square(x).sum(dim=axes)])
    sums = _AllReduceSum.apply(sums)
    count = count * num_replicas()
    mean = sums[0] / count
    variance = sums[1] / count - torch.square(mean)
    return mean.to(inputs.dtype), variance.to(inputs.dtype)


@contextlib.contextmanager
def _global_batch_norm(model):
    import keras

    layers = [
        layer
        for layer in model._flatten_layers(include_self=False, recursive=True)
        if isinstance(layer, keras.layers.BatchNormalization)
    ]
    for layer in layers:
        layer.__dict__["_moments"] = lambda inputs, mask, layer=layer: _global_moments(
            layer, inputs, mask
        )
    try:
        yield
    finally:
        for layer in layers:
            layer.__dict__.pop("_moments", None)


def _flatten(tree):
    if isinstance(tree, dict):
        return [a for v in tree.values() for a in _flatten(v)]
    if isinstance(tree, (list, tuple)):
        return [a for v in tree for a in _flatten(v)]
    return [tree]


def _map(fn, tree):
    if isinstance(tree, dict):
        return {k: _map(fn, v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(_map(fn, v) for v in tree)
    return fn(tree)


def _detach(tree):
    if isinstance(tree, torch.Tensor):
        return tree.detach()
    if isinstance(tree, dict):
        return {k: _detach(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(_detach(v) for v in tree)
    return tree


def model_parallel(model_axis=2, devices=None, min_kernel_size=4096, layout_map=None):
    raise NotImplementedError(
        "keras_gans.backend.model_parallel() shards kernels over a device mesh with "
        "keras.distribution.ModelParallel, which only Keras' JAX backend implements. "
        "Run with KERAS_BACKEND=jax (the .keras files load on any backend), or use "
        "data_parallel() on this backend."
    )
