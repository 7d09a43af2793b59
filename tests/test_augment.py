"""DiffAugment and ADA: closed-form transforms, per-image draws, ADA's p, in-step use."""

import keras
import numpy as np
import pytest
from keras import ops
from test_case import TestCase

import keras_gans
from keras_gans.augment import ADA, DiffAugment


def image_batch(n=8, size=8, seed=0):
    one = np.random.default_rng(seed).uniform(0.1, 1.0, (1, size, size, 1)).astype("float32")
    return np.repeat(one, n, axis=0)


def shifted(image, dy, dx):
    out = np.zeros_like(image)
    h, w = image.shape[:2]
    for i in range(h):
        for j in range(w):
            if 0 <= i - dy < h and 0 <= j - dx < w:
                out[i, j] = image[i - dy, j - dx]
    return out


def value(v):
    return float(ops.convert_to_numpy(v))


class TestDiffAugment(TestCase):
    def test_translation_is_a_zero_filled_integer_shift_drawn_per_image(self):
        x = image_batch()
        out = ops.convert_to_numpy(DiffAugment("translation", seed=0)(x))
        found = set()
        for k in range(len(x)):
            matches = [
                (dy, dx)
                for dy in range(-1, 2)
                for dx in range(-1, 2)
                if np.allclose(out[k], shifted(x[k], dy, dx), atol=1e-6)
            ]
            assert matches, f"image {k} is not a shift of at most 1 pixel (8 * 0.125)"
            found.add(matches[0])
        # Identical images, different shifts: each image draws its own.
        assert len(found) > 1

    def test_cutout_zeroes_one_square_per_image(self):
        x = image_batch()
        out = ops.convert_to_numpy(DiffAugment("cutout", seed=1)(x))
        holes = set()
        for k in range(len(x)):
            zero = out[k, :, :, 0] == 0
            np.testing.assert_array_equal(out[k][~zero], x[k][~zero])
            rows, cols = np.nonzero(zero)
            assert zero.sum() == (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1)
            assert rows.max() - rows.min() < 4 and cols.max() - cols.min() < 4
            holes.add((rows.min(), cols.min()))
        assert len(holes) > 1

    def test_color_and_probability_zero(self):
        x = image_batch()
        layer = DiffAugment("color", seed=2)
        out = ops.convert_to_numpy(layer(x))
        assert out.shape == x.shape and np.isfinite(out).all()
        assert not np.allclose(out[0], out[1])
        # Real and fake halves are two calls: two independent draws.
        again = ops.convert_to_numpy(layer(x))
        assert not np.allclose(out, again)
        off = DiffAugment(probability=0.0, seed=2)
        np.testing.assert_allclose(ops.convert_to_numpy(off(x)), x, atol=1e-6)

    def test_bad_arguments_are_refused(self):
        with pytest.raises(ValueError, match="policy"):
            DiffAugment("flip")
        with pytest.raises(ValueError, match="probability"):
            DiffAugment(probability=1.5)
        with pytest.raises(ValueError, match="images"):
            self.small_gan().compile(augment="diffaugment")
        with pytest.raises(TypeError, match="augment"):
            keras_gans.DCGAN(image_shape=(8, 8, 1), generator_filters=4).compile(augment=3)


class TestADA(TestCase):
    @pytest.mark.parametrize("sign, expected", [(1.0, 0.1 + 0.032), (-1.0, 0.1 - 0.032)])
    def test_p_follows_the_overfitting_heuristic(self, sign, expected):
        # interval 4, batch 8: 32 images move p by 32 / (1 * 1000).
        ada = ADA(interval=4, speed_kimg=1.0, probability=0.1)
        logits = np.full((8, 1), sign, "float32")
        for _ in range(3):
            ada.observe(logits)
        assert value(ada.probability) == pytest.approx(0.1)
        ada.observe(logits)
        assert value(ada.r_t) == sign
        assert value(ada.probability) == pytest.approx(expected, abs=1e-6)
        assert value(ada.updates) == 0.0

    def test_p_stays_in_the_unit_interval(self):
        ada = ADA(interval=1, speed_kimg=0.001)
        ada.observe(np.full((8, 1), -1.0, "float32"))
        assert value(ada.probability) == 0.0
        for _ in range(3):
            ada.observe(np.full((8, 1), 2.0, "float32"))
        assert value(ada.probability) == 1.0

    def test_in_the_train_step_and_saved(self, tmp_path):
        gan = keras_gans.DCGAN(
            image_shape=(8, 8, 1),
            latent_dim=4,
            generator_filters=4,
            discriminator_filters=4,
            upsampling="resize",
            seed=1,
        )
        gan.compile(augment=ADA(interval=1, speed_kimg=0.004, probability=0.5, seed=3))
        before = self.weights(gan.generator)
        x = np.random.default_rng(0).uniform(-1, 1, (8, 8, 8, 1)).astype("float32")
        logs = gan.fit(x, batch_size=8, epochs=1, verbose=0).history
        assert all(np.isfinite(v[-1]) for v in logs.values()), logs
        self.assert_kernels_changed(before, self.weights(gan.generator), "generator")
        # One discriminator update: p = 0.5 + sign(r_t - 0.6) * 8 / 4.
        r_t = value(gan.augmenter.r_t)
        assert -1.0 <= r_t <= 1.0
        assert value(gan.augmenter.probability) == (1.0 if r_t > 0.6 else 0.0)

        path = str(tmp_path / "ada.keras")
        gan.save(path)
        loaded = keras.saving.load_model(path)
        assert isinstance(loaded.augment, ADA) and loaded.augment.interval == 1
        assert value(loaded.augmenter.probability) == value(gan.augmenter.probability)
