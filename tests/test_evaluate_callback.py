"""`keras_gans.callbacks.Evaluate`: metrics of generated samples in fit's logs."""

import numpy as np
import pytest
from test_case import TestCase

from keras_gans import callbacks, datasets, metrics

MODES = datasets.ring_modes()


def one_split_inception_score(p):
    """exp(H(mean p) - mean H(p)): the Inception Score of one split."""
    entropy = lambda q: -np.sum(q * np.log(q), axis=-1)
    return float(np.exp(entropy(p.mean(0)) - entropy(p).mean()))


def identity(x):
    return np.asarray(x)


def ring_probabilities(x):
    """A stand-in classifier for the ring: one-hot of the nearest mode."""
    x = np.asarray(x)
    nearest = np.linalg.norm(x[:, None] - MODES[None], axis=-1).argmin(1)
    return np.eye(len(MODES))[nearest] * 0.98 + 0.02 / len(MODES)


class TestEvaluate(TestCase):
    def test_logs_every_n_epochs_into_history(self):
        real = datasets.ring(2000, seed=1)
        evaluate = callbacks.Evaluate(
            identity,
            real_features=real,
            metrics=("fid", "kid", "precision_recall", "density_coverage", "class_coverage"),
            probabilities=ring_probabilities,
            num_samples=500,
            every=2,
            kid_num_subsets=10,
        )
        gan = self.small_gan()
        gan.compile()
        history = gan.fit(
            datasets.ring(256 * 8, seed=0),
            batch_size=256,
            epochs=4,
            verbose=0,
            callbacks=[evaluate],
        )
        h = history.history
        assert len(h["d_loss"]) == 4
        for key in (
            "fid",
            "kid",
            "kid_std",
            "precision",
            "recall",
            "density",
            "coverage",
            "classes",
            "confident",
            "class_kl",
            "eval_seconds",
        ):
            assert len(h[key]) == 2, key  # epochs 2 and 4 only
            assert all(np.isfinite(h[key])), key
        assert h["fid"][-1] == evaluate.last["fid"] and h["fid"][-1] > 0
        assert 0 <= h["recall"][-1] <= 1 and 1 <= h["classes"][-1] <= 8

    def test_values_of_real_and_of_bad_samples(self):
        real = datasets.ring(2000, seed=1)
        evaluate = callbacks.Evaluate(
            identity,
            real_features=real,
            metrics=("fid", "kid", "precision_recall", "inception_score", "class_coverage"),
            probabilities=ring_probabilities,
            num_samples=1000,
            kid_subset_size=500,
            kid_num_subsets=20,
        )
        good = evaluate.evaluate(datasets.ring(1000, seed=2))
        assert good["fid"] < 1e-3 and abs(good["kid"]) < 3 * good["kid_std"] + 1e-6
        assert good["precision"] > 0.9 and good["recall"] > 0.9
        assert good["classes"] == 8 and good["class_kl"] < 0.01
        # Ten splits of 100 lose a little against one split of all 1,000.
        expected = one_split_inception_score(ring_probabilities(datasets.ring(1000, seed=2)))
        assert 6.5 < good["is"] <= expected and good["is"] == pytest.approx(expected, rel=0.05)
        # All samples on two modes: recall, classes and IS drop; KL = log 4.
        collapsed = datasets.ring(1000, seed=3)
        collapsed = np.where(collapsed[:, :1] > 0, MODES[0], MODES[4]) + collapsed * 0
        bad = evaluate.evaluate(collapsed)
        assert bad["fid"] > 0.5 and bad["kid"] > 10 * bad["kid_std"]
        assert bad["recall"] < 0.3 and bad["classes"] == 2
        assert bad["class_kl"] == pytest.approx(np.log(4), abs=0.01)
        expected = one_split_inception_score(ring_probabilities(collapsed))
        assert good["is"] > 3 * bad["is"] and bad["is"] == pytest.approx(expected, rel=0.05)

    @pytest.mark.parametrize(
        "kwargs,match",
        [
            (dict(metrics=("fid", "bleu")), "`metrics`"),
            (dict(metrics=("fid",), real_features=None), "`real_features`"),
            (dict(metrics=("inception_score",)), "probabilities"),
            (dict(num_samples=0), "`num_samples`"),
            (dict(every=0), "`every`"),
            (dict(labels="random"), "`labels`"),
            (dict(labels=np.zeros(3)), r"`labels`.*10000"),
            (dict(real_features=np.zeros(5)), "`real_features`"),
        ],
    )
    def test_bad_arguments(self, kwargs, match):
        kwargs = dict(dict(real_features=np.zeros((10, 2))), **kwargs)
        with pytest.raises(ValueError, match=match):
            callbacks.Evaluate(identity, **kwargs)

    def test_features_must_be_callable(self):
        with pytest.raises(ValueError, match="`features`"):
            callbacks.Evaluate("inception", real_features=np.zeros((10, 2)))

    def test_a_classifier_gives_features_and_probabilities(self):
        class Stub:
            calls = 0

            def features_and_probabilities(self, images):
                Stub.calls += 1
                return identity(images), ring_probabilities(images)

            def features(self, images):
                raise AssertionError("the one-pass method should be used")

            probabilities = features
            __call__ = features

        real = datasets.ring(500, seed=1)
        evaluate = callbacks.Evaluate(
            Stub(), real_features=real, metrics=("fid", "class_coverage"), num_samples=200
        )
        r = evaluate.evaluate(datasets.ring(200, seed=4))
        assert Stub.calls == 1 and r["classes"] == 8 and r["fid"] < 0.05
        assert isinstance(metrics.class_coverage(ring_probabilities(real)), metrics.ClassCoverage)
