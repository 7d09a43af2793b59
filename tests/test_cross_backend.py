"""The same weights and noise give the same results on all three backends."""

import os

import keras
import numpy as np
from cross_backend_worker import FixedNoiseGAN, build, run
from keras import ops
from test_case import BACKENDS, TestCase, current_backend


class TestCrossBackend(TestCase):
    def test_same_losses_and_portable_weights_on_every_backend(self, tmp_path):
        directory = str(tmp_path)
        rng = np.random.default_rng(0)
        np.save(os.path.join(directory, "data.npy"), rng.normal(size=(32, 2)).astype("float32"))
        np.save(os.path.join(directory, "noise.npy"), rng.normal(size=(32, 4)).astype("float32"))
        build().save_weights(os.path.join(directory, "init.weights.h5"))

        here = current_backend()
        losses, samples = run(directory)
        for other in BACKENDS:
            if other != here:
                self.run_python(["tests/cross_backend_worker.py", directory], other)

        results = {b: np.load(os.path.join(directory, f"{b}.npz")) for b in BACKENDS}
        for other in BACKENDS:
            r = results[other]
            # Same initial weights and noise: same losses for the first steps.
            np.testing.assert_allclose(r["losses"], losses, atol=1e-5, err_msg=other)
            np.testing.assert_allclose(r["samples"], samples, atol=1e-5, err_msg=other)
            # Weights trained under `other` load here and generate the samples
            # that `other` generated from the same latent vectors.
            gan = build()
            gan.load_weights(os.path.join(directory, f"{other}.weights.h5"))
            noise = np.load(os.path.join(directory, "noise.npy"))
            np.testing.assert_allclose(
                gan.generate(z=noise), r["samples"], atol=1e-6, err_msg=other
            )
            # A compiled .keras file saved under `other` (optimizer state
            # included) loads here and trains on.
            loaded = keras.saving.load_model(os.path.join(directory, f"{other}.keras"))
            assert type(loaded) is FixedNoiseGAN
            loaded.set_noise(noise)
            assert int(ops.convert_to_numpy(loaded.d_optimizer.iterations)) == 10
            logs = loaded.train_on_batch(
                np.load(os.path.join(directory, "data.npy")), return_dict=True
            )
            assert np.isfinite(logs["d_loss"]) and np.isfinite(logs["g_loss"])
        # The losses moved: the comparison is of real training, not of a no-op.
        assert not np.allclose(losses[0], losses[-1])
