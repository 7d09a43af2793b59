"""Data for image-to-image models: pairs, unpaired domains and super-resolution crops.

Built from real images (see `keras_gans.datasets.load_numpy`, and
`load_folder` for the super-resolution photos). numpy helpers make the
arrays; `paired_dataset` / `unpaired_dataset` wrap them in a `tf.data`
pipeline with the papers' random jitter and mirroring.

- `colorization_pairs`: (grey, colour), the grey image being BT.601 luma.
- `edge_pairs`: (edges, image) with Sobel edges (below).
- `mnist_m`: MNIST-M built on the fly (Ganin & Lempitsky, 2015): each digit
  blended over a random crop of a random colour photo by the absolute
  difference `|crop - digit|`, the standard domain-adaptation construction.
- `sr_crops`: random high-resolution crops and their low-resolution
  versions made by bicubic downsampling (Pillow's antialiased bicubic, as
  MATLAB's `imresize`).

Augmentation runs inside `tf.data.map` with `tf.image` stateless ops, so it
works under every Keras backend. keras-cv's layers would work there too,
but importing keras-cv loads TensorFlow and PyTorch (~5 s, ~870 MB) and adds
nothing over `tf.image` for resize, crop and flip; the pipeline does not use it.
"""

import os

import numpy as np

from keras_gans.utils import check_number, check_positive_int, check_seed

SR_BENCHMARKS = ("CSet5", "CSet14", "CBSD68")


def to_float(images):
    """uint8 `[0, 255]` images as float32 in [-1, 1]."""
    return np.asarray(images, dtype="float32") / 127.5 - 1.0


def to_grey(images):
    """BT.601 luma of uint8 RGB images, uint8 `(n, h, w, 1)`."""
    x = np.asarray(images, dtype="float64")
    if x.shape[-1] != 3:
        raise ValueError(f"`images` must be RGB (last axis 3); received shape {x.shape}.")
    y = 0.299 * x[..., 0] + 0.587 * x[..., 1] + 0.114 * x[..., 2]
    return np.clip(np.round(y), 0, 255).astype("uint8")[..., None]


def colorization_pairs(images):
    """(grey input, colour target) pairs from uint8 RGB images, both float32 in [-1, 1].

    Returns `(grey (n, h, w, 1), colour (n, h, w, 3))`.
    """
    images = _check_uint8(images, "images")
    return to_float(to_grey(images)), to_float(images)


def sobel_edges(images, threshold=0.2):
    """Binary edge maps by the Sobel operator, uint8 `(n, h, w, 1)` with edges 255.

    The gradient magnitude `sqrt(Sx^2 + Sy^2)` of the grey image (scipy's
    3x3 Sobel kernels, reflected borders) is divided by its maximum in each
    image; pixels above `threshold` are edges. Edges are white on black.
    """
    from scipy import ndimage

    images = _check_uint8(images, "images")
    if images.ndim == 3:
        images = images[..., None]
    grey = images.astype("float64")
    if grey.shape[-1] == 3:
        grey = to_grey(images).astype("float64")
    grey = grey[..., 0]
    # One image at a time: ndimage.sobel also smooths along every other axis.
    magnitude = np.stack(
        [
            np.hypot(
                ndimage.sobel(g, axis=1, mode="reflect"), ndimage.sobel(g, axis=0, mode="reflect")
            )
            for g in grey
        ]
    )
    peak = magnitude.reshape(len(magnitude), -1).max(axis=1)
    magnitude = magnitude / np.maximum(peak, 1e-12)[:, None, None]
    threshold = check_number(threshold, "threshold")
    return np.where(magnitude > threshold, 255, 0).astype("uint8")[..., None]


def edge_pairs(images, threshold=0.2):
    """(edges input, image target) pairs, both float32 in [-1, 1]; see `sobel_edges`."""
    images = _check_uint8(images, "images")
    if images.ndim == 3:
        images = images[..., None]
    return to_float(sobel_edges(images, threshold)), to_float(images)


def mnist_m(digits, backgrounds, seed=0, size=None):
    """MNIST-M made on the fly: digits blended over random crops of colour photos.

    Each digit `d` (uint8, grey) gets a random photo from `backgrounds` and a
    random `size x size` crop `p` of it; the result is `|p - d|` per colour
    channel (Ganin & Lempitsky, 2015). The draw is fixed by `seed`.

    Args:
        digits: uint8 `(n, h, w)` or `(n, h, w, 1)` (for example MNIST).
        backgrounds: uint8 RGB `(m, H, W, 3)` with `H, W >= size` (for
            example CIFAR-10).
        seed: seed of the photo and crop choices.
        size: the digits' size; default their height (28 for MNIST).

    Returns:
        uint8 `(n, size, size, 3)`.
    """
    digits = _check_uint8(digits, "digits")
    if digits.ndim == 4:
        digits = digits[..., 0]
    backgrounds = _check_uint8(backgrounds, "backgrounds")
    if backgrounds.ndim != 4 or backgrounds.shape[-1] != 3:
        raise ValueError(f"`backgrounds` must be RGB (m, H, W, 3); received {backgrounds.shape}.")
    size = digits.shape[1] if size is None else check_positive_int(size, "size")
    if digits.shape[1:] != (size, size):
        raise ValueError(f"`digits` must be {size}x{size}; received {digits.shape[1:]}.")
    _, bh, bw, _ = backgrounds.shape
    if bh < size or bw < size:
        raise ValueError(f"`backgrounds` ({bh}x{bw}) are smaller than the digits ({size}).")
    rng = np.random.default_rng(check_seed(seed))
    n = len(digits)
    which = rng.integers(0, len(backgrounds), n)
    top = rng.integers(0, bh - size + 1, n)
    left = rng.integers(0, bw - size + 1, n)
    rows = top[:, None] + np.arange(size)[None]
    cols = left[:, None] + np.arange(size)[None]
    crops = backgrounds[which[:, None, None], rows[:, :, None], cols[:, None, :]]
    blended = np.abs(crops.astype("int16") - digits[..., None].astype("int16"))
    return blended.astype("uint8")


def grey_to_rgb(images):
    """Grey uint8 `(n, h, w[, 1])` repeated to three channels."""
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    return np.repeat(images, 3, axis=-1)


# ----------------------------------------------------------------- super-resolution
def bicubic_resize(images, size):
    """Resizes uint8 images to `size = (height, width)` with Pillow's bicubic filter.

    Pillow's bicubic (a = -0.5) is antialiased when shrinking, like MATLAB's
    `imresize`, the usual way to make low-resolution inputs. Takes one image
    `(h, w, c)` or a batch; returns uint8 of the same rank.
    """
    from PIL import Image

    images = _check_uint8(images, "images")
    single = images.ndim == 3
    batch = images[None] if single else images
    h, w = (check_positive_int(s, "size") for s in size)
    out = []
    for img in batch:
        grey = img.shape[-1] == 1
        pil = Image.fromarray(img[..., 0] if grey else img)
        res = np.asarray(pil.resize((w, h), Image.BICUBIC))
        out.append(res[..., None] if grey else res)
    out = np.stack(out)
    return out[0] if single else out


def load_folder(path):
    """All PNG/JPEG images of a folder as a list of uint8 RGB arrays (sorted by name)."""
    from PIL import Image

    if not os.path.isdir(path):
        raise FileNotFoundError(f"No image folder at {path!r}.")
    names = sorted(
        n for n in os.listdir(path) if n.lower().endswith((".png", ".jpg", ".jpeg", ".bmp"))
    )
    if not names:
        raise FileNotFoundError(f"The folder {path!r} holds no PNG or JPEG images.")
    return [np.asarray(Image.open(os.path.join(path, n)).convert("RGB")) for n in names]


def load_sr_benchmark(name, data_dir=None):
    """A super-resolution benchmark (`"CSet5"`, `"CSet14"`, `"CBSD68"`) as uint8 RGB arrays.

    The PNG files are read from `data_dir/<name>`, `data_dir/sr_benchmarks/<name>`
    (default `data_dir`: `$KERAS_GANS_DATA_DIR`).
    """
    from keras_gans.datasets.images import data_dir_from_env

    if name not in SR_BENCHMARKS:
        raise ValueError(f"`name` must be one of {', '.join(SR_BENCHMARKS)}; received {name!r}.")
    data_dir = data_dir_from_env(data_dir)
    if data_dir is None:
        raise ValueError(
            "The super-resolution benchmarks are read from local files: pass `data_dir=` "
            "or set KERAS_GANS_DATA_DIR."
        )
    for candidate in (os.path.join(data_dir, name), os.path.join(data_dir, "sr_benchmarks", name)):
        if os.path.isdir(candidate):
            return load_folder(candidate)
    raise FileNotFoundError(f"No {name} folder under {data_dir!r}.")


def sample_photos():
    """The photos shipped in scikit-learn (china, flower) and scikit-image
    (astronaut, coffee, chelsea, rocket, ...), each when installed, as uint8 RGB
    arrays (an empty list when neither is)."""
    photos = []
    try:
        from sklearn.datasets import load_sample_images
    except ImportError:
        pass
    else:
        photos.extend(np.asarray(img) for img in load_sample_images().images)
    try:
        from skimage import data as skdata
    except ImportError:
        return photos
    for name in (
        "astronaut",
        "coffee",
        "chelsea",
        "rocket",
        "motorcycle_left",
        "hubble_deep_field",
    ):
        try:
            img = np.asarray(getattr(skdata, name)())
        except Exception:  # noqa: BLE001 - some images need optional downloads
            continue
        if img.ndim == 3 and img.shape[-1] == 3:
            photos.append(img.astype("uint8"))
    return photos


def sr_crops(photos, n, crop_size=96, scale=4, seed=0, mirror=True):
    """Random high-resolution crops and their bicubic low-resolution versions.

    Args:
        photos: a list of uint8 RGB arrays of any sizes (>= `crop_size`).
        n: how many crops.
        crop_size: side of the high-resolution crops (96 in SRGAN);
            divisible by `scale`.
        scale: downsampling factor.
        seed: seed of the photo, position and mirroring draws.
        mirror: flip half of the crops left-right at random.

    Returns:
        `(lr, hr)` float32 in [-1, 1]: `(n, crop_size / scale, ..., 3)` and
        `(n, crop_size, crop_size, 3)`.
    """
    n = check_positive_int(n, "n")
    crop_size = check_positive_int(crop_size, "crop_size")
    scale = check_positive_int(scale, "scale")
    if crop_size % scale:
        raise ValueError(f"`crop_size` ({crop_size}) must be divisible by `scale` ({scale}).")
    photos = [p for p in photos if min(p.shape[:2]) >= crop_size]
    if not photos:
        raise ValueError(f"No photo is at least {crop_size} pixels on each side.")
    rng = np.random.default_rng(check_seed(seed))
    hr = np.empty((n, crop_size, crop_size, 3), dtype="uint8")
    for i in range(n):
        p = photos[rng.integers(len(photos))]
        top = rng.integers(0, p.shape[0] - crop_size + 1)
        left = rng.integers(0, p.shape[1] - crop_size + 1)
        crop = p[top : top + crop_size, left : left + crop_size, :3]
        hr[i] = crop[:, ::-1] if mirror and rng.random() < 0.5 else crop
    lr = bicubic_resize(hr, (crop_size // scale, crop_size // scale))
    return to_float(lr), to_float(hr)


def sr_pair(image, scale=4):
    """One benchmark image cut to a multiple of `scale` and its bicubic LR version (uint8)."""
    image = _check_uint8(image, "image")
    h, w = (image.shape[0] // scale) * scale, (image.shape[1] // scale) * scale
    hr = image[:h, :w]
    return bicubic_resize(hr, (h // scale, w // scale)), hr


# ------------------------------------------------------------------ tf.data pipelines
def paired_dataset(x, y, batch_size=1, seed=0, jitter=1.125, mirror=True, shuffle=True):
    """A `tf.data.Dataset` of `(x, y)` batches with pix2pix's jitter and mirroring.

    The same random crop and flip apply to both images of a pair: they are
    stacked along the channels, resized up by `jitter` (nearest neighbour;
    286/256 = 1.117 in the paper), randomly cropped back and flipped
    left-right. Draws come from `(seed, position)` through stateless ops,
    so a run is repeatable. `jitter=1` turns the crop off, `mirror=False`
    the flip.
    """
    import tensorflow as tf

    x = np.asarray(x, dtype="float32")
    y = np.asarray(y, dtype="float32")
    if len(x) != len(y) or x.shape[1:3] != y.shape[1:3]:
        raise ValueError(f"`x` {x.shape} and `y` {y.shape} must be pairs of the same size.")
    batch_size = check_positive_int(batch_size, "batch_size")
    seed = check_seed(seed) or 0
    jitter = check_number(jitter, "jitter", minimum=1.0)
    cx = x.shape[-1]
    size = x.shape[1:3]

    def augment(index, pair):
        s = tf.stack([tf.constant(seed, tf.int64), index])
        both = tf.concat(pair, axis=-1)
        if jitter > 1:
            big = (int(round(size[0] * jitter)), int(round(size[1] * jitter)))
            both = tf.image.resize(both, big, method="nearest")
            both = tf.image.stateless_random_crop(both, (*size, both.shape[-1]), seed=s)
        if mirror:
            both = tf.image.stateless_random_flip_left_right(both, seed=s + 1)
        return both[..., :cx], both[..., cx:]

    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.enumerate().map(augment, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def unpaired_dataset(a, b, batch_size=1, seed=0, jitter=1.0, mirror=False):
    """A `tf.data.Dataset` of `(a_batch, b_batch)` from two unpaired image sets.

    Each domain is shuffled on its own (a new order every epoch) and
    augmented on its own; an epoch has `min(len(a), len(b)) // batch_size`
    batches. CycleGAN's jitter is `jitter=1.117, mirror=True`.
    """
    import tensorflow as tf

    batch_size = check_positive_int(batch_size, "batch_size")
    seed = check_seed(seed) or 0
    jitter = check_number(jitter, "jitter", minimum=1.0)

    def domain(images, salt):
        images = np.asarray(images, dtype="float32")
        size = images.shape[1:3]

        def augment(index, image):
            s = tf.stack([tf.constant(seed * 2 + salt, tf.int64), index])
            if jitter > 1:
                big = (int(round(size[0] * jitter)), int(round(size[1] * jitter)))
                image = tf.image.resize(image, big, method="nearest")
                image = tf.image.stateless_random_crop(image, (*size, image.shape[-1]), seed=s)
            if mirror:
                image = tf.image.stateless_random_flip_left_right(image, seed=s + 1)
            return image

        ds = tf.data.Dataset.from_tensor_slices(images)
        ds = ds.shuffle(len(images), seed=seed * 2 + salt, reshuffle_each_iteration=True)
        return ds.enumerate().map(augment, num_parallel_calls=tf.data.AUTOTUNE)

    ds = tf.data.Dataset.zip((domain(a, 0), domain(b, 1)))
    return ds.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def _check_uint8(images, arg):
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise TypeError(f"`{arg}` must be uint8 images in [0, 255]; received dtype {images.dtype}.")
    if images.ndim not in (3, 4) or images.size == 0:
        raise ValueError(f"`{arg}` must be a non-empty image batch; received shape {images.shape}.")
    return images
