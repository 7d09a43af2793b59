"""`ImageToImageGAN`: the base of the GANs whose generator maps images to images."""

import numpy as np
from keras import ops

from keras_gans import backend
from keras_gans.gan import GAN
from keras_gans.utils import check_positive_int


def l1_distance(a, b):
    """Mean absolute difference of two batches (float32)."""
    return ops.mean(ops.abs(ops.cast(a, "float32") - ops.cast(b, "float32")))


def l2_distance(a, b):
    """Mean squared difference of two batches (float32)."""
    return ops.mean(ops.square(ops.cast(a, "float32") - ops.cast(b, "float32")))


def check_value_range(value_range):
    try:
        low, high = (float(v) for v in value_range)
    except (TypeError, ValueError):
        raise ValueError(
            f"`value_range` must be a pair (low, high); received {value_range!r}."
        ) from None
    if not high > low:
        raise ValueError(f"`value_range` must have high > low; received {value_range!r}.")
    return low, high


class ImageToImageGAN(GAN):
    """A GAN trained on image batches instead of noise: pix2pix, CycleGAN, SRGAN.

    The base class's machinery (compile, the two optimizers, the backend
    cores, saving, non-finite policies) is kept; a family writes its own
    `gan_train_step` for its inputs (pairs, or two unpaired domains) and
    calls `finish_step` with its loss values. `fit(x, y)` takes the inputs
    as `x` and the targets (pix2pix, SRGAN) or the second domain (CycleGAN,
    DiscoGAN) as `y`, as numpy arrays or a `tf.data.Dataset` of `(x, y)`.

    Images are float in [-1, 1] inside the model; `translate` takes numpy
    arrays or tensors of any batch size and returns images in the input's
    range.
    """

    def generate(self, *args, **kwargs):
        raise TypeError(
            f"{type(self).__name__} maps images to images and draws no noise: call "
            "`translate(images)` instead of `generate`."
        )

    @property
    def source_shape(self):
        """The shape of one input image (None for sizes the network accepts freely)."""
        return tuple(self.generator.inputs[0].shape[1:])

    @property
    def target_shape(self):
        """The shape of one target (or second-domain) image."""
        return tuple(self.data_shape)

    # ---------------------------------------------------------------- fit checks
    def _check_shape(self, x, expected, arg):
        shape = tuple(x.shape[1:])
        if len(shape) != len(expected) or any(
            e is not None and s is not None and s != e for s, e in zip(shape, expected)
        ):
            raise ValueError(
                f"`{arg}` has images of shape {shape} but {type(self).__name__} expects "
                f"{tuple(expected)}."
            )

    def _check_array(self, x, arg):
        x = np.asarray(x)
        if x.dtype.kind not in "biuf":
            raise TypeError(f"`{arg}` must hold numbers (float or int); received dtype {x.dtype}.")
        if x.ndim == 0 or len(x) == 0:
            raise ValueError(f"`{arg}` is empty (shape {x.shape}); give at least one image.")
        self._check_shape(x, self.source_shape, arg)
        return x

    def _check_labels_array(self, y, n):
        y = np.asarray(y)
        if y.ndim == 0 or len(y) != n:
            raise ValueError(
                f"`y` must hold one target image per input image: {n} inputs, "
                f"received shape {y.shape}."
            )
        self._check_shape(y, self.target_shape, "y")
        return y

    def image_batch(self, data, what="targets"):
        """Splits a `fit` batch into `(x, y)` float batches; both must be present."""
        x, y = self.unpack_batch(data)
        if y is None:
            raise ValueError(
                f"{type(self).__name__} trains on (inputs, {what}): call "
                f"`fit(inputs, {what})` or give a dataset of (inputs, {what}) pairs."
            )
        return ops.cast(x, self.compute_dtype), ops.cast(y, self.compute_dtype)

    # ------------------------------------------------------------------ the step
    def begin_step(self):
        """What `finish_step` needs to undo a non-finite step (or None)."""
        if not self._state.on_nonfinite:
            return None
        guarded = self._guarded_variables()
        return guarded, [ops.copy(ops.convert_to_tensor(v)) for v in guarded]

    def finish_step(self, values, guard):
        """Counts the step, updates the loss trackers and returns the logs."""
        self.optimizer.iterations.assign_add(1)
        guarded, before = guard if guard is not None else (None, None)
        trained = self.discriminator_trainable_variables + self.generator_trainable_variables
        return self._record_step(values, guarded, before, trained)

    # --------------------------------------------------------------- inference
    def run_network(self, network, images, value_range=None, batch_size=32):
        """Runs `network` on images in any range; returns them in the same range.

        Args:
            network: a Keras model from images in [-1, 1] to images in [-1, 1].
            images: numpy array or tensor `(n, h, w, c)`, or one image
                `(h, w, c)`.
            value_range: `(low, high)` of the input values. Default: (0, 255)
                for integer images, (-1, 1) for float images.
            batch_size: images per forward pass.

        Returns:
            A numpy array of the outputs in `value_range`: uint8 (rounded and
            clipped) for integer input, float32 otherwise.
        """
        batch_size = check_positive_int(batch_size, "batch_size")
        x = np.asarray(ops.convert_to_numpy(images))
        if x.dtype.kind not in "biuf":
            raise TypeError(f"`images` must hold numbers; received dtype {x.dtype}.")
        single = x.ndim == 3
        if single:
            x = x[None]
        if x.ndim != 4 or len(x) == 0:
            raise ValueError(
                f"`images` must have shape (n, height, width, channels) or (height, width, "
                f"channels); received {np.shape(images)}."
            )
        integer = x.dtype.kind in "biu"
        if value_range is None:
            value_range = (0.0, 255.0) if integer else (-1.0, 1.0)
        low, high = check_value_range(value_range)
        x = (x.astype("float32") - low) / (high - low) * 2.0 - 1.0
        expected = tuple(network.inputs[0].shape[1:])
        self._check_shape(x, expected, "images")
        outputs = []
        with backend.inference_mode():
            for start in range(0, len(x), batch_size):
                out = network.predict_on_batch(x[start : start + batch_size])
                outputs.append(np.asarray(ops.convert_to_numpy(out), dtype="float32"))
        y = (np.concatenate(outputs) + 1.0) / 2.0 * (high - low) + low
        if integer:
            y = np.clip(np.round(y), low, high).astype(
                np.asarray(ops.convert_to_numpy(images)).dtype
            )
        else:
            y = y.astype("float32")
        return y[0] if single else y

    def translate(self, images, value_range=None, batch_size=32):
        """Runs the generator on `images`; see `run_network` for ranges and types."""
        return self.run_network(self.generator, images, value_range, batch_size)
