"""Mode-collapse statistics for samples from known mixtures of Gaussians."""

import collections

import numpy as np

ModeCoverage = collections.namedtuple(
    "ModeCoverage", ["modes", "high_quality", "reverse_kl", "counts"]
)
ModeCoverage.__doc__ = """Result of `mode_coverage`.

modes: number of modes captured; high_quality: share of samples within
`threshold` stds of their nearest mode; reverse_kl: KL(generated mode
histogram || uniform) in nats (inf when no sample is of high quality);
counts: high-quality samples per mode.
"""


def _as_points(x, arg):
    x = np.asarray(x, dtype="float64")
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or len(x) == 0:
        raise ValueError(f"`{arg}` must have shape (n, d) with n >= 1; received {x.shape}.")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"`{arg}` contains NaN or infinite values.")
    return x


def mode_coverage(samples, means, std, threshold=3.0):
    """The VEEGAN / PacGAN mode statistics of generated samples.

    A sample is of high quality when it lies within `threshold * std` of its
    nearest mode; a mode is captured when it is the nearest mode of at least
    one high-quality sample. The reverse KL compares the histogram of
    high-quality samples over modes with the uniform distribution.

    Args:
        samples: `(n, d)` generated samples.
        means: `(k, d)` the mixture's means.
        std: the mixture's (shared) standard deviation.
        threshold: how many stds count as high quality (3 in the papers).

    Returns:
        A `ModeCoverage(modes, high_quality, reverse_kl, counts)`.

    >>> import numpy as np
    >>> means = np.array([[0.0, 0.0], [5.0, 5.0]])
    >>> r = mode_coverage(np.array([[0.0, 0.0], [1.0, 1.0]]), means, 0.1)
    >>> (r.modes, r.high_quality)
    (1, 0.5)
    """
    samples = _as_points(samples, "samples")
    means = _as_points(means, "means")
    if samples.shape[1] != means.shape[1]:
        raise ValueError(
            f"`samples` have {samples.shape[1]} dimensions but `means` have {means.shape[1]}."
        )
    std = float(std)
    if not std > 0:
        raise ValueError(f"`std` must be positive; received {std!r}.")
    d2 = ((samples[:, None, :] - means[None, :, :]) ** 2).sum(-1)
    nearest = d2.argmin(axis=1)
    dist = np.sqrt(d2[np.arange(len(samples)), nearest])
    good = dist <= threshold * std
    counts = np.bincount(nearest[good], minlength=len(means))
    total = counts.sum()
    if total == 0:
        kl = float("inf")
    else:
        p = counts[counts > 0] / total
        kl = float(np.sum(p * np.log(p * len(means))))
    return ModeCoverage(
        modes=int(np.count_nonzero(counts)),
        high_quality=float(good.mean()),
        reverse_kl=kl,
        counts=counts,
    )


def total_variation_1d(samples, reference, bins=50, value_range=None):
    """Total variation distance between the histograms of two 1-D samples.

    Both are binned on the same `bins` equal bins over `value_range`
    (default: the range of `reference` widened by 10%); samples outside the
    range count as one extra bin, so a generator that puts mass far away is
    penalised. 0 for identical histograms, 1 for disjoint ones.
    """
    samples = _as_points(samples, "samples")[:, 0]
    reference = _as_points(reference, "reference")[:, 0]
    if value_range is None:
        lo, hi = reference.min(), reference.max()
        pad = 0.1 * (hi - lo) or 1.0
        value_range = (lo - pad, hi + pad)
    edges = np.linspace(value_range[0], value_range[1], bins + 1)
    p = np.histogram(samples, edges)[0] / len(samples)
    q = np.histogram(reference, edges)[0] / len(reference)
    outside = abs((1.0 - p.sum()) - (1.0 - q.sum()))
    return float(0.5 * (np.abs(p - q).sum() + outside))


def wasserstein_1d(samples, reference):
    """Earth mover's (Wasserstein-1) distance between two 1-D samples.

    Computed exactly from the two empirical quantile functions.
    """
    a = np.sort(_as_points(samples, "samples")[:, 0])
    b = np.sort(_as_points(reference, "reference")[:, 0])
    qs = np.linspace(0.0, 1.0, max(len(a), len(b)) * 4 + 1)[1:-1]
    return float(np.mean(np.abs(np.quantile(a, qs) - np.quantile(b, qs))))
