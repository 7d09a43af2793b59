import numpy as np
import pytest

from keras_gans import datasets, metrics


class TestToyData:
    def test_ring(self):
        x = datasets.ring(4000, seed=0)
        assert x.shape == (4000, 2) and x.dtype == np.float32
        means = datasets.ring_modes()
        assert means.shape == (8, 2)
        np.testing.assert_allclose(np.linalg.norm(means, axis=1), 1.0, atol=1e-6)
        assert len(np.unique(np.round(means, 4), axis=0)) == 8
        d = np.linalg.norm(x[:, None] - means[None], axis=-1)
        np.testing.assert_allclose(d.min(1).mean(), 0.01 * np.sqrt(np.pi / 2), rtol=0.05)
        counts = np.bincount(d.argmin(1), minlength=8)
        assert counts.min() > 400  # every mode gets ~500

    def test_grid(self):
        x = datasets.grid(10000, seed=1)
        means = datasets.grid_modes()
        assert means.shape == (25, 2)
        assert set(np.unique(means)) == {-4.0, -2.0, 0.0, 2.0, 4.0}
        d = np.linalg.norm(x[:, None] - means[None], axis=-1)
        assert np.bincount(d.argmin(1), minlength=25).min() > 300
        assert d.min(1).max() < 0.05 * 6

    def test_seeds(self):
        np.testing.assert_array_equal(datasets.ring(10, seed=3), datasets.ring(10, seed=3))
        assert not np.array_equal(datasets.ring(10, seed=3), datasets.ring(10, seed=4))

    def test_gaussian_mixture_1d(self):
        x = datasets.gaussian_mixture_1d(
            20000, means=(-3.0, 0.0, 3.0), stds=(0.2, 0.3, 0.4), weights=(1, 2, 1), seed=0
        )
        assert x.shape == (20000, 1) and x.dtype == np.float32
        near = np.abs(x - np.array([-3.0, 0.0, 3.0])).argmin(1)
        np.testing.assert_allclose(np.bincount(near) / len(x), [0.25, 0.5, 0.25], atol=0.02)
        np.testing.assert_allclose(x[near == 2].std(), 0.4, rtol=0.05)

    @pytest.mark.parametrize(
        "call,match",
        [
            (lambda: datasets.ring(0), "`n`"),
            (lambda: datasets.ring(10, std=0), "std"),
            (lambda: datasets.gaussian_mixture_1d(10, stds=-1.0), "std"),
            (lambda: datasets.gaussian_mixture_1d(10, means=(0, 1), weights=(1,)), "weights"),
            (lambda: datasets.ring_modes(0), "num_modes"),
        ],
    )
    def test_bad_arguments(self, call, match):
        with pytest.raises(ValueError, match=match):
            call()


class TestModeCoverage:
    def test_perfect_samples(self):
        means = datasets.ring_modes()
        r = metrics.mode_coverage(datasets.ring(2500, seed=0), means, 0.01)
        assert r.modes == 8
        assert r.high_quality > 0.98  # 3 std in 2-D holds 98.9%
        assert r.reverse_kl < 0.01

    def test_collapsed_samples(self):
        means = datasets.ring_modes()
        x = np.repeat(means[:2], 100, axis=0) + 0.001
        r = metrics.mode_coverage(x, means, 0.01)
        assert r.modes == 2 and r.high_quality == 1.0
        assert r.reverse_kl == pytest.approx(np.log(4))  # uniform over 2 of 8
        np.testing.assert_array_equal(r.counts, [100, 100, 0, 0, 0, 0, 0, 0])

    def test_far_samples_are_low_quality(self):
        means = datasets.ring_modes()
        r = metrics.mode_coverage(np.zeros((10, 2)), means, 0.01)
        assert r.modes == 0 and r.high_quality == 0.0 and r.reverse_kl == float("inf")

    def test_errors(self):
        with pytest.raises(ValueError, match="dimensions"):
            metrics.mode_coverage(np.zeros((3, 3)), datasets.ring_modes(), 0.01)
        with pytest.raises(ValueError, match="NaN"):
            metrics.mode_coverage(np.full((3, 2), np.nan), datasets.ring_modes(), 0.01)
        with pytest.raises(ValueError, match="std"):
            metrics.mode_coverage(np.zeros((3, 2)), datasets.ring_modes(), 0.0)


class TestOneDimensionalDistances:
    def test_total_variation(self):
        a = datasets.gaussian_mixture_1d(20000, means=(0.0,), stds=1.0, seed=0)
        b = datasets.gaussian_mixture_1d(20000, means=(0.0,), stds=1.0, seed=1)
        c = datasets.gaussian_mixture_1d(20000, means=(10.0,), stds=1.0, seed=2)
        assert metrics.total_variation_1d(a, b) < 0.05
        assert metrics.total_variation_1d(c, a) > 0.99

    def test_total_variation_of_a_dropped_mode_is_half(self):
        data = datasets.gaussian_mixture_1d(40000, means=(-2.0, 2.0), stds=0.3, seed=0)
        one = datasets.gaussian_mixture_1d(20000, means=(2.0,), stds=0.3, seed=1)
        assert metrics.total_variation_1d(one, data) == pytest.approx(0.5, abs=0.03)

    def test_total_variation_with_a_range_that_leaves_mass_outside(self):
        a = datasets.gaussian_mixture_1d(5000, means=(0.0,), stds=1.0, seed=0)
        assert metrics.total_variation_1d(a, a, value_range=(-0.5, 0.5)) == 0.0
        far = a + 100.0  # all outside the range: differs from `a` by all of a's inside mass
        inside = np.mean(np.abs(a) <= 0.5)
        value = metrics.total_variation_1d(far, a, value_range=(-0.5, 0.5))
        assert value == pytest.approx(inside, abs=1e-6)

    def test_wasserstein(self):
        a = datasets.gaussian_mixture_1d(5000, means=(0.0,), stds=1.0, seed=0)
        assert metrics.wasserstein_1d(a + 3.0, a) == pytest.approx(3.0, abs=1e-3)
        assert metrics.wasserstein_1d(a, a) == pytest.approx(0.0, abs=1e-9)
