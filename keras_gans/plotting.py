"""Plots of real and generated samples (matplotlib, no display needed)."""

import os

import numpy as np


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
    tmp = path + ".tmp.png"
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    os.replace(tmp, path)
    return path
