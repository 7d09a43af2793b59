"""Data helpers, PSNR/SSIM and the shared layers of the image-to-image models."""

import numpy as np
import pytest
from keras import ops
from test_case import TestCase

from keras_gans import datasets, layers, metrics


def ramp(h=32, w=32, step=4.0):
    return np.tile(np.arange(w, dtype="float64") * step, (h, 1))


class TestImageQuality(TestCase):
    def test_psnr_known_values(self):
        a = np.zeros((2, 8, 8, 3))
        b = np.full((2, 8, 8, 3), 25.5)  # MSE 650.25 -> 10 log10(255^2 / 650.25) = 20 dB
        np.testing.assert_allclose(metrics.psnr(a, b), [20.0, 20.0], atol=1e-12)
        assert np.all(np.isinf(metrics.psnr(b, b)))
        # A horizontal ramp of slope 16 shifted by one pixel differs by 16 everywhere.
        x = np.tile(np.arange(16.0) * 16, (16, 1))
        expected = 10 * np.log10(255.0**2 / 256.0)
        np.testing.assert_allclose(metrics.psnr(x[:, 1:], x[:, :-1])[0], expected, atol=1e-12)
        # Two-pixel border crop: only the inner pixels count.
        c = a.copy()
        c[:, 0, :, :] = 255.0
        assert np.all(np.isinf(metrics.psnr(a, c, crop_border=2)))
        assert np.all(np.isfinite(metrics.psnr(a, c)))
        np.testing.assert_allclose(metrics.psnr(a / 127.5, b / 127.5, data_range=2.0), 20.0)

    def test_ssim_known_values(self):
        x = np.random.default_rng(0).uniform(0, 255, (3, 24, 24, 3))
        np.testing.assert_allclose(metrics.ssim(x, x), 1.0, atol=1e-12)
        # Constant images: no variance, only the luminance term is left.
        c1 = (0.01 * 255) ** 2
        a, b = np.full((16, 16), 50.0), np.full((16, 16), 200.0)
        expected = (2 * 50 * 200 + c1) / (50**2 + 200**2 + c1)
        np.testing.assert_allclose(metrics.ssim(a, b)[0], expected, rtol=1e-9)
        # A linear ramp and the same ramp shifted by a constant (a one-pixel
        # shift of a ramp): equal variance and full correlation, so each
        # position scores (2 m (m + d) + C1) / (m^2 + (m + d)^2 + C1), m the
        # ramp's value there (the window is symmetric), over the valid
        # positions 5..26 of 32.
        r = ramp()
        m = r[5:-5, 5:-5]
        d = 16.0
        expected = np.mean((2 * m * (m + d) + c1) / (m**2 + (m + d) ** 2 + c1))
        np.testing.assert_allclose(metrics.ssim(r, r + d)[0], expected, rtol=1e-9)
        noise = np.random.default_rng(1).normal(0, 1, x.shape)
        noisy = x + 20 * noise
        assert np.all(metrics.ssim(x, noisy) < 0.99)
        assert np.all(metrics.ssim(x, x + 60 * noise) < metrics.ssim(x, noisy))  # more noise, lower
        np.testing.assert_allclose(metrics.ssim(x, noisy), metrics.ssim(noisy, x), rtol=1e-12)

    def test_rgb_to_y_and_errors(self):
        y = metrics.rgb_to_y(np.array([[[[0, 0, 0], [255, 255, 255]]]], dtype="uint8"))
        np.testing.assert_allclose(y[0, 0, :, 0], [16.0, 235.0], atol=1e-9)
        with pytest.raises(ValueError, match="differ in shape"):
            metrics.psnr(np.zeros((4, 4)), np.zeros((4, 5)))
        with pytest.raises(ValueError, match="crop_border"):
            metrics.ssim(np.zeros((4, 4)), np.zeros((4, 4)), crop_border=2)


class TestPairsAndDomains(TestCase):
    def test_colorization_pairs(self):
        rgb = np.random.default_rng(0).integers(0, 256, (5, 8, 8, 3)).astype("uint8")
        grey, colour = datasets.colorization_pairs(rgb)
        assert grey.shape == (5, 8, 8, 1) and colour.shape == (5, 8, 8, 3)
        assert grey.dtype == colour.dtype == np.float32
        np.testing.assert_allclose(colour, rgb / 127.5 - 1, atol=1e-6)
        luma = np.round(rgb @ np.array([0.299, 0.587, 0.114]))
        np.testing.assert_allclose(grey[..., 0], luma / 127.5 - 1, atol=1e-6)
        with pytest.raises(TypeError, match="uint8"):
            datasets.colorization_pairs(rgb.astype("float32"))

    def test_sobel_edges_find_a_step(self):
        img = np.zeros((2, 12, 12), dtype="uint8")
        img[0, :, 6:] = 200  # a vertical step between columns 5 and 6
        edges = datasets.sobel_edges(img)
        assert edges.shape == (2, 12, 12, 1) and edges.dtype == np.uint8
        cols = np.nonzero(edges[0, :, :, 0].any(axis=0))[0]
        assert list(cols) == [5, 6]
        assert not edges[1].any()  # a flat image has no edges
        source, target = datasets.edge_pairs(img)
        assert set(np.unique(source)) == {-1.0, 1.0}
        np.testing.assert_allclose(target[..., 0], img / 127.5 - 1, atol=1e-6)

    def test_mnist_m_blends_digits_over_crops(self):
        rng = np.random.default_rng(0)
        digits = rng.integers(0, 256, (6, 8, 8)).astype("uint8")
        backgrounds = rng.integers(0, 256, (4, 10, 10, 3)).astype("uint8")
        out = datasets.mnist_m(digits, backgrounds, seed=3)
        assert out.shape == (6, 8, 8, 3) and out.dtype == np.uint8
        np.testing.assert_array_equal(out, datasets.mnist_m(digits, backgrounds, seed=3))
        assert not np.array_equal(out, datasets.mnist_m(digits, backgrounds, seed=4))
        # Each image is |crop - digit| for some crop of some background.
        for d, o in zip(digits, out):
            found = False
            for bg in backgrounds:
                for top in range(3):
                    for left in range(3):
                        crop = bg[top : top + 8, left : left + 8].astype(int)
                        if np.array_equal(np.abs(crop - d[..., None].astype(int)), o):
                            found = True
            assert found
        with pytest.raises(ValueError, match="smaller"):
            datasets.mnist_m(digits, backgrounds[:, :6, :6], seed=0)

    def test_paired_dataset_augments_both_images_alike(self):
        x = np.random.default_rng(0).uniform(-1, 1, (8, 8, 8, 1)).astype("float32")
        y = np.concatenate([x, -x, 2 * x], axis=-1)
        batches = list(datasets.paired_dataset(x, y, batch_size=4, seed=1, jitter=1.25))
        assert len(batches) == 2
        xs = np.concatenate([np.asarray(b[0]) for b in batches])
        ys = np.concatenate([np.asarray(b[1]) for b in batches])
        assert xs.shape == (8, 8, 8, 1) and ys.shape == (8, 8, 8, 3)
        np.testing.assert_allclose(ys, np.concatenate([xs, -xs, 2 * xs], axis=-1), atol=1e-6)
        # Jitter and mirroring change the images (the set of inputs is not kept).
        assert not any(np.allclose(a, b) for a in xs for b in x)

    def test_unpaired_dataset(self):
        a = np.zeros((6, 4, 4, 3), "float32")
        b = np.ones((9, 4, 4, 3), "float32")
        batches = list(datasets.unpaired_dataset(a, b, batch_size=2, seed=0, mirror=True))
        assert len(batches) == 3
        assert all(np.all(np.asarray(x) == 0) and np.all(np.asarray(y) == 1) for x, y in batches)


class TestSuperResolutionData(TestCase):
    def test_bicubic_and_crops(self):
        flat = np.full((16, 16, 3), 77, dtype="uint8")
        np.testing.assert_array_equal(datasets.bicubic_resize(flat, (4, 4)), 77)
        photos = [
            np.random.default_rng(i).integers(0, 256, (20 + i, 24, 3)).astype("uint8")
            for i in range(3)
        ]
        lr, hr = datasets.sr_crops(photos, 5, crop_size=16, scale=4, seed=0)
        assert lr.shape == (5, 4, 4, 3) and hr.shape == (5, 16, 16, 3)
        assert lr.min() >= -1 and lr.max() <= 1
        hr_uint8 = np.round((hr + 1) * 127.5).astype("uint8")
        expected = datasets.bicubic_resize(hr_uint8, (4, 4)) / 127.5 - 1
        np.testing.assert_allclose(lr, expected, atol=1e-6)
        lr2, _ = datasets.sr_crops(photos, 5, crop_size=16, scale=4, seed=0)
        np.testing.assert_array_equal(lr, lr2)
        small, big = datasets.sr_pair(photos[0], scale=4)
        assert big.shape == (20, 24, 3) and small.shape == (5, 6, 3)
        with pytest.raises(ValueError, match="divisible"):
            datasets.sr_crops(photos, 2, crop_size=18, scale=4)


class TestSharedLayers(TestCase):
    def test_subpixel_upsampling_hand_checked(self):
        # in[h, w, g] = 100 g + 10 h + w: group g = 2 i + j fills offset (i, j).
        h, w, g = np.meshgrid(np.arange(2), np.arange(2), np.arange(4), indexing="ij")
        x = (100 * g + 10 * h + w).astype("float32")[None]
        out = ops.convert_to_numpy(layers.SubPixelUpsampling(2)(x))
        expected = np.array(
            [
                [0, 100, 1, 101],
                [200, 300, 201, 301],
                [10, 110, 11, 111],
                [210, 310, 211, 311],
            ],
            dtype="float32",
        )
        assert out.shape == (1, 4, 4, 1)
        np.testing.assert_array_equal(out[0, ..., 0], expected)
        # Two output channels: channel k of group g is input channel 2 g + k.
        y = np.arange(2 * 3 * 8, dtype="float32").reshape(1, 2, 3, 8)
        out = ops.convert_to_numpy(layers.SubPixelUpsampling(2)(y))
        assert out.shape == (1, 4, 6, 2)
        assert out[0, 3, 5, 1] == y[0, 1, 2, (1 * 2 + 1) * 2 + 1]
        with pytest.raises(ValueError, match="divisible"):
            layers.SubPixelUpsampling(2)(np.zeros((1, 2, 2, 6), "float32"))

    def test_image_pool_probability(self):
        pool = layers.ImagePool((1, 1, 1), pool_size=8, probability=0.5, seed=0)
        seen = set()
        first = np.arange(8, dtype="float32").reshape(8, 1, 1, 1)
        # While filling, images pass through and are stored.
        np.testing.assert_array_equal(ops.convert_to_numpy(pool(first)), first)
        np.testing.assert_array_equal(
            np.sort(ops.convert_to_numpy(pool.images).ravel()), first.ravel()
        )
        seen.update(first.ravel().tolist())
        past, total = 0, 0
        for step in range(1, 151):
            batch = (np.arange(8) + 8 * step).astype("float32").reshape(8, 1, 1, 1)
            out = ops.convert_to_numpy(pool(batch)).ravel()
            new = set(batch.ravel().tolist())
            old = [v for v in out if v not in new]
            assert all(v in seen for v in old)  # past images only, never made up
            past += len(old)
            total += len(out)
            seen.update(new)
            stored = ops.convert_to_numpy(pool.images).ravel()
            assert len(set(stored.tolist())) == 8  # no image stored twice
        # 1,200 draws at p = 0.5: the share of past images is 0.5 +- 0.06 (4 sd).
        assert abs(past / total - 0.5) < 0.06, past / total

    @pytest.mark.parametrize("probability, expected", [(0.0, 0.0), (1.0, 1.0)])
    def test_image_pool_extremes(self, probability, expected):
        pool = layers.ImagePool((2, 2, 1), pool_size=4, probability=probability, seed=1)
        pool(np.zeros((4, 2, 2, 1), "float32"))
        out = ops.convert_to_numpy(pool(np.ones((4, 2, 2, 1), "float32")))
        assert np.mean(out == 0) == expected
        off = layers.ImagePool((2, 2, 1), pool_size=0)
        x = np.ones((3, 2, 2, 1), "float32")
        np.testing.assert_array_equal(ops.convert_to_numpy(off(x)), x)
