"""The Improved-GAN techniques, each on its own math, and the sample grid."""

import os

import keras
import numpy as np
import pytest
from keras import ops
from test_case import TestCase

import keras_gans
from keras_gans import layers, models
from keras_gans.gan import feature_matching_loss


def numpy(x):
    return np.asarray(ops.convert_to_numpy(x))


class TestMinibatchDiscrimination(TestCase):
    def test_closeness_features_on_a_known_batch(self):
        layer = layers.MinibatchDiscrimination(num_kernels=2, kernel_dim=2)
        x = np.array([[0.0, 1.0], [1.0, 1.0], [3.0, 0.0]], "float32")
        layer.build(x.shape)
        t = np.array([[1.0, 0.0, 0.5, 0.0], [0.0, 1.0, 0.0, 2.0]], "float32")
        layer.kernel.assign(t)
        out = numpy(layer(x))
        m = (x @ t).reshape(3, 2, 2)
        expected = np.zeros((3, 2))
        for i in range(3):
            for b in range(2):
                expected[i, b] = sum(np.exp(-np.abs(m[i, b] - m[j, b]).sum()) for j in range(3))
        np.testing.assert_allclose(out[:, :2], x)
        np.testing.assert_allclose(out[:, 2:], expected, rtol=1e-5)
        # A collapsed batch (identical rows) gets the largest closeness: n.
        same = numpy(layer(np.repeat(x[:1], 3, axis=0)))
        np.testing.assert_allclose(same[:, 2:], 3.0, rtol=1e-6)

    def test_needs_flat_features(self):
        with pytest.raises(ValueError, match="Flatten"):
            layers.MinibatchDiscrimination()(np.zeros((2, 3, 3), "float32"))


class TestVirtualBatchNormalization(TestCase):
    def test_statistics_come_from_the_reference_batch(self):
        rng = np.random.default_rng(0)
        ref = rng.normal(2.0, 3.0, (5, 4, 4, 2)).astype("float32")
        batch = rng.normal(-1.0, 0.5, (3, 4, 4, 2)).astype("float32")
        layer = layers.VirtualBatchNormalization(reference_size=5, epsilon=0.0)
        out = numpy(layer(np.concatenate([ref, batch])))
        # Reference rows: normalized with the reference's own statistics.
        mean, var = ref.mean(axis=(0, 1, 2)), ref.var(axis=(0, 1, 2))
        np.testing.assert_allclose(out[:5], (ref - mean) / np.sqrt(var), rtol=1e-4, atol=1e-4)
        # Each other example: reference + itself, never the rest of its batch.
        for i in range(3):
            virtual = np.concatenate([ref.reshape(-1, 2)] + [batch[i].reshape(-1, 2)] * 1)
            w = 1 / 6
            m = (1 - w) * ref.mean(axis=(0, 1, 2)) + w * batch[i].mean(axis=(0, 1))
            sq = (1 - w) * (ref**2).mean(axis=(0, 1, 2)) + w * (batch[i] ** 2).mean(axis=(0, 1))
            expected = (batch[i] - m) / np.sqrt(sq - m**2)
            np.testing.assert_allclose(out[5 + i], expected, rtol=1e-4, atol=1e-4)
            del virtual
        # Changing the other examples leaves an example's output unchanged.
        other = batch.copy()
        other[1:] *= 10.0
        again = numpy(layer(np.concatenate([ref, other])))
        np.testing.assert_allclose(again[5], out[5], rtol=1e-5, atol=1e-5)

    def test_reference_batch_generator_is_independent_of_its_batch(self):
        gan = models.DCGAN(
            image_shape=(16, 16, 1),
            generator_filters=4,
            discriminator_filters=4,
            generator_normalization="virtual",
            reference_size=6,
            seed=0,
        )
        assert isinstance(gan.generator, layers.ReferenceBatch)
        z = np.random.default_rng(1).standard_normal((4, gan.latent_dim)).astype("float32")
        alone = gan.generate(z=z[:1])
        together = gan.generate(z=z)
        np.testing.assert_allclose(together[:1], alone, atol=1e-5)
        with pytest.raises(ValueError, match="reference"):
            layers.ReferenceBatch(gan.generator.network, reference=np.zeros((3, 5), "float32"))


class TestFeatureMatching(TestCase):
    def test_loss_is_the_distance_of_mean_features(self):
        real = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
        fake = np.array([[0.0, 0.0], [1.0, 1.0]], "float32")
        expected = np.mean((real.mean(0) - fake.mean(0)) ** 2)
        np.testing.assert_allclose(float(feature_matching_loss(real, fake)), expected)

    def test_compile_picks_the_features_layer(self):
        gan = models.DCGAN(image_shape=(16, 16, 1), generator_filters=4, discriminator_filters=4)
        gan.compile(feature_matching=True)
        features = gan.discriminator_features(np.zeros((2, 16, 16, 1), "float32"))
        assert tuple(features.shape) == (2, 4 * 4 * 8)
        gan.compile(feature_matching="logits")
        assert tuple(gan.discriminator_features(np.zeros((2, 16, 16, 1))).shape) == (2, 1)
        with pytest.raises(ValueError, match="not a layer"):
            gan.compile(feature_matching="nope")

    def test_generator_trains_on_feature_matching(self):
        gan = models.DCGAN(image_shape=(16, 16, 1), generator_filters=4, discriminator_filters=4)
        gan.compile(feature_matching=True, g_optimizer=keras.optimizers.SGD(0.0))
        x = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 1)).astype("float32")
        # With a frozen generator the logged g_loss is the feature-matching
        # loss of the step's fakes, not the non-saturating loss (which is ~0.7).
        logs = gan.train_on_batch(x, return_dict=True)
        assert 0.0 < float(logs["g_loss"]) < 0.5


class TestHistoricalAveraging(TestCase):
    def test_running_means_follow_the_parameter_trajectory(self):
        gan = keras_gans.VanillaGAN(
            data_dim=2, latent_dim=3, generator_units=(5,), discriminator_units=(5,), seed=0
        )
        gan.compile(
            historical_averaging=0.5,
            d_optimizer=keras.optimizers.SGD(0.05),
            g_optimizer=keras.optimizers.SGD(0.05),
        )
        x = keras_gans.datasets.ring(32, seed=0)
        variables = gan.generator_trainable_variables + gan.discriminator_trainable_variables
        trajectory = [[numpy(v) for v in variables]]
        for _ in range(3):
            gan.train_on_batch(x)
            trajectory.append([numpy(v) for v in variables])
        expected = [np.mean([t[i] for t in trajectory], axis=0) for i in range(len(variables))]
        means = [numpy(m) for m in gan.historical_average.means(variables)]
        self.assert_all_close(means, expected, atol=1e-6)
        # The penalty pulls towards the mean: its value matches the formula.
        penalty = float(gan.historical_average.penalty(variables))
        by_hand = 0.5 * sum(((numpy(v) - m) ** 2).sum() for v, m in zip(variables, expected))
        np.testing.assert_allclose(penalty, by_hand, rtol=1e-4)

    def test_weight_is_checked(self):
        gan = keras_gans.VanillaGAN(seed=0)
        with pytest.raises(ValueError, match="historical_averaging"):
            gan.compile(historical_averaging=-1)


class TestSampleGrid(TestCase):
    def test_grid_png_from_fixed_inputs_does_not_touch_training_noise(self, tmp_path):
        from PIL import Image

        gan = models.ConditionalGAN(
            image_shape=(16, 16, 1), num_classes=10, generator_filters=4, discriminator_filters=4
        )
        grid = keras_gans.callbacks.SampleGrid(str(tmp_path / "g_{epoch}.png"), num_samples=20)
        grid.set_model(gan)
        state = numpy(gan.seed_generator.state).copy()
        first = grid.write(1)
        second = grid.write(2)
        np.testing.assert_array_equal(numpy(gan.seed_generator.state), state)
        a, b = np.asarray(Image.open(first)), np.asarray(Image.open(second))
        np.testing.assert_array_equal(a, b)
        # 10 columns (one per class) x 2 rows of 16-pixel tiles with 1-pixel gaps, doubled.
        assert a.shape == (2 * (2 * 17 - 1), 2 * (10 * 17 - 1))
        assert os.path.basename(first) == "g_1.png"

    def test_image_grid_layout(self):
        tiles = np.stack([np.full((2, 2, 3), v, "float32") for v in (-1.0, 0.0, 1.0)])
        grid = keras_gans.plotting.image_grid(tiles, columns=2)
        assert grid.shape == (5, 5, 3)
        assert grid[0, 0, 0] == 0 and grid[0, 3, 0] == 128 and grid[3, 0, 0] == 255
        with pytest.raises(ValueError, match="images"):
            keras_gans.plotting.image_grid(np.zeros((2, 4, 4)))
