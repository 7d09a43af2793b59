"""Image data sets: MNIST, Fashion-MNIST and CIFAR-10, online or from local files.

Two sources, same result:

- Online (the default): TensorFlow Datasets downloads and caches the data
  (`tfds.load(name)`).
- Local files: when `data_dir=` or the environment variable
  `KERAS_GANS_DATA_DIR` is set, the files are read from there and nothing is
  downloaded. MNIST and Fashion-MNIST are the four gzip IDX files of the
  original distribution (`train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`,
  `t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz`), CIFAR-10 is
  `cifar10_jpg_q75.tar.gz`, a tar.gz of `train/<class>/*.jpg` and
  `test/<class>/*.jpg`. The files may sit in `data_dir/<name>/` or directly
  in `data_dir`.

`load_numpy` returns uint8 images `(n, height, width, channels)` and int64
labels; `load` returns a batched, shuffled `tf.data.Dataset` of float32
images scaled to [-1, 1] (and labels when asked), ready for `GAN.fit` on any
backend.
"""

import collections
import gzip
import hashlib
import io
import os
import tarfile

import numpy as np

from keras_gans.datasets.stream import tf_stream
from keras_gans.utils import atomic_write, check_positive_int, check_seed

ENV_VAR = "KERAS_GANS_DATA_DIR"

DatasetInfo = collections.namedtuple(
    "DatasetInfo", ["name", "image_shape", "num_classes", "class_names", "splits"]
)

_IDX_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
_CIFAR10_ARCHIVE = "cifar10_jpg_q75.tar.gz"

_INFO = {
    "mnist": DatasetInfo(
        "mnist", (28, 28, 1), 10, tuple(str(i) for i in range(10)), {"train": 60000, "test": 10000}
    ),
    "fashion_mnist": DatasetInfo(
        "fashion_mnist",
        (28, 28, 1),
        10,
        (
            "t-shirt/top",
            "trouser",
            "pullover",
            "dress",
            "coat",
            "sandal",
            "shirt",
            "sneaker",
            "bag",
            "ankle boot",
        ),
        {"train": 60000, "test": 10000},
    ),
    "cifar10": DatasetInfo(
        "cifar10",
        (32, 32, 3),
        10,
        (
            "airplane",
            "automobile",
            "bird",
            "cat",
            "deer",
            "dog",
            "frog",
            "horse",
            "ship",
            "truck",
        ),
        {"train": 50000, "test": 10000},
    ),
}
NAMES = tuple(_INFO)


def info(name):
    """Returns the `DatasetInfo` of a data set: shape, classes and split sizes."""
    return _INFO[_check_name(name)]


def _check_name(name):
    if name not in _INFO:
        raise ValueError(
            f"Unknown data set {name!r}: `name` must be one of {', '.join(NAMES)}; "
            f"received {name!r}."
        )
    return name


def _check_split(split):
    if split not in _IDX_FILES:
        raise ValueError(f"`split` must be 'train' or 'test'; received {split!r}.")
    return split


def data_dir_from_env(data_dir=None):
    """The local data folder: `data_dir` if given, else `$KERAS_GANS_DATA_DIR`."""
    if data_dir is None:
        data_dir = os.environ.get(ENV_VAR) or None
    if data_dir is not None:
        data_dir = os.fspath(data_dir)
    return data_dir


def load_numpy(name, split="train", data_dir=None):
    """Loads a whole split as numpy arrays.

    Args:
        name: one of `"mnist"`, `"fashion_mnist"`, `"cifar10"`.
        split: `"train"` or `"test"`.
        data_dir: a folder holding the data set's files (see the module
            docstring); default `$KERAS_GANS_DATA_DIR`, and when neither is
            set the data come from TensorFlow Datasets.

    Returns:
        `(images, labels)`: uint8 `(n, height, width, channels)` and int64 `(n,)`.
    """
    name = _check_name(name)
    split = _check_split(split)
    data_dir = data_dir_from_env(data_dir)
    if data_dir is None:
        images, labels = _load_tfds(name, split)
    elif name == "cifar10":
        images, labels = _load_cifar10_local(_find(name, data_dir, [_CIFAR10_ARCHIVE])[0], split)
    else:
        image_file, label_file = _find(name, data_dir, _IDX_FILES[split])
        images = _read_idx(image_file)[..., None]
        labels = _read_idx(label_file).astype("int64")
    expected = _INFO[name]
    if images.shape[1:] != expected.image_shape or len(images) != len(labels):
        raise ValueError(
            f"The {name} {split} files hold images of shape {images.shape} and "
            f"{len(labels)} labels; expected images of shape (n, "
            f"{', '.join(map(str, expected.image_shape))}) with one label each."
        )
    return images, labels


def load(
    name,
    split="train",
    data_dir=None,
    batch_size=64,
    labels=False,
    shuffle=True,
    seed=None,
    drop_remainder=True,
    take=None,
):
    """Loads a data set as a batched, shuffled `tf.data.Dataset` for `GAN.fit`.

    Images are float32 in [-1, 1] with shape `(batch, height, width,
    channels)`. A `tf.data.Dataset` feeds `fit` on every Keras backend.

    Args:
        name: one of `"mnist"`, `"fashion_mnist"`, `"cifar10"`.
        split: `"train"` or `"test"`.
        data_dir: a local folder holding the files (default
            `$KERAS_GANS_DATA_DIR`; when neither is set, TensorFlow Datasets).
        batch_size: images per batch.
        labels: when True the dataset yields `(images, labels)` with int32
            labels, for conditional GANs.
        shuffle: reshuffle the whole split every pass.
        seed: seed of the shuffle (None: a different order every run). Pass
            `p` over the data is in an order drawn from `(seed, p)`, and
            `GAN.fit` starts epoch `e` at batch `e * steps_per_epoch` of the
            stream (also through `dataset.repeat()`), so a run resumed from a
            checkpoint sees the same batches as an uninterrupted one.
        drop_remainder: drop the last incomplete batch, so every batch has
            `batch_size` images.
        take: use only the first `take` images of the split.
    """
    import tensorflow as tf

    batch_size = check_positive_int(batch_size, "batch_size")
    seed = check_seed(seed)
    images, label_array = load_numpy(name, split, data_dir)
    if take is not None:
        take = check_positive_int(take, "take")
        images, label_array = images[:take], label_array[:take]
    if drop_remainder and len(images) < batch_size:
        raise ValueError(
            f"`batch_size`={batch_size} is larger than the {len(images)} images "
            "available with drop_remainder=True; lower it or pass drop_remainder=False."
        )
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % 2**31)
    arrays = (images, label_array.astype("int32")) if labels else (images,)

    def scale(x, *y):
        x = tf.cast(x, tf.float32) / 127.5 - 1.0
        return (x, *y) if y else x

    # A positional stream (keras_gans.datasets.stream): pass p over the split
    # is in the order drawn from (seed, p), and `GAN.fit` starts epoch e at
    # batch e * steps_per_epoch, so a resumed run sees the same batches.
    return tf_stream(
        arrays, batch_size, seed, shuffle=shuffle, drop_remainder=drop_remainder, transform=scale
    )


def to_uint8(images):
    """Maps images from [-1, 1] back to uint8 [0, 255]."""
    images = np.asarray(images, dtype="float32")
    return np.clip(np.round((images + 1.0) * 127.5), 0, 255).astype("uint8")


# ---------------------------------------------------------------- local files
def _find(name, data_dir, filenames):
    if not os.path.isdir(data_dir):
        raise FileNotFoundError(
            f"The data folder {data_dir!r} (from `data_dir` or ${ENV_VAR}) does "
            "not exist. Point it at a folder holding the data set's files, or "
            f"unset it to download {name} through TensorFlow Datasets."
        )
    candidates = [os.path.join(data_dir, name), data_dir]
    for folder in candidates:
        paths = [os.path.join(folder, f) for f in filenames]
        if all(os.path.isfile(p) for p in paths):
            return paths
    raise FileNotFoundError(
        f"Could not find the {name} files {', '.join(filenames)} in "
        f"{' or '.join(repr(c) for c in candidates)}. Put the original files "
        f"there (see keras_gans.datasets.images for the expected layout), point "
        f"`data_dir` / ${ENV_VAR} elsewhere, or unset both to download {name} "
        "through TensorFlow Datasets."
    )


def _read_idx(path):
    """Reads a gzip IDX file (the MNIST format) into a numpy array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path!r} is not an unsigned-byte IDX file.")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    offset = 4 + 4 * ndim
    count = int(np.prod(shape))
    if len(data) - offset != count:
        raise ValueError(
            f"{path!r} is truncated or corrupt: the header promises {count} "
            f"bytes of shape {shape}, the file holds {len(data) - offset}."
        )
    return np.frombuffer(data, dtype="uint8", offset=offset).reshape(shape).copy()


def _cache_dir():
    return os.path.join(
        os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras")),
        "datasets",
        "keras_gans",
    )


def _load_cifar10_local(archive, split):
    """Decodes the split's JPEGs once and caches them as a `.npz`.

    The cache name carries the archive's sha256, so a changed archive is
    decoded again. Classes are numbered in the standard CIFAR-10 order; images
    are ordered by class, then file name.
    """
    with open(archive, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    cache = os.path.join(_cache_dir(), f"cifar10_{split}_{digest}.npz")
    if os.path.isfile(cache):
        try:
            with np.load(cache) as data:
                return data["images"], data["labels"]
        except (OSError, ValueError, KeyError):
            pass  # A damaged cache is decoded again below.
    from PIL import Image

    class_index = {c: i for i, c in enumerate(_INFO["cifar10"].class_names)}
    entries = []
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            parts = member.name.strip("./").split("/")
            if not member.isfile() or len(parts) != 3 or parts[0] != split:
                continue
            if parts[1] not in class_index:
                raise ValueError(f"{archive!r}: unknown class folder {parts[1]!r}.")
            raw = tar.extractfile(member).read()
            entries.append((class_index[parts[1]], parts[2], raw))
    entries.sort(key=lambda e: (e[0], e[1]))
    images = np.empty((len(entries), 32, 32, 3), dtype="uint8")
    for i, (_, fname, raw) in enumerate(entries):
        image = np.asarray(Image.open(io.BytesIO(raw)).convert("RGB"))
        if image.shape != (32, 32, 3):
            raise ValueError(f"{archive!r}: {fname} has shape {image.shape}, not 32x32x3.")
        images[i] = image
    labels = np.array([e[0] for e in entries], dtype="int64")
    _atomic_savez(cache, images=images, labels=labels)
    return images, labels


def _atomic_savez(path, **arrays):
    """Writes a `.npz` atomically (`utils.atomic_write`); skips an unwritable cache."""
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return  # No writable cache: decode again next time.
    if not os.access(folder, os.W_OK):
        return
    atomic_write(path, lambda tmp: np.savez(tmp, **arrays))


# -------------------------------------------------------------------- online
def _load_tfds(name, split):
    try:
        import tensorflow_datasets as tfds
    except ImportError as e:
        raise ImportError(
            f"Loading {name} online needs tensorflow-datasets "
            "(`pip install keras-gans[data]`); or pass `data_dir=` / set "
            f"${ENV_VAR} to a folder holding the files ({e})."
        ) from None
    try:
        images, labels = tfds.as_numpy(
            tfds.load(name, split=split, as_supervised=True, batch_size=-1)
        )
    except Exception as e:
        raise RuntimeError(
            f"TensorFlow Datasets could not provide {name} ({type(e).__name__}: "
            f"{e}). Without internet access, download the files elsewhere and "
            f"pass `data_dir=` or set ${ENV_VAR} (see keras_gans.datasets.images)."
        ) from e
    return np.asarray(images, dtype="uint8"), np.asarray(labels, dtype="int64")
