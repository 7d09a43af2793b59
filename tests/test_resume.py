"""Exact resume: a killed run restarted with the same command ends where an
uninterrupted run ends, to the last bit, on every backend."""

import json
import os
import shutil
import sys

import keras
import numpy as np
import pytest
from keras import ops
from test_case import ROOT, TestCase, current_backend

import keras_gans
from keras_gans.callbacks import ResumableCheckpoint
from keras_gans.callbacks.resumable_checkpoint import atomic_write
from keras_gans.datasets import stream
from keras_gans.metrics.classifiers import file_sha256

sys.path.insert(0, os.path.join(ROOT, "tests"))
import resume_worker  # noqa: E402

WORKER = os.path.join(ROOT, "tests", "resume_worker.py")


def uninterrupted(family):
    gan, data, fit_args = resume_worker.build(family)
    gan.fit(data, verbose=0, **fit_args)
    return resume_worker.state_arrays(gan)


class TestKillAndResume(TestCase):
    @pytest.mark.parametrize(
        "family, kill_at",
        [
            ("vanilla", "step:7"),
            pytest.param("dcgan", "save:2", marks=pytest.mark.large),
        ],
        ids=["vanilla-sigkill-mid-epoch", "dcgan-sigkill-during-save"],
    )
    def test_sigkill_then_same_command_ends_equal(self, tmp_path, family, kill_at):
        backend = current_backend()
        args = [WORKER, str(tmp_path), family, kill_at]
        with pytest.raises(AssertionError, match=r"failed \(-9\)"):
            self.run_python(args, backend)
        assert os.path.exists(tmp_path / "killed")
        assert not os.path.exists(tmp_path / "final.npz")
        out = self.run_python(args, backend)
        # mid-epoch 3 (step 7 of 6-step epochs): resumes after epoch 1.
        # during the save of epoch 2: the record still names epoch 1.
        assert "resumed_from 1" in out, out
        resumed = dict(np.load(tmp_path / "final.npz"))
        reference = uninterrupted(family)
        assert sorted(resumed) == sorted(reference)
        for key in reference:
            np.testing.assert_array_equal(resumed[key], reference[key], err_msg=key)
        # No temporary file survives, and only the newest checkpoint is kept.
        assert sorted(os.listdir(tmp_path / "ckpt")) == ["epoch_000004.weights.h5", "state.json"]


class TestCheckpointFiles(TestCase):
    def _gan(self, seed=0):
        gan = self.small_gan(seed=seed)
        gan.compile()
        return gan

    def test_crash_during_write_keeps_previous_checkpoint(self, tmp_path):
        x = keras_gans.datasets.ring(64, seed=0)
        ckpt = ResumableCheckpoint(tmp_path)
        gan = self._gan()
        gan.fit(x, batch_size=32, epochs=1, verbose=0, callbacks=[ckpt])
        before = json.loads((tmp_path / "state.json").read_text())
        # The record names the weights file and its sha256 (checked on load).
        assert before["sha256"] == file_sha256(str(tmp_path / before["weights"]))

        class Crash(Exception):
            pass

        def half_write(path):
            with open(path, "wb") as f:
                f.write(b"\x89HDF half a file")
            raise Crash()

        # A crash while writing either file leaves both files as they were.
        with pytest.raises(Crash):
            atomic_write(str(tmp_path / before["weights"]), half_write)
        with pytest.raises(Crash):
            atomic_write(str(tmp_path / "state.json"), half_write)
        assert sorted(os.listdir(tmp_path)) == [before["weights"], "state.json"]
        assert json.loads((tmp_path / "state.json").read_text()) == before

        fresh = self._gan(seed=1)
        resume = ResumableCheckpoint(tmp_path)
        fresh.fit(x, batch_size=32, epochs=1, verbose=0, callbacks=[resume])
        assert resume.resumed_from == 1
        self.assert_all_close(self.weights(gan), self.weights(fresh), atol=0)

    def test_damaged_weights_file_is_refused(self, tmp_path):
        x = keras_gans.datasets.ring(64, seed=0)
        self._gan().fit(
            x, batch_size=32, epochs=1, verbose=0, callbacks=[ResumableCheckpoint(tmp_path)]
        )
        name = json.loads((tmp_path / "state.json").read_text())["weights"]
        with open(tmp_path / name, "r+b") as f:
            f.seek(-8, os.SEEK_END)
            f.write(b"XXXXXXXX")
        with pytest.raises(ValueError, match="sha256"):
            self._gan().fit(
                x, batch_size=32, epochs=2, verbose=0, callbacks=[ResumableCheckpoint(tmp_path)]
            )

    def test_other_steps_per_epoch_is_refused(self, tmp_path):
        x = keras_gans.datasets.ring(64, seed=0)
        self._gan().fit(
            x, batch_size=32, epochs=1, verbose=0, callbacks=[ResumableCheckpoint(tmp_path)]
        )
        with pytest.raises(ValueError, match="steps per epoch"):
            self._gan().fit(
                x, batch_size=16, epochs=2, verbose=0, callbacks=[ResumableCheckpoint(tmp_path)]
            )

    def test_history_holds_every_epoch_after_resume(self, tmp_path):
        x = keras_gans.datasets.ring(64, seed=0)
        self._gan().fit(
            x, batch_size=32, epochs=2, verbose=0, callbacks=[ResumableCheckpoint(tmp_path)]
        )
        history = self._gan().fit(
            x, batch_size=32, epochs=3, verbose=0, callbacks=[ResumableCheckpoint(tmp_path)]
        )
        assert history.epoch == [0, 1, 2]
        assert len(history.history["d_loss"]) == 3

    def test_callbacks_that_draw_noise_do_not_break_the_resume(self, tmp_path):
        """ModeCoverage draws from the training noise at each epoch end; listed
        after the checkpoint or before, the saved state includes its draws."""
        x = keras_gans.datasets.ring(64, seed=0)
        modes = keras_gans.datasets.ring_modes()

        def run(epochs, folder, gan=None):
            gan = gan or self._gan()
            ckpt = ResumableCheckpoint(folder)
            coverage = keras_gans.callbacks.ModeCoverage(modes, 0.01, num_samples=50)
            gan.fit(x, batch_size=32, epochs=epochs, verbose=0, callbacks=[ckpt, coverage])
            return gan

        reference = run(3, tmp_path / "a")
        run(2, tmp_path / "b")
        resumed = run(3, tmp_path / "b")
        self.assert_all_close(self.weights(reference), self.weights(resumed), atol=0)

    @pytest.mark.large
    def test_backup_and_restore_is_exact_at_epoch_granularity(self, tmp_path):
        x = keras_gans.datasets.ring(96, seed=0)
        reference = self._gan()
        reference.fit(x, batch_size=32, epochs=3, verbose=0)
        first = self._gan()
        backup = str(tmp_path / "backup")
        first.fit(
            x,
            batch_size=32,
            epochs=2,
            verbose=0,
            callbacks=[keras.callbacks.BackupAndRestore(backup, delete_checkpoint=False)],
        )
        resumed = self._gan(seed=7)
        resumed.fit(
            x,
            batch_size=32,
            epochs=3,
            verbose=0,
            callbacks=[keras.callbacks.BackupAndRestore(backup)],
        )
        self.assert_all_close(self.weights(reference), self.weights(resumed), atol=0)


class TestSavedState(TestCase):
    def test_every_tracked_variable_round_trips(self, tmp_path):
        """Every variable the model and its optimizer track (weights, statistics,
        slots, counters, seed generator states) survives save_weights/load_weights;
        a variable added by a future layer is covered without changing this test."""
        gan = self.small_gan(generator_batch_norm=True, discriminator_dropout=0.3)
        gan.compile()
        rng = np.random.default_rng(0)
        for v in list(gan.variables) + list(gan.optimizer.variables):
            value = rng.uniform(1, 100, v.shape)
            v.assign(ops.cast(value, v.dtype))
        path = str(tmp_path / "all.weights.h5")
        gan.save_weights(path)
        fresh = self.small_gan(generator_batch_norm=True, discriminator_dropout=0.3, seed=5)
        fresh.compile()
        fresh.load_weights(path)
        for a, b in zip(
            list(gan.variables) + list(gan.optimizer.variables),
            list(fresh.variables) + list(fresh.optimizer.variables),
        ):
            np.testing.assert_array_equal(
                ops.convert_to_numpy(a), ops.convert_to_numpy(b), err_msg=a.path
            )
        assert fresh._state.data_seed == gan._state.data_seed


class TestPositionalStream(TestCase):
    def test_array_stream_epoch_order_depends_only_on_seed_and_position(self):
        x = np.arange(10, dtype="float32")[:, None]
        a = stream.ArrayStream((x,), 4, seed=3)
        first = [a[i][0].ravel().tolist() for i in range(len(a))]
        second = [a[i][0].ravel().tolist() for i in range(len(a))]
        b = stream.ArrayStream((x,), 4, seed=3)
        b.set_position(3)  # a fresh process resuming at the second pass
        assert [b[i][0].ravel().tolist() for i in range(len(b))] == second
        assert sorted(sum(first, [])) == list(range(10)) and first != second

    def test_tf_stream_matches_array_stream_and_repeats_exactly(self):
        pytest.importorskip("tensorflow")
        x = np.arange(10, dtype="int64")
        ds = stream.tf_stream((x,), 4, seed=3, drop_remainder=False)
        ref = stream.ArrayStream((x,), 4, seed=3, infinite=True)
        expected = [ref[i][0].tolist() for i in range(7)]
        got = [b[0].numpy().tolist() for b in ds.repeat().take(7)]
        assert got == expected
        # Resuming at batch 4 (mid-pass) continues the same stream.
        (position,) = stream.find_positions(ds.repeat().take(3))
        position.set_position(4)
        assert [b[0].numpy().tolist() for b in ds.repeat().take(3)] == expected[4:7]

    @pytest.mark.large
    def test_fit_order_does_not_depend_on_epoch_length(self):
        """One epoch of 6 steps and three of 2 train alike: batch g of the run is fixed."""
        x = keras_gans.datasets.ring(6 * 16, seed=0)
        gans = []
        for epochs, steps in ((1, None), (3, 2)):
            gan = self.small_gan()
            gan.compile()
            gan.fit(x, batch_size=16, epochs=epochs, steps_per_epoch=steps, verbose=0)
            gans.append(gan)
        self.assert_all_close(self.weights(gans[0]), self.weights(gans[1]), atol=0)


@pytest.fixture(autouse=True)
def _no_leftovers(tmp_path):
    yield
    shutil.rmtree(tmp_path, ignore_errors=True)
