"""The backend cores: input gradients inside a train step, on every backend."""

import keras
import numpy as np
import pytest
from keras import ops
from test_case import TestCase

import keras_gans
from keras_gans import backend


class PenalisedGAN(keras_gans.GAN):
    """Adds a gradient penalty on real samples, computed by the backend core."""

    loss_names = ("d_loss", "g_loss", "gp")

    def discriminator_loss(self, step):
        grads = backend.input_gradient(lambda x: self.discriminator(x, training=False), step.real)
        norms = ops.sqrt(ops.sum(ops.square(grads), axis=1))
        gp = ops.mean(ops.square(norms - 1.0))
        return super().discriminator_loss(step) + 10.0 * gp, {"gp": gp}


def linear_gan():
    generator = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    return PenalisedGAN(generator, critic, seed=0)


class TestInputGradient(TestCase):
    def test_gradient_penalty_of_a_linear_critic(self):
        # For C(x) = x.w + b the input gradient is w for every sample, so the
        # penalty is (|w| - 1)^2, whatever the data.
        gan = linear_gan()
        gan.compile(
            loss="wasserstein",
            d_optimizer=keras.optimizers.SGD(0.1),
            g_optimizer=keras.optimizers.SGD(0.1),
        )
        w = ops.convert_to_numpy(gan.discriminator.layers[-1].kernel)[:, 0]
        x = np.random.default_rng(0).normal(size=(16, 2)).astype("float32")
        logs = gan.train_on_batch(x, return_dict=True)
        expected = (np.linalg.norm(w) - 1.0) ** 2
        assert logs["gp"] == pytest.approx(expected, rel=1e-5)

    def test_penalty_gradient_reaches_the_critic(self):
        # Only the penalty depends on |w| in a way that pulls it to 1: with a
        # zero adversarial loss, SGD on 10 * (|w| - 1)^2 moves w along itself.
        def zero_d(real_logits, fake_logits, label_smoothing=0.0):
            return 0.0 * ops.mean(real_logits) + 0.0 * ops.mean(fake_logits)

        gan = linear_gan()
        gan.compile(
            loss=(keras_gans.losses.wasserstein_generator_loss, zero_d),
            d_optimizer=keras.optimizers.SGD(0.01),
            g_optimizer=keras.optimizers.SGD(0.0),
        )
        kernel = gan.discriminator.layers[-1].kernel
        w0 = np.array(ops.convert_to_numpy(kernel))[:, 0]
        gan.train_on_batch(np.zeros((4, 2), "float32"))
        w1 = np.array(ops.convert_to_numpy(kernel))[:, 0]
        n0 = np.linalg.norm(w0)
        expected = w0 - 0.01 * 10.0 * 2.0 * (n0 - 1.0) * w0 / n0
        np.testing.assert_allclose(w1, expected, rtol=1e-5)

    def test_minimize_outside_a_step_on_jax_is_refused(self):
        if backend.name != "jax":
            pytest.skip("only the JAX core needs a surrounding train step")
        with pytest.raises(RuntimeError, match="inside a GAN train step"):
            backend.input_gradient(lambda x: x, np.zeros((1, 2), "float32"))


class TestTorchGradients(TestCase):
    def test_no_gradient_is_left_in_either_network(self):
        if backend.name != "torch":
            pytest.skip("torch keeps gradients in .grad; the other backends have none")
        gan = self.small_gan()
        gan.compile()
        gan.fit(
            np.random.default_rng(0).normal(size=(64, 2)).astype("float32"),
            batch_size=32,
            epochs=1,
            verbose=0,
        )
        assert all(v.value.grad is None for v in gan.trainable_variables)
