"""The test case class shared by the suite, and small model builders."""

import os
import subprocess
import sys

import keras
import numpy as np
from keras import ops

import keras_gans

BACKENDS = ("tensorflow", "jax", "torch")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class TestCase:
    """Helpers for GAN tests; pytest collects subclasses named Test*."""

    @staticmethod
    def small_gan(data_dim=2, latent_dim=4, units=(16,), seed=0, cls=None, **kwargs):
        cls = cls or keras_gans.VanillaGAN
        return cls(
            data_dim=data_dim,
            latent_dim=latent_dim,
            generator_units=units,
            discriminator_units=units,
            seed=seed,
            **kwargs,
        )

    @staticmethod
    def weights(model):
        return [np.array(ops.convert_to_numpy(v)) for v in model.weights]

    @staticmethod
    def assert_all_close(a, b, atol=1e-6, rtol=0.0, msg=""):
        assert len(a) == len(b), msg
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, atol=atol, rtol=rtol, err_msg=msg)

    @staticmethod
    def assert_changed(before, after, msg=""):
        changed = [not np.array_equal(x, y) for x, y in zip(before, after)]
        assert all(changed), f"{msg}: {changed.count(False)} of {len(changed)} did not change"

    @classmethod
    def assert_kernels_changed(cls, before, after, msg=""):
        """Every weight of rank >= 2 changed (output biases can have zero
        gradient under the Wasserstein and hinge losses: the real and fake
        terms cancel)."""
        keep = [i for i, w in enumerate(before) if w.ndim > 1]
        cls.assert_changed([before[i] for i in keep], [after[i] for i in keep], msg)

    @staticmethod
    def assert_unchanged(before, after, msg=""):
        for x, y in zip(before, after):
            np.testing.assert_array_equal(x, y, err_msg=msg)

    @staticmethod
    def run_python(args, backend, timeout=300, cwd=None):
        """Runs `python args...` under another Keras backend; returns stdout."""
        env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
        env["PYTHONPATH"] = os.pathsep.join(
            [ROOT, os.path.join(ROOT, "tests"), env.get("PYTHONPATH", "")]
        )
        proc = subprocess.run(
            [sys.executable, *args],
            env=env,
            cwd=cwd or ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if proc.returncode != 0:
            raise AssertionError(
                f"{args} under {backend} failed ({proc.returncode}):\n{proc.stderr[-4000:]}"
            )
        return proc.stdout


def current_backend():
    return keras.config.backend()
