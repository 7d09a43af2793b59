"""Shared parts of the likelihood models (PixelCNN, PixelRNN, VAE).

These models are not GANs: they are plain `keras.Model` subclasses trained by
Keras' own `fit` (each backend's stock train step), with the loss written once
in `compute_loss` with `keras.ops`. They model binary images (pixels in
{0, 1}) with Bernoulli likelihoods, so their losses are exact negative
log-likelihoods (or bounds on them) in nats.
"""

import math

import keras
import numpy as np
from keras import ops

from keras_gans.gan import _serialize_optimizer
from keras_gans.utils import check_positive_int


def bernoulli_nll(logits, x):
    """Per-sample negative log-likelihood in nats of binary `x` under Bernoulli `logits`.

    `sum_pixels softplus(l) - x * l` (that is, `-log sigmoid(l)` where x=1 and
    `-log(1 - sigmoid(l))` where x=0), summed over every axis but the first.

    >>> float(bernoulli_nll(np.zeros((1, 28, 28, 1)), np.ones((1, 28, 28, 1)))[0])  # 784 ln 2
    543.4273...
    """
    logits = ops.cast(logits, "float32")
    x = ops.cast(x, "float32")
    per_pixel = ops.softplus(logits) - x * logits
    axes = tuple(range(1, len(per_pixel.shape)))
    return ops.sum(per_pixel, axis=axes)


def numpy_bernoulli_nll(logits, x):
    """`bernoulli_nll` in float64 numpy (for reported figures)."""
    logits = np.asarray(logits, dtype="float64")
    x = np.asarray(x, dtype="float64")
    per_pixel = np.logaddexp(0.0, logits) - x * logits
    return per_pixel.reshape(len(per_pixel), -1).sum(axis=1)


def check_image_shape(image_shape, channels=None):
    try:
        image_shape = tuple(int(s) for s in image_shape)
    except (TypeError, ValueError):
        raise TypeError(
            f"`image_shape` must be (height, width, channels); received {image_shape!r}."
        ) from None
    if len(image_shape) != 3 or min(image_shape) < 1:
        raise ValueError(
            f"`image_shape` must be (height, width, channels) of positive ints; "
            f"received {image_shape!r}."
        )
    if channels is not None and image_shape[-1] != channels:
        raise ValueError(
            f"This model draws binary one-channel images; `image_shape` must end in "
            f"{channels}, received {image_shape!r}."
        )
    return image_shape


def check_binary(x, image_shape, arg="x"):
    """Checks a numpy batch of binary images of `image_shape`; returns float32."""
    x = np.asarray(x)
    if x.ndim == 3 and image_shape[-1] == 1:
        x = x[..., None]
    if tuple(x.shape[1:]) != tuple(image_shape):
        raise ValueError(
            f"`{arg}` must hold images of shape {tuple(image_shape)}; received shape {x.shape}."
        )
    if not np.all((x == 0) | (x == 1)):
        raise ValueError(
            f"`{arg}` must be binary (pixels 0 or 1): the likelihood is Bernoulli. "
            "Binarize first, for example with keras_gans.datasets.binarize."
        )
    return x.astype("float32")


class LikelihoodModel(keras.Model):
    """Base of the likelihood models: compile defaults, saving, NLL reporting.

    Subclasses set `self.image_shape` and implement `call` (and `sample`).
    """

    default_learning_rate = 1e-3

    def compile(self, optimizer=None, steps_per_execution=1, jit_compile="auto", **kwargs):
        """Keras' `compile`; the loss is the model's own (the Bernoulli NLL or
        negative ELBO), so `loss=` is refused. Default optimizer:
        `Adam(1e-3)`."""
        if kwargs.get("loss") is not None:
            raise ValueError(
                f"{type(self).__name__} trains on its own likelihood; leave `loss` out."
            )
        kwargs.pop("loss", None)
        if optimizer is None:
            optimizer = keras.optimizers.Adam(self.default_learning_rate)
        super().compile(
            optimizer=optimizer,
            steps_per_execution=steps_per_execution,
            jit_compile=jit_compile,
            **kwargs,
        )

    def get_compile_config(self):
        if not getattr(self, "compiled", False) or self.optimizer is None:
            return None
        return {
            "optimizer": _serialize_optimizer(self.optimizer),
            "steps_per_execution": self.steps_per_execution,
            "jit_compile": self.jit_compile,
        }

    def compile_from_config(self, config):
        config = dict(config)
        config["optimizer"] = keras.optimizers.deserialize(config["optimizer"])
        self.compile(**config)
        if self.built:
            # Create the slots now so that the saved optimizer state loads.
            self.optimizer.build(self.trainable_variables)

    def _images(self, x):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(x)
        if isinstance(x, (list, tuple)):
            x = x[0]
        return x

    def fit(self, x=None, y=None, *args, **kwargs):
        if isinstance(x, np.ndarray) and y is None:
            x = np.asarray(x, dtype="float32")
        return super().fit(x, y, *args, **kwargs)

    def num_pixels(self):
        return int(np.prod(self.image_shape))

    def bits_per_dim(self, nats):
        """Converts a per-image figure in nats to bits per pixel."""
        return float(nats) / (self.num_pixels() * math.log(2.0))


def check_n(n):
    return check_positive_int(n, "n")
