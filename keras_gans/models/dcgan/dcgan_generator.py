"""`dcgan_generator`: the DCGAN generator for any image size, grey or colour."""

import keras
from keras import layers

from keras_gans.layers import ReferenceBatch, VirtualBatchNormalization
from keras_gans.utils import check_positive_int, seed_stream

NORMALIZATIONS = ("batch", "virtual", None)
UPSAMPLINGS = ("transpose", "resize")


def check_image_shape(image_shape):
    """Returns `image_shape` as a tuple `(height, width, channels)`, or raises."""
    try:
        shape = tuple(int(s) for s in image_shape)
    except (TypeError, ValueError):
        raise ValueError(
            f"`image_shape` must be (height, width, channels); received {image_shape!r}."
        ) from None
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(
            f"`image_shape` must be (height, width, channels) of positive sizes; "
            f"received {image_shape!r}."
        )
    return shape


def num_resamplings(image_shape, min_size=4):
    """How many stride-2 steps lead from the image to its smallest feature map.

    Halves height and width while both stay even and at least `min_size`:
    28 -> 14 -> 7 (two steps), 32 -> 16 -> 8 -> 4 (three), 64 -> 4 (four).
    """
    h, w = image_shape[:2]
    n = 0
    while h % 2 == 0 and w % 2 == 0 and h // 2 >= min_size and w // 2 >= min_size:
        h, w, n = h // 2, w // 2, n + 1
    if n == 0:
        raise ValueError(
            f"`image_shape`={tuple(image_shape)} cannot be halved even once down to "
            f"{min_size}x{min_size} or more: use even sizes of at least {2 * min_size}."
        )
    return n, (h, w)


def default_filters(image_shape):
    """64 filters at full resolution, 128 for 64x64 and larger (the paper's LSUN model)."""
    return 128 if max(image_shape[:2]) >= 64 else 64


def label_input(num_classes):
    """An int label input and its one-hot encoding, for conditional networks."""
    num_classes = check_positive_int(num_classes, "num_classes")
    labels = keras.Input((), dtype="int32", name="labels")
    return labels, layers.CategoryEncoding(num_classes, "one_hot")(labels)


def init(seed):
    """The DCGAN paper's initializer: N(0, 0.02)."""
    return keras.initializers.RandomNormal(stddev=0.02, seed=seed)


def dcgan_generator(
    latent_dim=100,
    image_shape=(28, 28, 1),
    filters=None,
    kernel_size=5,
    upsampling="transpose",
    normalization="batch",
    num_classes=None,
    reference_size=64,
    seed=None,
    name="dcgan_generator",
):
    """The DCGAN generator (Radford et al., 2016).

    A projection of `z` to the smallest feature map (`4x4` for 32x32 and
    64x64 images, `7x7` for 28x28), then stride-2 upsampling steps that halve
    the filters each time, batch normalization and ReLU after every layer but
    the last, and a tanh output in [-1, 1]. No pooling and no hidden dense
    layers. For 64x64 images with the default 128 filters this is the paper's
    LSUN generator: 4x4x1024 -> 8x8x512 -> 16x16x256 -> 32x32x128 -> 64x64x3.

    Args:
        latent_dim: size of `z`.
        image_shape: `(height, width, channels)` of the images.
        filters: filters of the last hidden layer (doubling towards the
            input); default `default_filters(image_shape)`.
        kernel_size: kernel size of the upsampling convolutions (5 in the paper).
        upsampling: `"transpose"` (strided transposed convolutions, the paper)
            or `"resize"` (nearest-neighbour upsampling then a convolution).
            Which is faster depends on backend and shape: on a 2-core CPU,
            `"transpose"` was faster everywhere for 28x28 grey images, while
            for 32x32 colour images under JAX `"resize"` was 1.5-2.5x faster
            (XLA's CPU gradient of some transposed convolutions is slow);
            see `benchmarks/image_speed.py`.
        normalization: `"batch"`, `"virtual"` (virtual batch normalization
            with a fixed reference batch of `reference_size` latent vectors,
            Salimans et al. 2016) or None.
        num_classes: when given, the generator takes `[z, labels]` (int class
            labels, one-hot encoded and concatenated to `z`).
        reference_size: size of the reference batch for `"virtual"`.
        seed: seed of the initial weights (and of the reference batch).
        name: the model's name.
    """
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    image_shape = check_image_shape(image_shape)
    filters = check_positive_int(filters or default_filters(image_shape), "filters")
    kernel_size = check_positive_int(kernel_size, "kernel_size")
    if upsampling not in UPSAMPLINGS:
        raise ValueError(f"`upsampling` must be one of {UPSAMPLINGS}; received {upsampling!r}.")
    if normalization not in NORMALIZATIONS:
        raise ValueError(
            f"`normalization` must be one of {NORMALIZATIONS}; received {normalization!r}."
        )
    if normalization == "virtual" and num_classes is not None:
        raise ValueError(
            "Virtual batch normalization takes a single-input generator; it "
            "cannot be combined with `num_classes`."
        )
    n_up, (h, w) = num_resamplings(image_shape)
    seeds = seed_stream(seed, 1)

    def norm(x):
        if normalization == "batch":
            return layers.BatchNormalization(momentum=0.9, epsilon=1e-5)(x)
        if normalization == "virtual":
            return VirtualBatchNormalization(reference_size)(x)
        return x

    z = keras.Input((latent_dim,), name="z")
    inputs = z
    x = z
    if num_classes is not None:
        labels, one_hot = label_input(num_classes)
        inputs = [z, labels]
        x = layers.Concatenate()([z, one_hot])
    channels = filters * 2 ** (n_up - 1)
    x = layers.Dense(
        h * w * channels,
        use_bias=normalization is None,
        kernel_initializer=init(next(seeds)),
        name="project",
    )(x)
    x = layers.Reshape((h, w, channels))(x)
    x = layers.ReLU()(norm(x))
    for i in range(n_up):
        last = i == n_up - 1
        out = image_shape[-1] if last else filters * 2 ** (n_up - 2 - i)
        kwargs = dict(
            padding="same",
            kernel_initializer=init(next(seeds)),
            use_bias=last or normalization is None,
        )
        if upsampling == "transpose":
            x = layers.Conv2DTranspose(out, kernel_size, strides=2, **kwargs)(x)
        else:
            x = layers.UpSampling2D(2, interpolation="nearest")(x)
            x = layers.Conv2D(out, kernel_size, **kwargs)(x)
        if not last:
            x = layers.ReLU()(norm(x))
    images = layers.Activation("tanh", dtype="float32", name="images")(x)
    model = keras.Model(inputs, images, name=name)
    if normalization == "virtual":
        return ReferenceBatch(
            model, reference_size=reference_size, seed=next(seeds), name=f"{name}_vbn"
        )
    return model
