"""Plots of real and generated samples (matplotlib, no display needed)."""

import os

import numpy as np

from keras_gans.utils import atomic_write


def plot_samples_2d(real, generated, path, means=None, title=None):
    """Writes a PNG scatter plot of real and generated 2-D samples.

    Args:
        real: `(n, 2)` real samples.
        generated: `(m, 2)` generated samples.
        path: where to write the PNG; its folder is created if needed.
        means: optional `(k, 2)` mode centres to mark.
        title: optional figure title.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    real = np.asarray(real)
    generated = np.asarray(generated)
    for arg, x in (("real", real), ("generated", generated)):
        if x.ndim != 2 or x.shape[1] != 2:
            raise ValueError(f"`{arg}` must have shape (n, 2); received {x.shape}.")
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fig, axes = plt.subplots(1, 2, figsize=(9, 4.5), sharex=True, sharey=True)
    for ax, x, label, colour in (
        (axes[0], real, "real", "tab:blue"),
        (axes[1], generated, "generated", "tab:orange"),
    ):
        ax.scatter(x[:, 0], x[:, 1], s=2, alpha=0.5, c=colour)
        if means is not None:
            m = np.asarray(means)
            ax.scatter(m[:, 0], m[:, 1], marker="x", c="k", s=30, linewidths=1)
        ax.set_title(f"{label} ({len(x)})")
        ax.set_aspect("equal")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    try:
        atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=100, format="png"))
    finally:
        plt.close(fig)
    return path


def image_grid(images, columns=None):
    """Tiles images `(n, h, w, c)` in [-1, 1] into one uint8 array `(H, W, c)`.

    Grey images keep one channel; a 1-pixel gap of mid grey separates tiles.
    """
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or len(images) == 0:
        raise ValueError(
            f"`images` must have shape (n, height, width, 1 or 3); received {images.shape}."
        )
    n, h, w, c = images.shape
    columns = int(columns or int(np.ceil(np.sqrt(n))))
    rows = int(np.ceil(n / columns))
    pixels = np.clip(np.round((images + 1.0) * 127.5), 0, 255).astype("uint8")
    grid = np.full((rows * (h + 1) - 1, columns * (w + 1) - 1, c), 128, dtype="uint8")
    for i in range(n):
        r, q = divmod(i, columns)
        grid[r * (h + 1) : r * (h + 1) + h, q * (w + 1) : q * (w + 1) + w] = pixels[i]
    return grid


def save_image_grid(images, path, columns=None, scale=2):
    """Writes images in [-1, 1] as one PNG grid (atomically: `utils.atomic_write`)."""
    from PIL import Image

    grid = image_grid(images, columns)
    if grid.shape[-1] == 1:
        image = Image.fromarray(grid[..., 0], mode="L")
    else:
        image = Image.fromarray(grid, mode="RGB")
    if scale != 1:
        image = image.resize((image.width * scale, image.height * scale), Image.NEAREST)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    atomic_write(path, lambda tmp: image.save(tmp, format="PNG"))
    return path


def plot_losses(history, path, title=None):
    """Plots every loss curve of a `History` (or its `.history` dict) into a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise ValueError("`history` must be a keras History or a non-empty dict of lists.")
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, values in sorted(logs.items()):
        ax.plot(np.arange(1, len(values) + 1), values, label=name)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.legend()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    try:
        atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=100, format="png"))
    finally:
        plt.close(fig)
    return path
