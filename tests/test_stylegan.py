"""StyleGAN: modulated convolutions, truncation, style mixing, R1, training and saving."""

import keras
import numpy as np
import pytest
from keras import ops
from test_case import TestCase

from keras_gans import models
from keras_gans.layers import EqualizedConv2D, EqualizedDense, MinibatchStdDev, ModulatedConv2D

SHAPE = (8, 8, 1)
SMALL = dict(latent_dim=4, w_dim=4, mapping_layers=2, generator_filters=4, discriminator_filters=4)


def images(n=8, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *SHAPE)).astype("float32")


def trainables(model):
    return [np.array(ops.convert_to_numpy(v)) for v in model.trainable_variables]


def plain_conv(x, kernel):
    return ops.convert_to_numpy(ops.conv(x[None], kernel, strides=1, padding="same"))[0]


class TestModulatedConv(TestCase):
    def make(self, demodulate, kernel, in_channels, equalized=False):
        layer = ModulatedConv2D(
            kernel.shape[-1], kernel.shape[0], demodulate=demodulate, equalized=equalized
        )
        layer.build([(None, 3, 3, in_channels), (None, in_channels)])
        layer.kernel.assign(kernel)
        return layer

    @pytest.mark.parametrize("demodulate,equalized", [(False, False), (True, False), (False, True)])
    def test_equals_convolution_with_style_scaled_kernel(self, demodulate, equalized):
        kernel = np.arange(36, dtype="float32").reshape(3, 3, 2, 2) / 10.0 - 1.5
        x = np.arange(36, dtype="float32").reshape(2, 3, 3, 2) / 7.0 - 2.0
        styles = np.array([[2.0, 0.5], [-1.0, 3.0]], "float32")
        layer = self.make(demodulate, kernel, 2, equalized)
        out = ops.convert_to_numpy(layer([x, styles]))
        # Equalized: the stored kernel is scaled by 1 / sqrt(fan_in), fan_in = 3 * 3 * 2.
        gain = 18.0**-0.5 if equalized else 1.0
        for b in range(2):
            scaled = gain * kernel * styles[b][None, None, :, None]
            if demodulate:
                norm = np.sqrt(np.sum(scaled**2, axis=(0, 1, 2)) + 1e-8)
                scaled = scaled / norm
            np.testing.assert_allclose(out[b], plain_conv(x[b], scaled), rtol=1e-5, atol=1e-5)
        # The two samples' styles differ, so their kernels do.
        assert not np.allclose(out[0], plain_conv(x[0], kernel * styles[1][None, None, :, None]))

    def test_demodulation_gives_unit_variance(self):
        rng = np.random.default_rng(0)
        kernel = rng.standard_normal((3, 3, 16, 8)).astype("float32") * 5.0
        x = rng.standard_normal((4, 32, 32, 16)).astype("float32")
        styles = rng.uniform(0.1, 4.0, (4, 16)).astype("float32")
        demod = ops.convert_to_numpy(self.make(True, kernel, 16)([x, styles]))
        inner = demod[:, 1:-1, 1:-1, :]  # away from the zero padding
        np.testing.assert_allclose(inner.var(axis=(0, 1, 2)), 1.0, atol=0.12)
        plain = ops.convert_to_numpy(self.make(False, kernel, 16)([x, styles]))
        assert plain[:, 1:-1, 1:-1, :].var() > 50.0


class TestEqualized(TestCase):
    def test_dense_scales_kernel_and_bias_at_run_time(self):
        layer = EqualizedDense(3, gain=2.0, lr_multiplier=0.5, bias_initializer=1.0, seed=0)
        x = np.arange(8, dtype="float32").reshape(2, 4) / 4.0 - 0.5
        out = ops.convert_to_numpy(layer(x))
        kernel = ops.convert_to_numpy(layer.kernel)
        # Stored bias = 1 / lr_multiplier, so the effective bias starts at 1.
        np.testing.assert_allclose(ops.convert_to_numpy(layer.bias), 2.0)
        expected = x @ (kernel * 2.0 * 0.5 / np.sqrt(4.0)) + 1.0
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)

    def test_conv_equals_plain_convolution_with_scaled_kernel(self):
        layer = EqualizedConv2D(2, 3, seed=0)
        x = np.random.default_rng(0).standard_normal((1, 5, 5, 3)).astype("float32")
        out = ops.convert_to_numpy(layer(x))
        kernel = ops.convert_to_numpy(layer.kernel) / 27.0**0.5
        np.testing.assert_allclose(out[0], plain_conv(x[0], kernel), rtol=1e-5, atol=1e-5)

    def test_initial_scale_and_adam_step_follow_lr_multiplier(self):
        # Effective kernel ~ N(0, 1 / fan_in) whatever the multiplier; one Adam
        # step (which moves each stored weight by ~lr) moves the effective
        # kernel by lr * lr_multiplier / sqrt(fan_in).
        fast, slow = EqualizedDense(64, seed=1), EqualizedDense(64, lr_multiplier=0.01, seed=1)
        for layer in (fast, slow):
            layer.build((None, 256))
            effective = ops.convert_to_numpy(layer.kernel) * layer.weight_scale
            assert abs(effective.std() * np.sqrt(256.0) - 1.0) < 0.02
        lr = 1e-3
        for layer, multiplier in ((fast, 1.0), (slow, 0.01)):
            before = ops.convert_to_numpy(layer.kernel) * layer.weight_scale
            grad = np.random.default_rng(2).standard_normal((256, 64)).astype("float32")
            optimizer = keras.optimizers.Adam(lr, beta_1=0.0, beta_2=0.99)
            optimizer.apply([ops.convert_to_tensor(grad)], [layer.kernel])
            moved = ops.convert_to_numpy(layer.kernel) * layer.weight_scale - before
            # float32 rounding of stored weights ~1 / lr_multiplier: a few % per element.
            np.testing.assert_allclose(np.abs(moved), lr * multiplier / 16.0, rtol=0.05)
            np.testing.assert_allclose(np.median(np.abs(moved)), lr * multiplier / 16.0, rtol=5e-3)

    def test_minibatch_stddev_appends_the_mean_batch_std(self):
        x = np.random.default_rng(3).standard_normal((5, 2, 2, 3)).astype("float32")
        out = ops.convert_to_numpy(MinibatchStdDev()(x))
        assert out.shape == (5, 2, 2, 4)
        np.testing.assert_array_equal(out[..., :3], x)
        np.testing.assert_allclose(out[..., 3], np.sqrt(x.var(axis=0) + 1e-8).mean(), rtol=1e-5)
        same = ops.convert_to_numpy(MinibatchStdDev()(np.repeat(x[:1], 5, axis=0)))
        np.testing.assert_allclose(same[..., 3], 1e-4, rtol=1e-3)  # a collapsed batch

    def test_config_round_trip(self):
        layer = EqualizedDense(3, gain=2.0, lr_multiplier=0.5, bias_initializer=1.0, seed=4)
        clone = EqualizedDense.from_config(layer.get_config())
        assert clone.get_config() == layer.get_config()
        with pytest.raises(ValueError, match="lr_multiplier"):
            EqualizedDense(3, lr_multiplier=0.0)


@pytest.fixture(scope="module")
def small_gan():
    return models.StyleGAN(image_shape=SHAPE, seed=1, **SMALL)


class TestStyleGAN(TestCase):
    def model(self, **options):
        return models.StyleGAN(image_shape=SHAPE, seed=1, **{**SMALL, **options})

    def test_builds_with_defaults(self):
        gan = models.StyleGAN()
        assert gan.data_shape == (32, 32, 3) and gan.latent_dim == 128
        assert gan.num_ws == 7 and len(gan.generator.mapping_dense) == 8
        with pytest.raises(ValueError, match="power of two"):
            models.StyleGAN(image_shape=(28, 28, 1))

    def test_truncation_zero_gives_the_average_w_image(self, small_gan):
        gan = small_gan
        g = gan.generator
        g.w_avg.assign(np.linspace(-1, 1, 4).astype("float32"))
        for v in g.noise_strengths:
            v.assign(0.5)  # the noise matters, so it must be fixed
        z = np.random.default_rng(0).standard_normal((2, 4)).astype("float32")
        out = gan.generate(z=z, truncation=0.0, noise="const")
        w_avg = np.tile(ops.convert_to_numpy(g.w_avg)[None], (2, 1))
        expected = ops.convert_to_numpy(g.synthesis(g.broadcast(w_avg), noise="const"))
        np.testing.assert_allclose(out, expected, atol=1e-5)
        np.testing.assert_allclose(out, np.repeat(out[:1], 2, axis=0), atol=1e-6)
        full = gan.generate(z=z, truncation=1.0, noise="const")
        assert np.abs(full[0] - full[1]).max() > 1e-4
        half = gan.generate(z=z, truncation=0.5, noise="const")
        assert not np.allclose(half, full, atol=1e-5) and not np.allclose(half, out, atol=1e-5)

    def test_style_mixing_switches_at_the_crossover(self, small_gan):
        gan = small_gan
        rng = np.random.default_rng(2)
        z1, z2 = (rng.standard_normal((2, 4)).astype("float32") for _ in range(2))
        first = gan.generate(z=z1, noise="const")
        second = gan.generate(z=z2, noise="const")
        np.testing.assert_allclose(gan.style_mix(z1, z2, gan.num_ws), first, atol=1e-5)
        np.testing.assert_allclose(gan.style_mix(z1, z2, 0), second, atol=1e-5)
        middle = gan.style_mix(z1, z2, 1)
        assert np.abs(middle - first).max() > 1e-4 and np.abs(middle - second).max() > 1e-4
        w1 = np.ones((2, 4), "float32")
        ws = ops.convert_to_numpy(gan.mixed_styles(w1, -w1, 2))
        np.testing.assert_array_equal(ws[:, :2], 1.0)
        np.testing.assert_array_equal(ws[:, 2:], -1.0)

    def test_r1_matches_hand_computed_value(self):
        # critic(x) = softplus(a . x): grad = sigmoid(a . x) a, so
        # R1 = mean_b sigmoid(a . x_b)^2 ||a||^2.
        a = np.linspace(-0.2, 0.3, 64).astype("float32")
        critic = keras.Sequential(
            [
                keras.Input(SHAPE),
                keras.layers.Flatten(),
                keras.layers.Dense(1, use_bias=False),
                keras.layers.Activation("softplus"),
            ]
        )
        critic.layers[1].kernel.assign(a[:, None])
        gan = self.model(discriminator=critic, mixing_prob=0.0)
        gan.compile(ema_decay=None)
        x = images(4)
        s = 1.0 / (1.0 + np.exp(-(x.reshape(4, -1) @ a)))
        expected = np.mean(s**2) * np.sum(a**2)
        logs = gan.fit(x, batch_size=4, epochs=1, verbose=0, shuffle=False).history
        np.testing.assert_allclose(logs["r1"][-1], expected, rtol=1e-4)

    def test_fit_moves_weights_and_round_trips(self, tmp_path):
        gan = self.model()
        gan.compile()
        assert gan.ema_decay == 0.999
        # The EMA's ramp-up: decay min(0.999, 0.5 ** (1 / (0.05 t))) at step t.
        ema = gan._state.ema
        np.testing.assert_allclose(float(ema.current_decay()), 0.5**20, rtol=1e-4)
        g_before, d_before = trainables(gan.generator), trainables(gan.discriminator)
        logs = gan.fit(images(), batch_size=8, epochs=1, verbose=0).history
        # After one step (decay ~1e-6) the EMA generator holds the trained weights.
        for a, b in zip(gan.generator.weights, gan.ema_generator.weights):
            np.testing.assert_allclose(
                ops.convert_to_numpy(b), ops.convert_to_numpy(a), rtol=1e-4, atol=1e-4
            )
        gan.optimizer.iterations.assign(100_000)
        np.testing.assert_allclose(float(ema.current_decay()), 0.999, rtol=1e-6)
        gan.optimizer.iterations.assign(1)
        assert set(logs) == {"d_loss", "g_loss", "r1"}
        assert all(np.isfinite(v[-1]) for v in logs.values())
        # The noise strengths start at 0 and get gradients only through the noise.
        self.assert_kernels_changed(g_before, trainables(gan.generator), "generator")
        self.assert_kernels_changed(d_before, trainables(gan.discriminator), "discriminator")
        assert np.abs(ops.convert_to_numpy(gan.generator.w_avg)).max() > 0

        config = gan.get_config()
        clone = models.StyleGAN.from_config(config)
        assert clone.get_config() == config
        path = str(tmp_path / "stylegan.keras")
        gan.save(path)
        loaded = keras.saving.load_model(path)
        assert type(loaded) is models.StyleGAN
        z = gan.grid_inputs(2)["z"]
        for use_ema in (True, False):
            np.testing.assert_allclose(
                loaded.generate(z=z, noise="const", use_ema=use_ema),
                gan.generate(z=z, noise="const", use_ema=use_ema),
                atol=1e-5,
            )
        assert loaded.get_compile_config() == gan.get_compile_config()
