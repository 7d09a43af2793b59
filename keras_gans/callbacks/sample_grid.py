"""`SampleGrid`: PNG grids of generated images from fixed inputs during training."""

import os

import keras

from keras_gans.plotting import save_image_grid
from keras_gans.utils import check_positive_int


class SampleGrid(keras.callbacks.Callback):
    """Writes a PNG grid of generated images every `every` epochs.

    The grid always uses the same inputs (`model.grid_inputs`: fixed noise,
    and fixed labels or codes for conditional families), drawn with numpy so
    that drawing a grid never advances the model's training noise: a run
    with the callback trains exactly like one without.

    Args:
        path: file name pattern, formatted with `epoch` (1-based), for
            example `"samples/epoch_{epoch:03d}.png"`.
        num_samples: images per grid.
        columns: images per row (default: 10 for conditional families, else
            a square grid).
        every: write a grid every this many epochs (and after the last one).
        seed: seed of the fixed inputs.
    """

    def __init__(self, path, num_samples=64, columns=None, every=1, seed=0):
        super().__init__()
        self.path = os.fspath(path)
        self.num_samples = check_positive_int(num_samples, "num_samples")
        self.columns = None if columns is None else check_positive_int(columns, "columns")
        self.every = check_positive_int(every, "every")
        self.seed = int(seed)
        self.written = []
        try:
            self.path.format(epoch=1)
        except (KeyError, IndexError, ValueError) as e:
            raise ValueError(
                f"`path` must be a file name that may contain {{epoch}}; received {path!r} ({e})."
            ) from None

    def write(self, epoch):
        """Writes the grid for `epoch` (1-based) and returns its path."""
        inputs = self.model.grid_inputs(self.num_samples, seed=self.seed)
        images = self.model.generate(**inputs)
        columns = self.columns
        if columns is None and (getattr(self.model, "conditional", False) or "labels" in inputs):
            columns = 10
        path = save_image_grid(images, self.path.format(epoch=epoch), columns=columns)
        self.written.append(path)
        return path

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            self.write(epoch + 1)
