"""Full-reference image quality: PSNR and SSIM, pure numpy on float64.

Both take two batches `(n, h, w[, c])` (or two single images) in the same
value range and return one score per image. `data_range` is the span of
that range (255 for uint8, 2 for [-1, 1], 1 for [0, 1]). Super-resolution
papers score the luma channel (`rgb_to_y`) with `crop_border = scale`
pixels removed on each side; the helpers do what they are told and no more.
"""

import numpy as np
from scipy import ndimage


def _pair(a, b):
    a = np.asarray(a, dtype="float64")
    b = np.asarray(b, dtype="float64")
    if a.shape != b.shape:
        raise ValueError(f"The two image batches differ in shape: {a.shape} and {b.shape}.")
    if a.ndim == 2:
        a, b = a[None, ..., None], b[None, ..., None]
    elif a.ndim == 3 and a.shape[-1] not in (1, 3, 4):
        a, b = a[..., None], b[..., None]  # (n, h, w) grey batch
    elif a.ndim == 3:
        a, b = a[None], b[None]
    if a.ndim != 4:
        raise ValueError(f"Images must be (h, w), (h, w, c) or (n, h, w, c); got {a.shape}.")
    return a, b


def _crop(x, border):
    if border:
        if 2 * border >= min(x.shape[1], x.shape[2]):
            raise ValueError(f"`crop_border`={border} leaves nothing of {x.shape[1:3]} images.")
        return x[:, border:-border, border:-border]
    return x


def psnr(a, b, data_range=255.0, crop_border=0):
    """Peak signal-to-noise ratio per image, in dB: `10 log10(range^2 / MSE)`.

    Identical images give `inf`.

    >>> float(psnr(np.zeros((4, 4)), np.full((4, 4), 25.5))[0])  # MSE 650.25
    20.0
    """
    a, b = _pair(a, b)
    a, b = _crop(a, crop_border), _crop(b, crop_border)
    mse = np.mean(np.square(a - b), axis=(1, 2, 3))
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(float(data_range) ** 2 / mse)


def ssim(a, b, data_range=255.0, crop_border=0, sigma=1.5, k1=0.01, k2=0.03):
    """Structural similarity per image (Wang et al., 2004), mean over pixels and channels.

    Local statistics use an 11x11 Gaussian window (`sigma` 1.5, truncated at
    3.5 sigma) and `C1 = (k1 L)^2`, `C2 = (k2 L)^2` with `L = data_range`, the
    paper's constants. Only positions where the window fits inside the image
    are averaged (as the paper's reference code). Identical images give 1.
    """
    a, b = _pair(a, b)
    a, b = _crop(a, crop_border), _crop(b, crop_border)
    c1 = (k1 * data_range) ** 2
    c2 = (k2 * data_range) ** 2
    radius = int(3.5 * sigma + 0.5)

    def blur(x):
        out = ndimage.gaussian_filter(x, sigma=(0, sigma, sigma, 0), truncate=3.5, mode="reflect")
        if min(x.shape[1], x.shape[2]) > 2 * radius:
            out = out[:, radius:-radius, radius:-radius]
        return out

    mu_a, mu_b = blur(a), blur(b)
    var_a = blur(a * a) - mu_a**2
    var_b = blur(b * b) - mu_b**2
    cov = blur(a * b) - mu_a * mu_b
    num = (2 * mu_a * mu_b + c1) * (2 * cov + c2)
    den = (mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2)
    return np.mean(num / den, axis=(1, 2, 3))


def rgb_to_y(images):
    """The luma Y of ITU-R BT.601 (as MATLAB's `rgb2ycbcr`) of uint8-range RGB.

    `Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255`, float64 in [16, 235],
    shape `(..., h, w, 1)`.
    """
    x = np.asarray(images, dtype="float64")
    if x.shape[-1] != 3:
        raise ValueError(f"rgb_to_y needs RGB images (last axis 3); received {x.shape}.")
    y = 16.0 + (65.481 * x[..., 0] + 128.553 * x[..., 1] + 24.966 * x[..., 2]) / 255.0
    return y[..., None]
