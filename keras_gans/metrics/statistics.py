"""Sample-quality statistics of feature arrays: FID, KID, IS, precision/recall.

Every function here takes features (or class probabilities) that a feature
network has already computed: `keras_gans.metrics.classifier(name).features`,
`keras_gans.metrics.InceptionV3Features`, or any callable the user brings. The
network is never hard-wired, so the same statistic serves 2-D points, digits
and photos.

Precision. The networks run in float32 on whatever backend Keras uses; the
statistics run in numpy float64 on the CPU, on purpose:
- FID subtracts traces of 128- to 2048-dimensional covariance matrices whose
  entries are sums over thousands of samples; the matrix square root amplifies
  float32 rounding (published FIDs differ in their first decimal between
  float32 and float64 code).
- KID's unbiased MMD^2 is a difference of means of cubed dot products of
  similar size; in float32 the cancellation leaves noise of the order of the
  value for close distributions.
- Precision/recall/density/coverage compare distances with k-NN radii; ties
  computed in float32 as |x|^2 + |y|^2 - 2 x.y flip with rounding, so the
  same features would give slightly different counts on each backend.
JAX runs in float32 unless `jax_enable_x64` is switched on for the whole
process, which a library should not do behind the user's back; numpy float64
gives every backend the same result from the same features, bit for bit. The
work is a few matrix products of (n, d) arrays, which BLAS does in seconds for
n = 10,000 and d = 2,048; pairwise distances go in row blocks of at most
`_BLOCK_ELEMENTS` entries, so memory stays bounded (about 64 MB a block)
whatever n is.
"""

import collections

import numpy as np

from keras_gans.utils import check_positive_int, check_seed

KID = collections.namedtuple("KID", ["mean", "std"])
KID.__doc__ = "Kernel Inception Distance: mean and standard deviation over subsets."
InceptionScore = collections.namedtuple("InceptionScore", ["mean", "std"])
InceptionScore.__doc__ = "Inception Score: mean and standard deviation over splits."
PrecisionRecall = collections.namedtuple("PrecisionRecall", ["precision", "recall"])
PrecisionRecall.__doc__ = "Improved precision and recall (Kynkäänniemi et al., 2019)."
DensityCoverage = collections.namedtuple("DensityCoverage", ["density", "coverage"])
DensityCoverage.__doc__ = "Density and coverage (Naeem et al., 2020)."
FeatureStatistics = collections.namedtuple("FeatureStatistics", ["mean", "covariance", "count"])
FeatureStatistics.__doc__ = "Mean `(d,)`, covariance `(d, d)` (float64) and sample count."

_BLOCK_ELEMENTS = 1 << 23  # entries of one block of pairwise distances (64 MB in float64)


# ------------------------------------------------------------------ checks
def _to_numpy(x):
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (list, tuple)):
        return np.asarray(x)
    import keras  # tensors of any backend

    return np.asarray(keras.ops.convert_to_numpy(x))


def as_features(x, arg, min_samples=2):
    """Returns `x` as a float64 `(n, d)` array, or raises a ValueError naming `arg`."""
    x = _to_numpy(x)
    if x.ndim != 2:
        raise ValueError(
            f"`{arg}` must be a 2-D array of features (num_samples, num_features); "
            f"received shape {x.shape}."
        )
    if len(x) < min_samples:
        raise ValueError(
            f"`{arg}` must hold at least {min_samples} samples; received {len(x)} "
            f"(shape {x.shape})."
        )
    if x.shape[1] < 1:
        raise ValueError(f"`{arg}` has no features; received shape {x.shape}.")
    x = x.astype("float64")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"`{arg}` contains NaN or infinite values.")
    return x


def _same_width(a, b, arg_a, arg_b):
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"`{arg_a}` and `{arg_b}` must have the same number of features; received "
            f"{a.shape[1]} and {b.shape[1]} (shapes {a.shape} and {b.shape})."
        )


# --------------------------------------------------------------------- FID
def feature_statistics(features, arg="features"):
    """Mean and covariance (float64, unbiased) of `(n, d)` features, n >= 2.

    Precompute these once for the real data and pass them to
    `frechet_distance` in place of the real features. Rows are converted
    to float64 a block at a time (two passes: mean, then centred
    products), so 50,000 x 2,048 float32 features need no 800 MB float64
    copy.
    """
    x = _to_numpy(features)
    if x.ndim != 2 or len(x) < 2 or x.shape[1] < 1:
        as_features(x, arg)  # raises the error that names `arg`
    rows = max(1, _BLOCK_ELEMENTS // x.shape[1])
    blocks = lambda: (as_features(x[i : i + rows], arg, 1) for i in range(0, len(x), rows))
    mean = sum(b.sum(axis=0) for b in blocks()) / len(x)
    covariance = np.zeros((x.shape[1], x.shape[1]))
    for b in blocks():
        centered = b - mean
        covariance += centered.T @ centered
    return FeatureStatistics(mean, covariance / (len(x) - 1), len(x))


def _statistics(value, arg):
    if isinstance(value, FeatureStatistics):
        return value
    return feature_statistics(value, arg)


def frechet_distance(features_a, features_b):
    """Fréchet distance between Gaussians fitted to two sets of features.

    FID = |mu_a - mu_b|^2 + tr(S_a) + tr(S_b) - 2 tr((S_a S_b)^(1/2)).

    The trace of the matrix square root is computed without a general
    `sqrtm`: with R = S_a^(1/2) (symmetric, from an eigendecomposition),
    S_a S_b is similar to R S_b R, which is symmetric positive semi-definite,
    so tr((S_a S_b)^(1/2)) = sum of the square roots of R S_b R's eigenvalues
    (tiny negative ones from rounding are clipped to 0). Everything runs in
    float64 (see the module docstring); no complex parts arise, and a
    singular covariance (fewer samples than features) needs no offset.

    Args:
        features_a, features_b: `(n, d)` features, or their
            `feature_statistics(...)`; n >= 2 each, the same d.

    Returns:
        The distance as a Python float, >= 0 up to rounding: identical sets
        give ~1e-12 of tr(S), or ~1e-8 of it when S is singular (fewer
        samples than features), where square roots magnify the rounding of
        the zero eigenvalues.
    """
    a = _statistics(features_a, "features_a")
    b = _statistics(features_b, "features_b")
    if a.mean.shape != b.mean.shape:
        raise ValueError(
            "`features_a` and `features_b` must have the same number of features; "
            f"received {a.mean.shape[0]} and {b.mean.shape[0]}."
        )
    w, v = np.linalg.eigh(a.covariance)
    root_a = (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T
    middle = root_a @ b.covariance @ root_a
    eig = np.linalg.eigvalsh((middle + middle.T) / 2.0)
    trace_sqrt = np.sqrt(np.clip(eig, 0.0, None)).sum()
    diff = a.mean - b.mean
    fid = diff @ diff + np.trace(a.covariance) + np.trace(b.covariance) - 2.0 * trace_sqrt
    return float(fid)


# --------------------------------------------------------------------- KID
def _polynomial_kernel(x, y):
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def kernel_inception_distance(
    real_features, fake_features, subset_size=1000, num_subsets=100, seed=0
):
    """Kernel Inception Distance (Bińkowski et al., 2018): unbiased MMD^2.

    The kernel is k(x, y) = (x.y / d + 1)^3. As in the paper's code, each of
    `num_subsets` subsets draws `subset_size` samples without replacement
    from each set and computes the unbiased estimate

        MMD^2 = sum_{i!=j} k(x_i, x_j) / (m (m-1)) + sum_{i!=j} k(y_i, y_j) / (m (m-1))
                - 2 sum_{i,j} k(x_i, y_j) / m^2,

    which is 0 in expectation when both sets come from one distribution (so
    it can be slightly negative). Computed in float64.

    Args:
        real_features, fake_features: `(n, d)` features, same d.
        subset_size: samples per subset, at least 2 and at most the size of
            the smaller set (the paper uses 1,000).
        num_subsets: subsets to average over (100 in the paper).
        seed: seed of the subset draws.

    Returns:
        `KID(mean, std)` over subsets, Python floats (std with ddof=0).
    """
    real = as_features(real_features, "real_features")
    fake = as_features(fake_features, "fake_features")
    _same_width(real, fake, "real_features", "fake_features")
    num_subsets = check_positive_int(num_subsets, "num_subsets")
    subset_size = check_positive_int(subset_size, "subset_size")
    smaller = min(len(real), len(fake))
    if subset_size < 2 or subset_size > smaller:
        raise ValueError(
            f"`subset_size` must be between 2 and the size of the smaller set ({smaller}: "
            f"{len(real)} real and {len(fake)} fake samples); received {subset_size}. "
            "Pass more samples or a smaller `subset_size`."
        )
    rng = np.random.default_rng(check_seed(seed))
    m = subset_size
    values = np.empty(num_subsets)
    for i in range(num_subsets):
        x = real[rng.choice(len(real), m, replace=False)]
        y = fake[rng.choice(len(fake), m, replace=False)]
        k_xx = _polynomial_kernel(x, x)
        k_yy = _polynomial_kernel(y, y)
        k_xy = _polynomial_kernel(x, y)
        same = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
        values[i] = same - 2.0 * k_xy.mean()
    return KID(float(values.mean()), float(values.std()))


# ---------------------------------------------------------------------- IS
def inception_score(probabilities, splits=10):
    """Inception Score (Salimans et al., 2016) from class probabilities.

    IS = exp(E_x KL(p(y|x) || p(y))), with p(y) the mean of p(y|x) over the
    split; computed on each of `splits` equal consecutive parts (the last
    takes the remainder) and returned as mean and std over splits, as in the
    original code. Uniform predictions give 1; confident predictions spread
    evenly over k classes give k. Float64 throughout; 0 log 0 counts as 0.

    Args:
        probabilities: `(n, k)` rows of class probabilities (each summing to
            1 within 1e-3; logits are refused), n >= `splits`.
        splits: number of parts.

    Returns:
        `InceptionScore(mean, std)`, Python floats (std with ddof=0).
    """
    splits = check_positive_int(splits, "splits")
    p = as_features(probabilities, "probabilities", min_samples=splits)
    if np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError(
            "`probabilities` must be non-negative rows that sum to 1 (apply a softmax to "
            f"logits first); received row sums from {p.sum(axis=1).min():.4g} to "
            f"{p.sum(axis=1).max():.4g} and a minimum entry of {p.min():.4g}."
        )
    scores = []
    for part in np.array_split(p, splits):
        marginal = part.mean(axis=0, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(part > 0, part * (np.log(part) - np.log(marginal)), 0.0)
        scores.append(np.exp(terms.sum(axis=1).mean()))
    scores = np.array(scores)
    return InceptionScore(float(scores.mean()), float(scores.std()))


# ------------------------------------------------------------ k-NN metrics
def _squared_norms(x):
    return np.einsum("ij,ij->i", x, x)


def _distance_blocks(x, y):
    """Yields `(start, distances)` for row blocks of the x-to-y distance matrix."""
    rows = max(1, _BLOCK_ELEMENTS // len(y))
    y_norms = _squared_norms(y)
    for start in range(0, len(x), rows):
        block = x[start : start + rows]
        d2 = _squared_norms(block)[:, None] + y_norms[None, :] - 2.0 * (block @ y.T)
        yield start, np.sqrt(np.clip(d2, 0.0, None))


def knn_radii(features, k, arg="features"):
    """Distance from each sample to its k-th nearest neighbour in the same set
    (the sample itself excluded), float64 `(n,)`, computed in row blocks."""
    x = as_features(features, arg, min_samples=k + 1)
    radii = np.empty(len(x))
    for start, d in _distance_blocks(x, x):
        # Column k of the sorted row is the k-th neighbour: column 0 is the
        # sample itself (distance 0, or a duplicate at 0, which counts).
        radii[start : start + len(d)] = np.partition(d, k, axis=1)[:, k]
    return radii


def _check_k(k, real, fake):
    k = check_positive_int(k, "k")
    for x, arg in ((real, "real_features"), (fake, "fake_features")):
        if len(x) <= k:
            raise ValueError(
                f"`{arg}` must hold more than k={k} samples for k-nearest-neighbour radii; "
                f"received {len(x)}."
            )
    return k


def _inside_counts(points, centres, radii):
    """For each point, how many balls B(centre, radius) contain it (d <= r)."""
    counts = np.zeros(len(points), dtype="int64")
    for start, d in _distance_blocks(points, centres):
        counts[start : start + len(d)] = (d <= radii[None, :]).sum(axis=1)
    return counts


def precision_recall(real_features, fake_features, k=3):
    """Improved precision and recall (Kynkäänniemi et al., NeurIPS 2019).

    Each set's manifold is the union of balls around its samples, with radius
    the distance to the sample's k-th nearest neighbour in its own set.
    Precision is the share of fake samples inside the real manifold (are the
    samples realistic?), recall the share of real samples inside the fake
    manifold (is the data covered?). A generator that covers half of the
    real data, and only that half, has precision ~1 and recall ~0.5. The
    paper uses k=3 and 50,000 samples per set with VGG-16 features. Float64,
    distances in blocks (see the module docstring).

    Args:
        real_features, fake_features: `(n, d)` features, same d, more than
            k samples each.
        k: the neighbour that sets the radius.

    Returns:
        `PrecisionRecall(precision, recall)`, Python floats in [0, 1].
    """
    real = as_features(real_features, "real_features")
    fake = as_features(fake_features, "fake_features")
    _same_width(real, fake, "real_features", "fake_features")
    k = _check_k(k, real, fake)
    real_radii = knn_radii(real, k, "real_features")
    fake_radii = knn_radii(fake, k, "fake_features")
    precision = np.mean(_inside_counts(fake, real, real_radii) > 0)
    recall = np.mean(_inside_counts(real, fake, fake_radii) > 0)
    return PrecisionRecall(float(precision), float(recall))


def density_coverage(real_features, fake_features, k=5):
    """Density and coverage (Naeem et al., ICML 2020).

    With B_i the ball around real sample i of radius its k-th nearest real
    neighbour's distance:

        density  = 1 / (k M) * sum_j #{i : fake_j in B_i}
        coverage = 1 / N * #{i : some fake_j in B_i}

    for N real and M fake samples. Density counts how many real
    neighbourhoods hold each fake sample (about 1 when both sets come from
    one distribution, above 1 when fakes crowd into dense regions); coverage
    is the share of real neighbourhoods reached by at least one fake sample,
    robust to outliers among the fakes. Only real-sample balls are used. The
    paper uses k=5. Float64, distances in blocks.

    Args:
        real_features, fake_features: `(n, d)` features, same d; more than k
            real samples.
        k: the neighbour that sets the radius.

    Returns:
        `DensityCoverage(density, coverage)`, Python floats.
    """
    real = as_features(real_features, "real_features")
    fake = as_features(fake_features, "fake_features", min_samples=1)
    _same_width(real, fake, "real_features", "fake_features")
    k = check_positive_int(k, "k")
    if len(real) <= k:
        raise ValueError(
            f"`real_features` must hold more than k={k} samples for k-nearest-neighbour "
            f"radii; received {len(real)}."
        )
    radii = knn_radii(real, k, "real_features")
    density = _inside_counts(fake, real, radii).sum() / (k * len(fake))
    covered = np.zeros(len(real), dtype=bool)
    for start, d in _distance_blocks(real, fake):
        covered[start : start + len(d)] = (d <= radii[start : start + len(d), None]).any(axis=1)
    return DensityCoverage(float(density), float(covered.mean()))
