"""Differentiable augmentation inside the train step: DiffAugment and ADA.

A discriminator trained on few images memorizes them. DiffAugment (Zhao et
al., 2020) augments every image the discriminator sees, real and generated,
in both networks' updates, with transforms that are differentiable so the
generator's gradient flows through them. ADA (Karras et al., 2020) applies
each transform with a probability `p` that it adapts to the discriminator's
overfitting, measured by `r_t = E[sign(D(real))]`: above a target (0.6),
`p` rises; below, it falls.

Both are Keras layers written with `keras.ops` and `keras.random`, so they run
inside the jitted step on every backend (`keras_cv` layers do not), and their
state (the seed, ADA's `p` and counters) is saved with the model. Images are
channels-last `(batch, height, width, channels)`, in [-1, 1].

Randomness, exactly: `GAN.compile(augment=...)` calls the layer once on the
real batch and once on the fake batch of every update (each discriminator
update and the generator update), so the real and fake halves draw
independent parameters, and every image in a half draws its own (shift,
cutout position, colour factors, and under ADA whether each transform
applies). The same transforms, with the same probability, apply to both
halves. Under `tf.distribute` each replica keeps its rows of one global draw,
as for the latent noise.
"""

import keras
from keras import ops

from keras_gans import backend
from keras_gans.utils import check_number, check_positive_int, check_seed

POLICIES = ("color", "translation", "cutout")


def _check_policy(policy):
    if isinstance(policy, str):
        policy = [p.strip() for p in policy.split(",") if p.strip()]
    policy = tuple(policy)
    bad = [p for p in policy if p not in POLICIES]
    if bad or not policy:
        raise ValueError(
            f"`policy` must name transforms among {POLICIES} (for example "
            f"'color,translation,cutout'); received {policy!r}."
        )
    return policy


def _check_fraction(value, name, low=0.0, high=1.0):
    value = check_number(value, name, minimum=low)
    if value > high:
        raise ValueError(f"`{name}` must be in [{low}, {high}]; received {value!r}.")
    return value


@keras.saving.register_keras_serializable(package="keras_gans")
class DiffAugment(keras.layers.Layer):
    """DiffAugment: colour, translation and cutout, differentiable, per image.

    - `color`: brightness `x + U(-0.5, 0.5)`, saturation (distance to the
      channel mean times `U(0, 2)`), contrast (distance to the image mean
      times `U(0.5, 1.5)`).
    - `translation`: an integer shift of up to `translation_ratio` of the
      height and width in each direction, filled with zeros.
    - `cutout`: a zeroed square of `cutout_ratio` of the size at a random
      position.

    Args:
        policy: the transforms, a comma-separated string or a list.
        translation_ratio: the largest shift as a fraction of the size.
        cutout_ratio: the side of the cutout square as a fraction of the size.
        probability: the chance that each transform applies to an image
            (1 in DiffAugment; ADA adapts it).
        seed: seed of the layer's random draws.
    """

    def __init__(
        self,
        policy="color,translation,cutout",
        translation_ratio=0.125,
        cutout_ratio=0.5,
        probability=1.0,
        seed=None,
        **kwargs,
    ):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.policy = _check_policy(policy)
        self.translation_ratio = _check_fraction(translation_ratio, "translation_ratio")
        self.cutout_ratio = _check_fraction(cutout_ratio, "cutout_ratio")
        self.initial_probability = _check_fraction(probability, "probability")
        self.seed = check_seed(seed)
        self.seed_generator = keras.random.SeedGenerator(seed, name="augment_seed")
        self.probability = self.add_weight(
            shape=(),
            dtype="float32",
            initializer=keras.initializers.Constant(self.initial_probability),
            trainable=False,
            name="probability",
        )
        self.built = True

    def get_config(self):
        config = super().get_config()
        config.update(
            policy=",".join(self.policy),
            translation_ratio=self.translation_ratio,
            cutout_ratio=self.cutout_ratio,
            probability=self.initial_probability,
            seed=self.seed,
        )
        return config

    # ----------------------------------------------------------- drawing
    def _uniform(self, n, shape=(), low=0.0, high=1.0):
        seed = self.seed_generator
        return backend.draw_for_replica(
            lambda m: keras.random.uniform((m,) + shape, low, high, seed=seed), n
        )

    def _randint(self, n, low, high):
        seed = self.seed_generator
        return backend.draw_for_replica(
            lambda m: keras.random.randint((m,), low, high, seed=seed), n
        )

    def _gate(self, x, augmented, n):
        """Each image takes `augmented` with the layer's probability."""
        p = ops.convert_to_tensor(self.probability)
        apply = ops.cast(self._uniform(n, (1, 1, 1)) < p, x.dtype)
        return apply * augmented + (1.0 - apply) * x

    # -------------------------------------------------------- transforms
    def _color(self, x, n):
        x = self._gate(x, x + ops.cast(self._uniform(n, (1, 1, 1), -0.5, 0.5), x.dtype), n)
        mean = ops.mean(x, axis=3, keepdims=True)
        factor = ops.cast(self._uniform(n, (1, 1, 1), 0.0, 2.0), x.dtype)
        x = self._gate(x, (x - mean) * factor + mean, n)
        mean = ops.mean(x, axis=(1, 2, 3), keepdims=True)
        factor = ops.cast(self._uniform(n, (1, 1, 1), 0.5, 1.5), x.dtype)
        return self._gate(x, (x - mean) * factor + mean, n)

    def _shift_matrix(self, shift, size, dtype):
        """`(n, size, size)` matrices that move rows by `shift`, zero-filled."""
        source = ops.arange(size)[None, :] - shift[:, None]
        valid = ops.cast((source >= 0) & (source < size), dtype)
        return ops.one_hot(ops.clip(source, 0, size - 1), size, dtype=dtype) * valid[..., None]

    def _translation(self, x, n):
        height, width = x.shape[1], x.shape[2]
        dy_max = int(height * self.translation_ratio + 0.5)
        dx_max = int(width * self.translation_ratio + 0.5)
        dy = self._randint(n, -dy_max, dy_max + 1)
        dx = self._randint(n, -dx_max, dx_max + 1)
        rows = self._shift_matrix(dy, height, x.dtype)
        cols = self._shift_matrix(dx, width, x.dtype)
        moved = ops.einsum("nij,njwc->niwc", rows, x)
        moved = ops.einsum("nvw,nhwc->nhvc", cols, moved)
        return self._gate(x, moved, n)

    def _cutout(self, x, n):
        height, width = x.shape[1], x.shape[2]
        size_h = int(height * self.cutout_ratio + 0.5)
        size_w = int(width * self.cutout_ratio + 0.5)
        top = self._randint(n, 0, height + (1 - size_h % 2)) - size_h // 2
        left = self._randint(n, 0, width + (1 - size_w % 2)) - size_w // 2
        rows = ops.arange(height)[None, :]
        cols = ops.arange(width)[None, :]
        in_rows = (rows >= top[:, None]) & (rows < top[:, None] + size_h)
        in_cols = (cols >= left[:, None]) & (cols < left[:, None] + size_w)
        hole = ops.cast(in_rows[:, :, None] & in_cols[:, None, :], x.dtype)[..., None]
        return self._gate(x, x * (1.0 - hole), n)

    def call(self, x):
        if len(x.shape) != 4:
            raise ValueError(
                f"DiffAugment takes images (batch, height, width, channels); "
                f"received shape {tuple(x.shape)}."
            )
        n = ops.shape(x)[0]
        for name in self.policy:
            x = getattr(self, f"_{name}")(x, n)
        return x

    def observe(self, real_logits):
        """Called with the discriminator's logits on real images (ADA adapts here)."""


@keras.saving.register_keras_serializable(package="keras_gans")
class ADA(DiffAugment):
    """Adaptive discriminator augmentation: DiffAugment with an adaptive `p`.

    After every `interval` discriminator updates, `r_t` is the mean of
    `sign(D(real))` over them; `p` moves by `sign(r_t - target) *
    images / (speed_kimg * 1000)`, where `images` is the number of real
    images seen in those updates, and is clipped to [0, 1] (Karras et al.,
    2020: target 0.6, interval 4, speed 500k images).

    Args:
        target: the `r_t` aimed at.
        interval: discriminator updates between adjustments.
        speed_kimg: thousands of images for `p` to move from 0 to 1.
        probability: the starting `p` (0).
        (others as in `DiffAugment`.)
    """

    def __init__(self, target=0.6, interval=4, speed_kimg=500.0, probability=0.0, **kwargs):
        super().__init__(probability=probability, **kwargs)
        self.target = _check_fraction(target, "target", -1.0, 1.0)
        self.interval = check_positive_int(interval, "interval")
        self.speed_kimg = check_number(speed_kimg, "speed_kimg", 0.0, inclusive=False)
        self.sign_sum = self.add_weight(
            shape=(), dtype="float32", initializer="zeros", trainable=False, name="sign_sum"
        )
        self.seen = self.add_weight(
            shape=(), dtype="float32", initializer="zeros", trainable=False, name="seen"
        )
        self.updates = self.add_weight(
            shape=(), dtype="float32", initializer="zeros", trainable=False, name="updates"
        )
        self.r_t = self.add_weight(
            shape=(), dtype="float32", initializer="zeros", trainable=False, name="r_t"
        )

    def get_config(self):
        config = super().get_config()
        config.update(target=self.target, interval=self.interval, speed_kimg=self.speed_kimg)
        return config

    def observe(self, real_logits):
        logits = ops.cast(ops.stop_gradient(ops.convert_to_tensor(real_logits)), "float32")
        logits = ops.reshape(logits, (ops.shape(logits)[0], -1))
        signs = ops.sum(ops.sign(logits[:, 0]))
        count = ops.cast(ops.shape(logits)[0], "float32")
        # Every replica sees the totals of the global batch.
        replicas = float(backend.num_replicas())
        signs = backend.cross_replica_mean(signs) * replicas
        count = backend.cross_replica_mean(count) * replicas
        sign_sum = ops.convert_to_tensor(self.sign_sum) + signs
        seen = ops.convert_to_tensor(self.seen) + count
        updates = ops.convert_to_tensor(self.updates) + 1.0
        adjust = updates >= self.interval
        r_t = sign_sum / ops.maximum(seen, 1.0)
        step = ops.sign(r_t - self.target) * seen / (self.speed_kimg * 1000.0)
        p = ops.convert_to_tensor(self.probability)
        self.probability.assign(ops.where(adjust, ops.clip(p + step, 0.0, 1.0), p))
        self.r_t.assign(ops.where(adjust, r_t, ops.convert_to_tensor(self.r_t)))
        self.sign_sum.assign(ops.where(adjust, 0.0, sign_sum))
        self.seen.assign(ops.where(adjust, 0.0, seen))
        self.updates.assign(ops.where(adjust, 0.0, updates))


def get(identifier):
    """`None`, `"diffaugment"`, `"ada"`, a policy string, or a `DiffAugment` layer."""
    if identifier is None or isinstance(identifier, DiffAugment):
        return identifier
    if isinstance(identifier, dict):
        return keras.saving.deserialize_keras_object(identifier)
    if isinstance(identifier, str):
        if identifier == "diffaugment":
            return DiffAugment()
        if identifier == "ada":
            return ADA()
        return DiffAugment(policy=identifier)
    raise TypeError(
        "`augment` must be None, 'diffaugment', 'ada', a policy such as "
        f"'color,translation', or a keras_gans.augment.DiffAugment; received {identifier!r}."
    )
