"""Adversarial losses as pure `keras.ops` functions of discriminator logits.

Each loss is a pair: `<name>_discriminator_loss(real_logits, fake_logits)` and
`<name>_generator_loss(fake_logits)`, each returning a scalar (the batch mean).
`get(name)` returns the pair as a `GANLoss`.

| name               | discriminator                              | generator              |
|--------------------|--------------------------------------------|------------------------|
| `minimax`          | -log D(x) - log(1 - D(G(z)))               | log(1 - D(G(z)))       |
| `non_saturating`   | -log D(x) - log(1 - D(G(z)))               | -log D(G(z))           |
| `wasserstein`      | mean C(G(z)) - mean C(x)                   | -mean C(G(z))          |
| `hinge`            | mean relu(1 - C(x)) + mean relu(1 + C(G(z)))| -mean C(G(z))         |
| `least_squares`    | (C(x) - 1)^2 / 2 + C(G(z))^2 / 2           | (C(G(z)) - 1)^2 / 2    |

with D = sigmoid(logits). One-sided label smoothing (Salimans et al., 2016)
replaces the real target 1 by `1 - label_smoothing` in the discriminator's
loss for `minimax`, `non_saturating` and `least_squares`; fake targets stay 0.
It has no meaning for `wasserstein` and `hinge`, which refuse it.
"""

import collections
import difflib

import keras
from keras import ops

GANLoss = collections.namedtuple("GANLoss", ["name", "generator", "discriminator"])
GANLoss.__doc__ = """A generator loss and a discriminator loss that belong together.

`generator(fake_logits)` and
`discriminator(real_logits, fake_logits, label_smoothing=0.0)` each return a
scalar tensor.
"""


def _mean(x):
    return ops.mean(ops.cast(x, "float32"))


def _check_smoothing(label_smoothing):
    if not 0.0 <= float(label_smoothing) < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1); received {label_smoothing!r}.")


def _bce_real(logits, label_smoothing):
    # Binary cross-entropy of logits against the target 1 - label_smoothing:
    # t * softplus(-l) + (1 - t) * softplus(l).
    target = 1.0 - label_smoothing
    loss = target * ops.softplus(-logits)
    if label_smoothing:
        loss = loss + label_smoothing * ops.softplus(logits)
    return loss


@keras.saving.register_keras_serializable(package="keras_gans")
def minimax_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Discriminator loss of the original GAN: `BCE(D(x), 1) + BCE(D(G(z)), 0)`.

    >>> float(minimax_discriminator_loss(ops.zeros(4), ops.zeros(4)))  # 2 ln 2
    1.3862943649291992
    """
    _check_smoothing(label_smoothing)
    real_logits = ops.cast(real_logits, "float32")
    fake_logits = ops.cast(fake_logits, "float32")
    return _mean(_bce_real(real_logits, label_smoothing)) + _mean(ops.softplus(fake_logits))


@keras.saving.register_keras_serializable(package="keras_gans")
def minimax_generator_loss(fake_logits):
    """Generator loss of the original minimax game: `mean log(1 - D(G(z)))`.

    It saturates (vanishing gradient) when D confidently rejects the fakes.

    >>> float(minimax_generator_loss(ops.zeros(4)))  # log(1/2)
    -0.6931471824645996
    """
    return -_mean(ops.softplus(ops.cast(fake_logits, "float32")))


@keras.saving.register_keras_serializable(package="keras_gans")
def non_saturating_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Same as `minimax_discriminator_loss` (the two games differ only in G)."""
    return minimax_discriminator_loss(real_logits, fake_logits, label_smoothing)


@keras.saving.register_keras_serializable(package="keras_gans")
def non_saturating_generator_loss(fake_logits):
    """The non-saturating generator loss `-mean log D(G(z))`.

    >>> float(non_saturating_generator_loss(ops.zeros(4)))  # -log(1/2)
    0.6931471824645996
    """
    return _mean(ops.softplus(-ops.cast(fake_logits, "float32")))


def _refuse_smoothing(name, label_smoothing):
    if label_smoothing:
        raise ValueError(
            f"label_smoothing applies to probability targets and has no "
            f"meaning for the {name} loss; received label_smoothing="
            f"{label_smoothing!r}. Use 'minimax', 'non_saturating' or "
            "'least_squares' for label smoothing."
        )


@keras.saving.register_keras_serializable(package="keras_gans")
def wasserstein_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Critic loss of WGAN: `mean C(G(z)) - mean C(x)`.

    >>> float(wasserstein_discriminator_loss(ops.ones(2), ops.zeros(2)))
    -1.0
    """
    _refuse_smoothing("wasserstein", label_smoothing)
    return _mean(fake_logits) - _mean(real_logits)


@keras.saving.register_keras_serializable(package="keras_gans")
def wasserstein_generator_loss(fake_logits):
    """Generator loss of WGAN: `-mean C(G(z))`."""
    return -_mean(fake_logits)


@keras.saving.register_keras_serializable(package="keras_gans")
def hinge_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Hinge loss: `mean relu(1 - C(x)) + mean relu(1 + C(G(z)))`.

    >>> float(hinge_discriminator_loss(ops.zeros(2), ops.zeros(2)))
    2.0
    """
    _refuse_smoothing("hinge", label_smoothing)
    real_logits = ops.cast(real_logits, "float32")
    fake_logits = ops.cast(fake_logits, "float32")
    return _mean(ops.relu(1.0 - real_logits)) + _mean(ops.relu(1.0 + fake_logits))


@keras.saving.register_keras_serializable(package="keras_gans")
def hinge_generator_loss(fake_logits):
    """Generator loss paired with the hinge critic: `-mean C(G(z))`."""
    return -_mean(fake_logits)


@keras.saving.register_keras_serializable(package="keras_gans")
def least_squares_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """LSGAN (a=0, b=1): `mean (C(x) - b)^2 / 2 + mean C(G(z))^2 / 2`, b = 1 - smoothing.

    >>> float(least_squares_discriminator_loss(ops.zeros(2), ops.ones(2)))
    1.0
    """
    _check_smoothing(label_smoothing)
    real_logits = ops.cast(real_logits, "float32")
    fake_logits = ops.cast(fake_logits, "float32")
    target = 1.0 - label_smoothing
    return 0.5 * _mean(ops.square(real_logits - target)) + 0.5 * _mean(ops.square(fake_logits))


@keras.saving.register_keras_serializable(package="keras_gans")
def least_squares_generator_loss(fake_logits):
    """LSGAN generator loss (c = 1): `mean (C(G(z)) - 1)^2 / 2`."""
    return 0.5 * _mean(ops.square(ops.cast(fake_logits, "float32") - 1.0))


_REGISTRY = {
    "minimax": GANLoss("minimax", minimax_generator_loss, minimax_discriminator_loss),
    "non_saturating": GANLoss(
        "non_saturating", non_saturating_generator_loss, non_saturating_discriminator_loss
    ),
    "wasserstein": GANLoss(
        "wasserstein", wasserstein_generator_loss, wasserstein_discriminator_loss
    ),
    "hinge": GANLoss("hinge", hinge_generator_loss, hinge_discriminator_loss),
    "least_squares": GANLoss(
        "least_squares", least_squares_generator_loss, least_squares_discriminator_loss
    ),
}

NAMES = tuple(_REGISTRY)
SMOOTHABLE = ("minimax", "non_saturating", "least_squares")


def get(identifier):
    """Returns the `GANLoss` for a name, a `GANLoss`, or a pair of functions.

    Args:
        identifier: one of `NAMES`; a `GANLoss`; a dict with keys
            `"generator"` and `"discriminator"`; or a pair
            `(generator_loss, discriminator_loss)` in that order, where
            `generator_loss(fake_logits)` and
            `discriminator_loss(real_logits, fake_logits, label_smoothing=0.0)`
            return scalars.

    >>> get("hinge").name
    'hinge'
    """
    if isinstance(identifier, GANLoss):
        return identifier
    if isinstance(identifier, str):
        key = identifier.lower().replace("-", "_")
        if key in _REGISTRY:
            return _REGISTRY[key]
        close = difflib.get_close_matches(key, NAMES, n=2)
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(
            f"Unknown GAN loss {identifier!r}. Valid names: "
            f"{', '.join(NAMES)}; or pass a pair of functions "
            f"(generator_loss, discriminator_loss).{hint}"
        )
    if isinstance(identifier, dict):
        missing = {"generator", "discriminator"} - set(identifier)
        if missing:
            raise ValueError(
                f"A loss dict needs the keys 'generator' and 'discriminator'; "
                f"missing: {sorted(missing)}."
            )
        identifier = (identifier["generator"], identifier["discriminator"])
    if isinstance(identifier, (tuple, list)) and len(identifier) == 2:
        g_fn, d_fn = identifier
        if not (callable(g_fn) and callable(d_fn)):
            raise TypeError(
                "A loss pair must hold two callables (generator_loss, "
                f"discriminator_loss); received {identifier!r}."
            )
        name = f"custom({getattr(g_fn, '__name__', 'g')}, {getattr(d_fn, '__name__', 'd')})"
        return GANLoss(name, g_fn, d_fn)
    raise TypeError(
        f"loss must be one of {', '.join(NAMES)}, a GANLoss, or a pair of "
        f"functions (generator_loss, discriminator_loss); received {identifier!r}."
    )
