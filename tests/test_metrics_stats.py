"""Sample-quality statistics against closed forms and hand computations."""

import math

import numpy as np
import pytest
from keras import ops
from test_case import TestCase

from keras_gans import metrics
from keras_gans.metrics import statistics


def with_moments(n, mean, covariance, seed=0):
    """n points whose sample mean and (ddof=1) covariance are exactly these."""
    rng = np.random.default_rng(seed)
    d = len(mean)
    x = rng.normal(size=(n, d))
    x -= x.mean(axis=0)
    x = x @ np.linalg.inv(np.linalg.cholesky(np.cov(x, rowvar=False))).T
    return x @ np.linalg.cholesky(covariance).T + mean


def trace_sqrt_2x2(a, b):
    """tr((A B)^(1/2)) for 2x2 matrices with positive eigenvalues of A B:
    the eigenvalues l1, l2 give (sqrt l1 + sqrt l2)^2 = tr + 2 sqrt(det)."""
    m = a @ b
    return math.sqrt(np.trace(m) + 2.0 * math.sqrt(np.linalg.det(m)))


class TestFrechetDistance(TestCase):
    def test_closed_form_of_two_gaussians(self):
        mu_a, mu_b = np.array([1.0, -2.0]), np.array([0.5, 1.0])
        s_a = np.array([[2.0, 0.6], [0.6, 1.0]])
        s_b = np.array([[0.5, -0.3], [-0.3, 3.0]])  # does not commute with s_a
        expected = (
            np.sum((mu_a - mu_b) ** 2)
            + np.trace(s_a)
            + np.trace(s_b)
            - 2 * trace_sqrt_2x2(s_a, s_b)
        )
        a = with_moments(500, mu_a, s_a, seed=0)
        b = with_moments(700, mu_b, s_b, seed=1)
        np.testing.assert_allclose(np.cov(a, rowvar=False), s_a, atol=1e-10)
        assert metrics.frechet_distance(a, b) == pytest.approx(expected, rel=1e-9)
        # Precomputed statistics give the same value.
        stats = metrics.feature_statistics(a)
        assert metrics.frechet_distance(stats, b) == pytest.approx(expected, rel=1e-9)

    def test_diagonal_and_shifted(self):
        # Diagonal covariances: FID = |mu_a - mu_b|^2 + sum (sqrt(s_a) - sqrt(s_b))^2.
        rng = np.random.default_rng(3)
        var_a, var_b = rng.uniform(0.5, 2, 6), rng.uniform(0.5, 2, 6)
        a = with_moments(400, np.zeros(6), np.diag(var_a), seed=4)
        b = with_moments(400, np.full(6, 2.0), np.diag(var_b), seed=5)
        expected = 6 * 4.0 + np.sum((np.sqrt(var_a) - np.sqrt(var_b)) ** 2)
        assert metrics.frechet_distance(a, b) == pytest.approx(expected, rel=1e-9)
        assert metrics.frechet_distance(a, a + 3.0) == pytest.approx(6 * 9.0, rel=1e-9)

    def test_identical_sets_give_zero(self):
        x = np.random.default_rng(0).normal(size=(300, 64)) * 10.0
        # 64 features of variance 100: tr(S) = 6,400; zero to ~1e-12 of it.
        assert abs(metrics.frechet_distance(x, x)) < 1e-8
        # Fewer samples than features: a singular covariance needs no offset;
        # square roots of rounding in its null space leave ~1e-8 of tr(S).
        y = x[:20]
        trace = np.trace(np.cov(y, rowvar=False))
        assert abs(metrics.frechet_distance(y, y)) < 1e-7 * trace
        assert metrics.frechet_distance(y, y + 0.1) == pytest.approx(64 * 0.01, abs=1e-7 * trace)

    def test_statistics_in_blocks(self, monkeypatch):
        x = np.random.default_rng(2).normal(3.0, 2.0, size=(101, 5)).astype("float32")
        monkeypatch.setattr(statistics, "_BLOCK_ELEMENTS", 40)  # 8 rows a block
        stats = metrics.feature_statistics(x)
        np.testing.assert_allclose(stats.mean, x.astype("float64").mean(0), rtol=1e-12)
        np.testing.assert_allclose(
            stats.covariance, np.cov(x.astype("float64"), rowvar=False), rtol=1e-12
        )
        assert stats.count == 101

    def test_tensors_of_the_current_backend(self):
        x = np.random.default_rng(1).normal(size=(50, 4)).astype("float32")
        value = metrics.frechet_distance(ops.convert_to_tensor(x), ops.convert_to_tensor(x + 1))
        assert isinstance(value, float)
        assert value == pytest.approx(4.0, rel=1e-6)


class TestKernelInceptionDistance(TestCase):
    def test_matches_the_unbiased_formula_by_hand(self):
        rng = np.random.default_rng(0)
        x, y = rng.normal(size=(30, 5)), rng.normal(1.0, 1.0, size=(30, 5))
        k = lambda a, b: (a @ b / 5 + 1.0) ** 3
        m = 30
        xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j)
        yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j)
        xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m))
        expected = (xx + yy) / (m * (m - 1)) - 2 * xy / m**2
        # A subset of the whole set is a permutation: one deterministic value.
        r = metrics.kernel_inception_distance(x, y, subset_size=30, num_subsets=3)
        assert r.mean == pytest.approx(expected, rel=1e-10)
        assert r.std == pytest.approx(0.0, abs=1e-12)

    def test_unbiased_for_one_distribution(self):
        rng = np.random.default_rng(1)
        a, b = rng.normal(size=(2000, 16)), rng.normal(size=(2000, 16))
        same = metrics.kernel_inception_distance(a, b, subset_size=500, num_subsets=50)
        assert isinstance(same, metrics.KID) and same.std > 0
        assert abs(same.mean) < same.std
        shifted = metrics.kernel_inception_distance(a, b + 0.5, subset_size=500, num_subsets=50)
        assert shifted.mean > 10 * shifted.std
        assert shifted.mean > 20 * abs(same.mean)

    def test_seed_fixes_the_subsets(self):
        rng = np.random.default_rng(2)
        a, b = rng.normal(size=(100, 3)), rng.normal(size=(100, 3))
        r1 = metrics.kernel_inception_distance(a, b, subset_size=50, num_subsets=5, seed=1)
        r2 = metrics.kernel_inception_distance(a, b, subset_size=50, num_subsets=5, seed=1)
        r3 = metrics.kernel_inception_distance(a, b, subset_size=50, num_subsets=5, seed=2)
        assert r1 == r2 and r1 != r3


class TestInceptionScore(TestCase):
    def test_uniform_predictions_score_one(self):
        r = metrics.inception_score(np.full((100, 10), 0.1))
        assert r.mean == pytest.approx(1.0, abs=1e-12) and r.std == pytest.approx(0.0, abs=1e-12)

    def test_confident_balanced_predictions_score_the_class_count(self):
        p = np.eye(10)[np.arange(200) % 10]
        r = metrics.inception_score(p, splits=10)
        assert r.mean == pytest.approx(10.0, rel=1e-12) and r.std == pytest.approx(0.0, abs=1e-9)
        # Collapsed onto one class: 1.
        assert metrics.inception_score(np.eye(10)[np.zeros(50, int)], splits=5).mean == 1.0

    def test_hand_computed_mixture(self):
        # Half the samples sure of class 0, half uniform over 2 classes:
        # p(y) = (0.75, 0.25); KL terms: log(1/0.75) and 0.5 log(0.5/0.75) + 0.5 log(0.5/0.25).
        p = np.array([[1.0, 0.0], [0.5, 0.5]] * 10)
        kl = 0.5 * math.log(1 / 0.75) + 0.5 * (0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(2))
        assert metrics.inception_score(p, splits=1).mean == pytest.approx(math.exp(kl), rel=1e-12)


class TestPrecisionRecallDensityCoverage(TestCase):
    @staticmethod
    def square(n, seed, x_max=1.0):
        rng = np.random.default_rng(seed)
        return np.stack([rng.uniform(0, x_max, n), rng.uniform(0, 1, n)], axis=1)

    def test_a_generator_covering_half_the_data(self):
        real = self.square(2000, 0)
        half = self.square(1000, 1, x_max=0.5)  # same density, left half only
        pr = metrics.precision_recall(real, half)
        assert pr.precision > 0.97
        # The fake balls reach ~0.02 past x = 0.5, so recall is a little over 0.5.
        assert pr.recall == pytest.approx(0.51, abs=0.03)
        dc = metrics.density_coverage(real, half)
        assert dc.coverage == pytest.approx(0.51, abs=0.03)
        assert dc.density == pytest.approx(1.0, abs=0.1)
        # The other way round: precision and recall swap roles.
        rp = metrics.precision_recall(half, real)
        assert rp.recall > 0.97 and rp.precision == pytest.approx(0.51, abs=0.03)

    def test_one_distribution(self):
        real, fake = self.square(2000, 2), self.square(2000, 3)
        pr = metrics.precision_recall(real, fake)
        assert pr.precision > 0.95 and pr.recall > 0.95
        dc = metrics.density_coverage(real, fake)
        assert dc.density == pytest.approx(1.0, abs=0.1)
        assert dc.coverage > 0.95  # 1 - 2^-5 in expectation for k=5 and equal sizes

    def test_collapsed_and_disjoint_generators(self):
        real = self.square(1000, 4)
        collapsed = real[:1] + np.random.default_rng(5).normal(0, 1e-4, size=(500, 2))
        pr = metrics.precision_recall(real, collapsed)
        assert pr.precision == 1.0 and pr.recall < 0.01
        # Coverage: only the ~10 real balls around real[0] hold fakes.
        assert metrics.density_coverage(real, collapsed).coverage <= 0.02
        far = self.square(500, 6) + 10.0
        assert metrics.precision_recall(real, far) == (0.0, 0.0)
        assert metrics.density_coverage(real, far) == (0.0, 0.0)

    def test_blocks_give_the_same_answer(self, monkeypatch):
        real, fake = self.square(300, 7), self.square(200, 8, x_max=0.7)
        whole = (metrics.precision_recall(real, fake), metrics.density_coverage(real, fake))
        monkeypatch.setattr(statistics, "_BLOCK_ELEMENTS", 1000)  # 3-5 rows a block
        blocked = (metrics.precision_recall(real, fake), metrics.density_coverage(real, fake))
        assert blocked == whole

    def test_radius_is_the_kth_neighbour(self):
        x = np.array([[0.0], [1.0], [3.0], [6.0]])
        np.testing.assert_allclose(statistics.knn_radii(x, 1), [1, 1, 2, 3])
        np.testing.assert_allclose(statistics.knn_radii(x, 2), [3, 2, 3, 5])


class TestBadInputs(TestCase):
    @pytest.mark.parametrize(
        "call,match",
        [
            (lambda: metrics.frechet_distance(np.zeros((5, 3)), np.zeros((5, 4))), "same number"),
            (lambda: metrics.frechet_distance(np.zeros((1, 3)), np.zeros((5, 3))), "features_a"),
            (lambda: metrics.frechet_distance(np.zeros((5, 3)), np.zeros(5)), "features_b"),
            (lambda: metrics.frechet_distance(np.full((5, 3), np.nan), np.zeros((5, 3))), "NaN"),
            (
                lambda: metrics.kernel_inception_distance(np.zeros((50, 2)), np.zeros((40, 2))),
                r"`subset_size`.*40.*received 1000",
            ),
            (
                lambda: metrics.kernel_inception_distance(
                    np.zeros((50, 2)), np.zeros((40, 3)), subset_size=10
                ),
                "`real_features` and `fake_features`",
            ),
            (
                lambda: metrics.kernel_inception_distance(
                    np.zeros((50, 2)), np.zeros((40, 2)), subset_size=10, num_subsets=0
                ),
                "`num_subsets`",
            ),
            (lambda: metrics.inception_score(np.full((20, 3), 2.0)), "`probabilities`.*softmax"),
            (
                lambda: metrics.inception_score(np.full((5, 2), 0.5)),
                r"`probabilities`.*at least 10",
            ),
            (lambda: metrics.inception_score(np.full((20, 2), 0.5), splits=0), "`splits`"),
            (
                lambda: metrics.precision_recall(np.zeros((3, 2)), np.zeros((10, 2))),
                r"`real_features`.*more than k=3.*received 3",
            ),
            (
                lambda: metrics.precision_recall(np.zeros((10, 2)), np.zeros((10, 2)), k=0),
                "`k`",
            ),
            (
                lambda: metrics.density_coverage(np.zeros((5, 2)), np.zeros((10, 2))),
                r"`real_features`.*k=5.*received 5",
            ),
            (
                lambda: metrics.density_coverage(np.zeros((10, 2)), np.zeros((10, 1))),
                "same number of features",
            ),
            (lambda: metrics.class_coverage(np.zeros((0, 10))), "`probabilities`"),
            (lambda: metrics.class_coverage(np.eye(3), threshold=2), "`threshold`"),
        ],
    )
    def test_errors_name_the_argument(self, call, match):
        with pytest.raises(ValueError, match=match):
            call()


class TestClassCoverage(TestCase):
    def test_balanced_and_collapsed(self):
        p = np.eye(10)[np.arange(100) % 10] * 0.95 + 0.005
        r = metrics.class_coverage(p)
        assert r.classes == 10 and r.confident == 1.0 and r.reverse_kl == pytest.approx(0.0)
        np.testing.assert_array_equal(r.counts, np.full(10, 10))
        two = metrics.class_coverage(np.eye(10)[np.arange(100) % 2] * 0.5 + 0.05)
        assert two.classes == 2 and two.confident == 0.0
        assert two.reverse_kl == pytest.approx(math.log(5))
