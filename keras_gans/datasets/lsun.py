"""LSUN bedrooms at 64x64, the DCGAN paper's data, through TensorFlow Datasets.

LSUN is ~3 million photos (tens of GB), far too large for the in-memory
loaders of `keras_gans.datasets.images`: this one streams TFDS's
`lsun/bedroom` from disk. Each photo is cropped to its central square and
resized to 64x64 (bilinear, antialiased), then scaled to [-1, 1], as in the
DCGAN paper's preprocessing.
"""

from keras_gans.datasets.images import DatasetInfo
from keras_gans.utils import check_positive_int, check_seed

TFDS_NAME = "lsun/bedroom"
INFO = DatasetInfo(
    name="lsun_bedroom",
    image_shape=(64, 64, 3),
    num_classes=0,
    class_names=(),
    splits={"train": 3033042, "validation": 300},
)


def center_crop_resize(image, size=64):
    """The central square of a uint8 `(h, w, c)` image, resized to `size`, in [-1, 1]."""
    import tensorflow as tf

    shape = tf.shape(image)
    side = tf.minimum(shape[0], shape[1])
    top = (shape[0] - side) // 2
    left = (shape[1] - side) // 2
    square = image[top : top + side, left : left + side]
    resized = tf.image.resize(
        tf.cast(square, tf.float32), (size, size), method="bilinear", antialias=True
    )
    return tf.clip_by_value(resized, 0.0, 255.0) / 127.5 - 1.0


def load_lsun_bedroom(
    split="train",
    data_dir=None,
    batch_size=128,
    seed=None,
    image_size=64,
    shuffle_buffer=10000,
    download=True,
):
    """LSUN bedrooms as a batched `tf.data.Dataset` of `(batch, 64, 64, 3)` in [-1, 1].

    Args:
        split: `"train"` (3,033,042 photos) or `"validation"` (300).
        data_dir: TFDS's data folder (default TFDS's own, `~/tensorflow_datasets`).
        batch_size: images per batch (the last incomplete batch is dropped).
        seed: seed of the file order and of the shuffle buffer.
        image_size: side of the square images.
        shuffle_buffer: size of the shuffle buffer.
        download: let TFDS download and prepare the data when it is missing.
    """
    import tensorflow as tf

    if split not in INFO.splits:
        raise ValueError(f"`split` must be one of {', '.join(INFO.splits)}; received {split!r}.")
    batch_size = check_positive_int(batch_size, "batch_size")
    image_size = check_positive_int(image_size, "image_size")
    shuffle_buffer = check_positive_int(shuffle_buffer, "shuffle_buffer")
    seed = check_seed(seed)
    try:
        import tensorflow_datasets as tfds
    except ImportError as e:
        raise ImportError(
            f"LSUN is read through tensorflow-datasets (`pip install keras-gans[data]`): {e}"
        ) from None
    try:
        data = tfds.load(
            TFDS_NAME,
            split=split,
            data_dir=data_dir,
            download=download,
            shuffle_files=True,
            read_config=tfds.ReadConfig(shuffle_seed=seed),
        )
    except Exception as e:
        raise RuntimeError(
            f"TensorFlow Datasets could not provide {TFDS_NAME} ({type(e).__name__}: {e}). "
            "It needs internet access to download and prepare LSUN (about 43 GB for "
            "bedrooms), or a data folder where it is already prepared: pass `data_dir=` "
            "(the recipe's --data_dir)."
        ) from e
    return (
        data.map(
            lambda ex: center_crop_resize(ex["image"], image_size),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
        .shuffle(shuffle_buffer, seed=seed)
        .batch(batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
