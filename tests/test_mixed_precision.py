"""Mixed precision: float32 variables, finite gradient penalties, loss scaling that recovers."""

import keras
import numpy as np
import pytest
from keras import ops
from test_case import TestCase

import keras_gans


@pytest.fixture
def policy(request):
    keras.mixed_precision.set_global_policy(request.param)
    try:
        yield request.param
    finally:
        keras.mixed_precision.set_global_policy("float32")


def value(v):
    return float(ops.convert_to_numpy(v))


class TestMixedPrecision(TestCase):
    @pytest.mark.parametrize("policy", ["mixed_float16"], indirect=True)
    def test_wgan_gp_trains_in_float16_with_float32_variables(self, policy):
        gan = keras_gans.WGANGP(
            image_shape=(8, 8, 1),
            latent_dim=4,
            generator_filters=4,
            discriminator_filters=4,
            seed=1,
        )
        gan.compile(n_critic=2, ema_decay=0.9)
        assert gan.compute_dtype == "float16"
        assert value(gan.d_loss_scale.scale) == 2.0**15
        x = np.random.default_rng(0).uniform(-1, 1, (16, 8, 8, 1)).astype("float32")
        before = self.weights(gan)
        logs = gan.fit(x, batch_size=8, epochs=1, verbose=0).history
        assert all(np.isfinite(v[-1]) for v in logs.values()), logs
        assert logs["gp"][-1] > 0
        assert {v.dtype for v in gan.weights} == {"float32"}
        assert all(np.isfinite(w).all() for w in self.weights(gan))
        self.assert_kernels_changed(before[: len(gan.generator.weights)], self.weights(gan))
        # Two finite steps each: the scales kept their value and counted them.
        assert value(gan.d_loss_scale.good_steps) == 4.0  # 2 steps x n_critic 2
        assert value(gan.g_loss_scale.good_steps) == 2.0

    @pytest.mark.parametrize("policy", ["mixed_bfloat16"], indirect=True)
    def test_bfloat16_needs_no_loss_scale(self, policy):
        gan = self.small_gan(seed=2)
        gan.compile(ema_decay=0.5)
        assert gan.compute_dtype == "bfloat16" and not hasattr(gan, "d_loss_scale")
        before = self.weights(gan.generator)
        logs = gan.fit(ring(), batch_size=8, epochs=1, verbose=0).history
        assert all(np.isfinite(v[-1]) for v in logs.values()), logs
        assert {v.dtype for v in gan.weights} == {"float32"}
        self.assert_kernels_changed(before, self.weights(gan.generator))

    @pytest.mark.parametrize("policy", ["mixed_float16"], indirect=True)
    def test_loss_scaling_skips_an_overflow_and_recovers(self, policy):
        gan = self.small_gan(seed=3)
        gan.compile()
        for scale in (gan.d_loss_scale, gan.g_loss_scale):
            scale.scale.assign(2.0**40)  # the float16 backward pass overflows
        before = self.weights(gan)
        optimizer_vars = gan.d_optimizer.variables + gan.g_optimizer.variables
        slots = [ops.convert_to_numpy(v) for v in optimizer_vars]
        gan.fit(ring(8), batch_size=8, epochs=1, verbose=0)
        # Skipped: weights, optimizer slots and counters as before; scale halved.
        weights = {id(v) for v in (gan.d_loss_scale.weights + gan.g_loss_scale.weights)}
        kept = [i for i, v in enumerate(gan.weights) if id(v) not in weights]
        after = self.weights(gan)
        self.assert_unchanged([before[i] for i in kept], [after[i] for i in kept])
        self.assert_unchanged(slots, [ops.convert_to_numpy(v) for v in optimizer_vars])
        assert value(gan.d_loss_scale.scale) == 2.0**39
        assert value(gan.g_loss_scale.scale) == 2.0**39

        # Training on halves the scale until the gradients fit, then updates.
        logs = gan.fit(ring(8 * 40), batch_size=8, epochs=1, verbose=0).history
        assert all(np.isfinite(v[-1]) for v in logs.values()), logs
        for scale in (gan.d_loss_scale, gan.g_loss_scale):
            assert value(scale.scale) < 2.0**30
            assert value(scale.good_steps) > 0
        assert all(np.isfinite(w).all() for w in self.weights(gan))
        self.assert_kernels_changed(before[:2], self.weights(gan)[:2])

    def test_bad_loss_scaling_is_refused(self):
        with pytest.raises(ValueError, match="loss_scaling"):
            self.small_gan().compile(loss_scaling="yes")


def ring(n=16):
    return np.random.default_rng(0).normal(size=(n, 2)).astype("float32")
