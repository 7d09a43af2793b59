"""`ImagePool`: a history of generated images for the discriminator (Shrivastava et al., 2017)."""

import keras
from keras import ops

from keras_gans.utils import check_positive_int, check_seed


@keras.saving.register_keras_serializable(package="keras_gans")
class ImagePool(keras.layers.Layer):
    """Shows the discriminator a mix of new fakes and fakes from past steps.

    The pool holds up to `pool_size` images. While it is not full, each new
    image is stored and returned as it is. Once full, each image of the
    batch is, with probability `probability`, swapped: a stored image drawn
    uniformly is returned in its place and the new image takes its slot;
    otherwise the new image is returned and the pool is unchanged. This is
    CycleGAN's buffer of 50 images with probability 0.5. (When two images
    of one batch draw the same slot, the later one is stored.)

    The pool lives in non-trainable variables (saved with the model, carried
    in the JAX state), and its draws come from its own `SeedGenerator`, so
    the layer works inside a compiled train step on every backend.
    `pool_size=0` turns the pool off: the layer returns its input.

    Args:
        image_shape: `(height, width, channels)` of the images.
        pool_size: how many past images to keep (50 in CycleGAN).
        probability: the chance that a full pool swaps an image (0.5).
        seed: seed of the pool's draws.

    Example:

    >>> pool = ImagePool((32, 32, 3), pool_size=50)
    >>> shown = pool(fakes)  # inside the discriminator's update
    """

    def __init__(self, image_shape, pool_size=50, probability=0.5, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.image_shape = tuple(check_positive_int(d, "image_shape") for d in image_shape)
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 0:
            raise ValueError(f"`pool_size` must be an integer >= 0; received {pool_size!r}.")
        self.pool_size = pool_size
        probability = float(probability)
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"`probability` must be in [0, 1]; received {probability!r}.")
        self.probability = probability
        self.seed = check_seed(seed)
        self.seed_generator = keras.random.SeedGenerator(self.seed, name="image_pool_seed")
        size = max(pool_size, 1)
        self.images = self.add_weight(
            shape=(size, *self.image_shape),
            initializer="zeros",
            trainable=False,
            name="images",
        )
        self.count = self.add_weight(shape=(), initializer="zeros", trainable=False, name="count")
        self.built = True

    def call(self, images):
        if self.pool_size == 0:
            return images
        images = ops.cast(images, self.images.dtype)
        n = ops.shape(images)[0]
        size = self.pool_size
        pool = ops.convert_to_tensor(self.images)
        count = ops.convert_to_tensor(self.count)
        position = count + ops.cast(ops.arange(n), "float32")
        filling = position < size
        u = keras.random.uniform((n,), seed=self.seed_generator)
        drawn = keras.random.randint((n,), 0, size, seed=self.seed_generator)
        swap = ops.logical_and(ops.logical_not(filling), u < self.probability)
        shape = (-1,) + (1,) * len(self.image_shape)
        out = ops.where(ops.reshape(swap, shape), ops.take(pool, drawn, axis=0), images)
        # Where each image goes: its fill position, its drawn slot, or nowhere.
        slot = ops.where(filling, ops.cast(position, "int32"), ops.cast(drawn, "int32"))
        write = ops.cast(ops.logical_or(filling, swap), "float32")
        hits = ops.one_hot(ops.minimum(slot, size - 1), size) * write[:, None]  # (n, size)
        # Keep only the last write to each slot.
        later = ops.flip(ops.cumsum(ops.flip(hits, axis=0), axis=0), axis=0) - hits
        hits = hits * ops.cast(later == 0, "float32")
        flat = ops.reshape(images, (n, -1))
        written = ops.matmul(ops.transpose(hits), flat)  # (size, pixels)
        keep = 1.0 - ops.sum(hits, axis=0)
        new_pool = ops.reshape(pool, (size, -1)) * keep[:, None] + written
        self.images.assign(ops.reshape(new_pool, ops.shape(pool)))
        self.count.assign(ops.minimum(count + ops.cast(n, "float32"), float(size)))
        return out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "image_shape": self.image_shape,
            "pool_size": self.pool_size,
            "probability": self.probability,
            "seed": self.seed,
        }
