"""The non-finite policy: `compile(on_nonfinite=None | "skip" | "raise")`."""

import keras
import numpy as np
import pytest
from keras import ops
from test_case import TestCase

import keras_gans

tf = pytest.importorskip("tensorflow")


def batches(nan_at=None, n=3, size=16):
    """`n` ring batches as a tf.data set; batch `nan_at` holds a NaN."""
    x = keras_gans.datasets.ring(8 * size, seed=0)[: n * size]
    if nan_at is not None:
        x[nan_at * size + 3, 0] = np.nan
    return tf.data.Dataset.from_tensor_slices(x).batch(size)


def state(gan):
    return [ops.convert_to_numpy(v) for v in gan.trainable_variables + gan.optimizer.variables]


class TestNonFinite(TestCase):
    def _gan(self, policy):
        gan = self.small_gan()
        gan.compile(on_nonfinite=policy, n_critic=2)
        return gan

    def test_skip_leaves_weights_and_optimizer_as_before_the_step(self):
        # Three steps with NaN data in the last equal two steps without it.
        skipped = self._gan("skip")
        history = skipped.fit(batches(nan_at=2), epochs=1, verbose=0)
        reference = self._gan("skip")
        reference.fit(batches(n=2), epochs=1, verbose=0)
        self.assert_all_close(state(skipped), state(reference), atol=0)
        assert history.history["skipped_steps"] == [1.0]
        assert np.isfinite(history.history["d_loss"][0])
        assert int(ops.convert_to_numpy(skipped.d_optimizer.iterations)) == 4

    @pytest.mark.large
    def test_skip_trains_on_after_a_bad_step(self):
        gan = self._gan("skip")
        before = self.weights(gan)
        history = gan.fit(batches(nan_at=0), epochs=1, verbose=0)
        assert history.history["skipped_steps"] == [1.0]
        self.assert_kernels_changed(before, self.weights(gan), "steps after the bad one train")

    def test_raise_names_the_step_and_the_term(self):
        gan = self._gan("raise")
        reference = self._gan("raise")
        reference.fit(batches(n=1), epochs=1, verbose=0)
        with pytest.raises(
            keras_gans.NonFiniteLossError, match=r"d_loss.*batch 2, training step 2"
        ):
            gan.fit(batches(nan_at=1), epochs=1, verbose=0)
        # The bad update was not applied.
        self.assert_all_close(state(gan), state(reference), atol=0)

    def test_default_keeps_keras_behaviour_and_terminate_on_nan(self):
        gan = self._gan(None)
        history = gan.fit(
            batches(nan_at=1, n=4),
            epochs=3,
            verbose=0,
            callbacks=[keras.callbacks.TerminateOnNaN()],
        )
        assert len(history.history["d_loss"]) == 1
        assert "skipped_steps" not in history.history

    def test_policy_survives_save_and_load(self, tmp_path):
        gan = self._gan("skip")
        path = str(tmp_path / "gan.keras")
        gan.save(path)
        assert keras.saving.load_model(path).on_nonfinite == "skip"

    def test_bad_policy(self):
        with pytest.raises(ValueError, match="on_nonfinite.*'ignore'"):
            self.small_gan().compile(on_nonfinite="ignore")
