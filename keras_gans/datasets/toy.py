"""Synthetic mixtures of Gaussians: the 1-D seed experiment, the 2-D ring and grid.

The ring and grid follow the mode-collapse protocol of VEEGAN and PacGAN:
ring = 8 Gaussians evenly spaced on a circle of radius 1, std 0.01;
grid = 25 Gaussians centred on {-4, -2, 0, 2, 4}^2, std 0.05.
Every function returns float32 numpy arrays and takes a `seed`.
"""

import numpy as np

from keras_gans.utils import check_positive_int


def _check_count(n):
    return check_positive_int(n, "n")


def _check_std(std):
    std = float(std)
    if not np.isfinite(std) or std <= 0:
        raise ValueError(f"`std` must be a positive number; received {std!r}.")
    return std


def mixture(n, means, stds, weights=None, seed=None):
    """Samples from a mixture of isotropic Gaussians.

    Args:
        n: number of samples.
        means: array `(k, d)` of component means.
        stds: one std for all components, or `k` of them.
        weights: mixing weights (default: uniform).
        seed: seed of numpy's generator.

    Returns:
        `(samples, components)`: float32 `(n, d)` samples and the int32 index
        of the component each was drawn from.
    """
    n = _check_count(n)
    means = np.asarray(means, dtype="float64")
    if means.ndim != 2 or len(means) == 0:
        raise ValueError(f"`means` must have shape (k, d) with k >= 1; received {means.shape}.")
    k = len(means)
    stds = np.broadcast_to(np.asarray(stds, dtype="float64"), (k,)).copy()
    if not np.all(np.isfinite(stds)) or np.any(stds <= 0):
        raise ValueError(f"Every std must be positive; received {stds.tolist()}.")
    if weights is None:
        weights = np.full(k, 1.0 / k)
    else:
        weights = np.asarray(weights, dtype="float64")
        if weights.shape != (k,) or np.any(weights < 0) or weights.sum() <= 0:
            raise ValueError(
                f"`weights` must be {k} non-negative numbers with a positive sum; "
                f"received {weights.tolist()}."
            )
        weights = weights / weights.sum()
    rng = np.random.default_rng(seed)
    components = rng.choice(k, size=n, p=weights)
    noise = rng.standard_normal((n, means.shape[1]))
    samples = means[components] + noise * stds[components, None]
    return samples.astype("float32"), components.astype("int32")


def gaussian_mixture_1d(n, means=(-2.0, 2.0), stds=0.5, weights=None, seed=None):
    """`n` samples of shape `(n, 1)` from a 1-D mixture of Gaussians.

    >>> gaussian_mixture_1d(4, means=(0.0,), stds=1.0, seed=0).shape
    (4, 1)
    """
    means = np.asarray(means, dtype="float64").reshape(-1, 1)
    return mixture(n, means, stds, weights=weights, seed=seed)[0]


def ring_modes(num_modes=8, radius=1.0):
    """The `(num_modes, 2)` means of the ring, evenly spaced on a circle."""
    check_positive_int(num_modes, "num_modes")
    angles = 2.0 * np.pi * np.arange(num_modes) / num_modes
    return (radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)).astype("float32")


def grid_modes(values=(-4.0, -2.0, 0.0, 2.0, 4.0)):
    """The `(len(values)**2, 2)` means of the grid."""
    values = np.asarray(values, dtype="float32")
    xx, yy = np.meshgrid(values, values, indexing="ij")
    return np.stack([xx.ravel(), yy.ravel()], axis=1)


def ring(n, num_modes=8, radius=1.0, std=0.01, seed=None):
    """`(n, 2)` samples from 8 Gaussians on a circle of radius 1, std 0.01.

    >>> ring(3, seed=0).shape
    (3, 2)
    """
    return mixture(n, ring_modes(num_modes, radius), _check_std(std), seed=seed)[0]


def grid(n, values=(-4.0, -2.0, 0.0, 2.0, 4.0), std=0.05, seed=None):
    """`(n, 2)` samples from 25 Gaussians on {-4,-2,0,2,4}^2, std 0.05."""
    return mixture(n, grid_modes(values), _check_std(std), seed=seed)[0]
