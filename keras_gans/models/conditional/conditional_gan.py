"""`ConditionalGAN`: class-conditional DCGAN (Mirza & Osindero, 2014)."""

import keras
import numpy as np
from keras import ops

from keras_gans.datasets.stream import LABELS_ERROR, check_dataset_labels
from keras_gans.models.dcgan.dcgan import DCGAN
from keras_gans.utils import check_positive_int


class LabelledFit:
    """Grid inputs and `fit` checks of GANs conditioned on `num_classes` labels.

    Mixed into `keras_gans.GAN` subclasses that define `num_classes` and
    `check_labels`: grids cycle through the classes, and labels out of range
    are refused in `fit` (numpy `y`, and datasets from `keras_gans.datasets`)
    with a message instead of a backend error.
    """

    def grid_inputs(self, n, seed=0):
        inputs = super().grid_inputs(n, seed)
        inputs["labels"] = np.arange(n, dtype="int32") % self.num_classes
        return inputs

    def fit(self, x=None, y=None, *args, **kwargs):
        if y is not None and isinstance(y, (np.ndarray, list)):
            flat = np.asarray(y).reshape(-1)
            self.check_labels(flat, len(flat), arg="y")
        x, checked = check_dataset_labels(x, self.num_classes)
        try:
            return super().fit(x, y, *args, **kwargs)
        except Exception as e:
            if checked and LABELS_ERROR in str(e):
                message = str(e)[str(e).index(LABELS_ERROR) :].splitlines()[0].rstrip("]")
                raise ValueError(message) from None
            raise


@keras.saving.register_keras_serializable(package="keras_gans")
class ConditionalGAN(LabelledFit, DCGAN):
    """A GAN that draws images of a requested class.

    Both networks receive the class label (Mirza & Osindero, 2014): the
    generator takes `concat([z, one_hot(label)])`, the discriminator takes the
    image with one-hot label maps stacked as extra channels. The networks are
    otherwise DCGAN's (see `DCGAN` for every other argument). Train on
    `(images, labels)` batches, for example
    `keras_gans.datasets.load("mnist", labels=True)`, with int labels in
    `[0, num_classes)`.

    Args:
        image_shape: `(height, width, channels)`.
        num_classes: the number of classes.
        **kwargs: the arguments of `DCGAN`.

    Example:

    >>> gan = ConditionalGAN(image_shape=(28, 28, 1), num_classes=10, seed=0)
    >>> gan.generate(4, labels=[0, 1, 2, 3]).shape
    (4, 28, 28, 1)
    """

    conditional = True

    def __init__(self, image_shape=(28, 28, 1), num_classes=10, **kwargs):
        self.num_classes = check_positive_int(num_classes, "num_classes")
        super().__init__(image_shape=image_shape, _num_classes=self.num_classes, **kwargs)
        self._family_config["num_classes"] = self.num_classes

    def _num_classes_arg(self, kwargs):
        return kwargs.pop("_num_classes")

    def call_generator(self, z, labels=None, training=False):
        return self.generator([z, labels], training=training)

    def call_discriminator(self, x, labels=None, training=False):
        return self.discriminator([x, labels], training=training)

    def call(self, inputs, training=False):
        """Calling the model on `[z, labels]` runs the generator."""
        return self.generator(inputs, training=training)

    def check_step_labels(self, labels):
        if labels is None:
            raise ValueError(
                f"{type(self).__name__} trains on (images, labels) batches; the "
                "data has no labels. Use keras_gans.datasets.load(..., labels=True) "
                "or fit(x=images, y=labels)."
            )
        if len(labels.shape) == 2 and labels.shape[-1] == 1:
            labels = ops.reshape(labels, (-1,))
        if len(labels.shape) != 1:
            raise ValueError(
                "Labels must be one int class index per sample, shape (batch,); "
                f"received shape {tuple(labels.shape)}."
            )
        return ops.cast(labels, "int32")

    def check_labels(self, labels, n, arg="labels"):
        """`generate`'s labels: None cycles through the classes, an int repeats."""
        if labels is None:
            return np.arange(n, dtype="int32") % self.num_classes
        labels = np.asarray(labels)
        if labels.ndim == 0:
            labels = np.full((n,), labels)
        if labels.dtype.kind not in "iu" and not (
            labels.dtype.kind == "f" and np.all(labels == np.round(labels))
        ):
            raise TypeError(f"`{arg}` must be int class indices; received dtype {labels.dtype}.")
        if labels.shape != (n,):
            raise ValueError(
                f"`{arg}` must hold one label per sample, shape ({n},); received "
                f"shape {labels.shape}."
            )
        if labels.size and (labels.min() < 0 or labels.max() >= self.num_classes):
            raise ValueError(
                f"`{arg}` must lie in [0, {self.num_classes}); received values from "
                f"{labels.min()} to {labels.max()}."
            )
        return labels.astype("int32")
