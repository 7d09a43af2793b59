"""PyTorch core: `torch.autograd.grad` on the variables being trained.

`torch.autograd.grad` returns gradients for the requested tensors only, so a
generator step never writes into the discriminator's `.grad` (and the other
way round), and no `zero_grad()` is needed.
"""

import torch


def minimize(loss_fn, variables, optimizer):
    loss, aux = loss_fn()
    grads = torch.autograd.grad(
        optimizer.scale_loss(loss),
        [v.value for v in variables],
        allow_unused=True,
        materialize_grads=True,
    )
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
    return model.gan_train_step(data)


def num_replicas():
    return 1


def draw_for_replica(draw, batch_size):
    return draw(batch_size)


def cross_replica_mean(value):
    return value


def data_parallel(devices=None):
    raise NotImplementedError(
        "Keras' PyTorch backend has no distribution API, so keras_gans cannot "
        "train data-parallel on torch. Use the JAX backend (keras.distribution) or "
        "the TensorFlow backend (tf.distribute); see the README's distribution section."
    )


def inference_mode():
    return torch.no_grad()


def _detach(tree):
    if isinstance(tree, torch.Tensor):
        return tree.detach()
    if isinstance(tree, dict):
        return {k: _detach(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(_detach(v) for v in tree)
    return tree
